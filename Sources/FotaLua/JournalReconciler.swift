import Foundation
import LuaHost
import ThingSpace

/// Settles the journal's unknown changes by reading ThingSpace, and appends a `reconciled`
/// line for each one it could settle (what `fota journal reconcile` does).
///
/// - append/remove batch (or an older unbatched append/remove): reads the upgrade (A4) and
///   counts the batch's devices that are where the change wanted them.
/// - schedule: looks for a pending or queued upgrade with the same firmware, start date and
///   devices (the read-back the client does after an ambiguous schedule).
/// - cancel: reads the upgrade; gone (E9) means cancelled.
public enum JournalReconciler {
    /// What reconciling one unknown found.
    public struct Finding: Sendable {
        public var runId: String
        public var change: Int?
        public var call: String
        public var upgradeId: String?
        public var batch: Int?
        public var batches: Int?
        public var devices: Int
        /// What ThingSpace holds, in words.
        public var found: String
        /// False when it could not be settled (another endpoint, a failed read): nothing was written.
        public var settled: Bool
    }

    /// Reconciles every unknown change of the journal at `path` that was sent to `endpoint`
    /// (shown form, as journal lines record it) using `client`.
    public static func reconcile(journalPath path: String, client: ThingSpaceClient, endpoint: String) async throws -> [Finding] {
        let reader = try JournalReader(path: path)
        let journal = Journal(path: path)
        let shownEndpoint = FotaRuntime.shownEndpoint(endpoint)
        var findings: [Finding] = []
        for unknown in reader.unknowns {
            let change = unknown.change
            var finding = Finding(
                runId: unknown.run.runId, change: change.number, call: change.call, upgradeId: change.upgradeId,
                batch: unknown.batch?.index, batches: unknown.batch?.count, devices: unknown.deviceCount,
                found: "", settled: false)
            guard change.endpoint == shownEndpoint else {
                finding.found = "not checked: sent to \(change.endpoint ?? "an unknown endpoint"), not \(shownEndpoint)"
                findings.append(finding)
                continue
            }
            var fields: [String: LuaValue]
            do {
                fields = try await settle(unknown, client: client)
            } catch {
                finding.found = "not settled: reading ThingSpace failed (\(error))"
                findings.append(finding)
                continue
            }
            if case .string(let found)? = fields["found"] { finding.found = found.description }
            for (key, value) in change.intent.fields {
                guard ["runId", "call", "account", "upgradeId", "endpoint", "rehearsal", "script", "dryRun"].contains(key) else { continue }
                if let value = value as? String { fields[key] = .string(value) }
                if let value = value as? Bool { fields[key] = .boolean(value) }
            }
            fields["phase"] = .string("reconciled")
            fields["time"] = .string(Date.now.formatted(.iso8601))
            if let number = change.number { fields["change"] = .integer(Int64(number)) }
            if let time = change.intent["time"] as? String { fields["intentTime"] = .string(time) }
            if let batch = unknown.batch {
                fields["batch"] = .integer(Int64(batch.index))
                fields["batches"] = .integer(Int64(batch.count))
            }
            try journal.append(fields)
            finding.settled = true
            findings.append(finding)
        }
        return findings
    }

    /// E9 `Invalid upgradeId` (docs/thingspace-api.md §7): the account does not have, or no
    /// longer has, the upgrade (a cancelled one disappears, T11).
    static func isUnknownUpgrade(_ error: ThingSpaceError) -> Bool {
        guard case .api(let api) = error, (400..<500).contains(api.httpStatus) else { return false }
        return api.errorMessage?.lowercased().contains("invalid upgradeid") == true
    }

    /// Reads ThingSpace for one unknown; the `reconciled` line's own fields.
    static func settle(_ unknown: JournalReader.Unknown, client: ThingSpaceClient) async throws -> [String: LuaValue] {
        let change = unknown.change
        guard let account = change.account else {
            throw JournalQueryError(description: "the intent line names no account")
        }
        switch change.call {
        case "append", "remove":
            guard let upgradeId = change.upgradeId else { throw JournalQueryError(description: "the intent line names no upgrade") }
            let devices = unknown.devices
            let held: Set<String>
            do {
                held = Set(try await client.upgrade(account: account, upgradeId: upgradeId).deviceList.map(\.deviceId))
            } catch let error as ThingSpaceError where isUnknownUpgrade(error) {
                return ["found": .string("the upgrade \(upgradeId) no longer exists (cancelled?): its devices are in no upgrade"),
                        "upgradeExists": .boolean(false)]
            }
            let wanted = change.call == "append"
            let missing = devices.filter { held.contains($0) != wanted }
            let place = wanted ? "in" : "out of"
            var found = "\(devices.count - missing.count) of \(devices.count) devices are \(place) the upgrade"
            if !missing.isEmpty { found += "; \(missing.count) are not (listed in `notApplied`)" }
            return ["found": .string(found), "applied": .integer(Int64(devices.count - missing.count)),
                    "notApplied": .array(missing.map { .string($0) })]
        case "schedule":
            guard let firmwareName = change.intent["firmwareName"] as? String, let firmwareTo = change.intent["firmwareTo"] as? String,
                  let startDate = change.intent["startDate"] as? String, let devices = change.intent["devices"] as? [String]
            else { throw JournalQueryError(description: "the intent line lacks the schedule's firmware, start date or devices") }
            let request = UpgradeRequest(
                accountName: account, firmwareName: firmwareName, firmwareTo: firmwareTo, startDate: startDate,
                endDate: change.intent["endDate"] as? String, deviceList: devices)
            if let upgrade = try await client.findScheduled(request) {
                return ["found": .string("scheduled: upgrade \(upgrade.id) (\(upgrade.status?.rawValue ?? "status unknown"))"),
                        "upgradeId": .string(upgrade.id)]
            }
            return ["found": .string("no pending or queued upgrade has this firmware, start date and devices: not scheduled (or already started)")]
        case "cancel":
            guard let upgradeId = change.upgradeId else { throw JournalQueryError(description: "the intent line names no upgrade") }
            do {
                let upgrade = try await client.upgrade(account: account, upgradeId: upgradeId)
                return ["found": .string("not cancelled: the upgrade exists with status \(upgrade.status?.rawValue ?? "unknown")")]
            } catch let error as ThingSpaceError where isUnknownUpgrade(error) {
                return ["found": .string("cancelled: upgrade \(upgradeId) no longer exists")]
            }
        default:
            throw JournalQueryError(description: "fota journal reconcile does not know how to check a '\(change.call)' change")
        }
    }
}
