import Foundation
import LuaHost
import Synchronization
import ThingSpace

/// fota.schedule's idempotency keys: what the journal says was scheduled under each key, per
/// endpoint and account. Read from the journal once per run (on the first key), then kept up to
/// date in memory, so keys also work within a run that has no journal.
final class ScheduleKeys: Sendable {
    /// What is known of one key: the request journaled with it and, once settled, its upgrade.
    struct Entry: Sendable {
        var request: UpgradeRequest
        /// The upgrade scheduled under the key; nil while its outcome is unknown.
        var upgradeId: String?
    }

    private struct State {
        var loaded = false
        var entries: [String: Entry] = [:]
    }
    private let state = Mutex(State())

    private static func slot(_ key: String, account: String, endpoint: String) -> String {
        endpoint + "\u{0}" + account + "\u{0}" + key
    }

    /// The entry of `key`, reading the journal at `journalPath` first if this run has not yet.
    func entry(_ key: String, account: String, endpoint: String, journalPath: String?) throws -> Entry? {
        try state.withLock { state in
            if !state.loaded {
                if let journalPath, FileManager.default.fileExists(atPath: journalPath) {
                    let records: [[String: Any]]
                    do { records = try Journal.records(path: journalPath).records } catch {
                        throw FotaCallError(call: "schedule", code: "JOURNAL", message: "cannot look up key \(quoted(key)): \(error); nothing was sent")
                    }
                    for record in records { Self.index(record, into: &state.entries) }
                }
                state.loaded = true
            }
            return state.entries[Self.slot(key, account: account, endpoint: endpoint)]
        }
    }

    /// Records what this run learned of `key` (a new intent, an outcome, a read-back).
    func set(_ key: String, account: String, endpoint: String, _ entry: Entry?) {
        state.withLock { $0.entries[Self.slot(key, account: account, endpoint: endpoint)] = entry }
    }

    /// Folds one journal record into the index. Dry-run lines never settle a key (their ids are
    /// invented); an intent opens the key; an outcome or read-back with an upgradeId settles it;
    /// a read-back that found nothing clears it; an outcome without an upgradeId (an error,
    /// perhaps ambiguous) leaves it open, to be read back.
    private static func index(_ record: [String: Any], into entries: inout [String: Entry]) {
        guard record["call"] as? String == "schedule", let key = record["key"] as? String,
              let account = record["account"] as? String, let endpoint = record["endpoint"] as? String,
              record["dryRun"] as? Bool != true, let phase = record["phase"] as? String
        else { return }
        let slot = Self.slot(key, account: account, endpoint: endpoint)
        // Intent and outcome lines both carry the request (the outcome repeats the intent's fields).
        var request: UpgradeRequest?
        if let firmwareName = record["firmwareName"] as? String, let firmwareTo = record["firmwareTo"] as? String,
           let startDate = record["startDate"] as? String, let devices = record["devices"] as? [String]
        {
            request = UpgradeRequest(
                accountName: account, firmwareName: firmwareName, firmwareTo: firmwareTo, startDate: startDate,
                endDate: record["endDate"] as? String, deviceList: devices)
        }
        switch phase {
        case "intent":
            if let request { entries[slot] = Entry(request: request, upgradeId: nil) }
        case "outcome", "reconcile":
            if let id = record["upgradeId"] as? String {
                if let request = request ?? entries[slot]?.request { entries[slot] = Entry(request: request, upgradeId: id) }
            } else if phase == "reconcile" {
                entries[slot] = nil
            }
        default:
            return
        }
    }
}

extension FotaCalls {
    /// The upgrade already scheduled under `key` with this request's firmware and devices, or nil
    /// when none is (then the caller schedules). Raises KEY_CONFLICT when the key was used for
    /// another firmware or other devices. An unsettled key (a run died between intent and
    /// outcome) is read back from the account's upgrades and the finding journaled.
    func upgradeScheduled(underKey key: String, _ request: UpgradeRequest, stop: LuaStopSignal) throws -> FirmwareUpgrade? {
        let account = request.accountName
        let endpoint = runtime.journalEndpoint
        guard let entry = try runtime.scheduleKeys.entry(
            key, account: account, endpoint: endpoint, journalPath: runtime.activeJournal?.path)
        else { return nil }
        try Self.checkSameRequest(key: key, journaled: entry.request, given: request)
        // A dry run without credentials cannot read ThingSpace: it plans the schedule.
        guard let client = runtime.client else { return nil }
        if let id = entry.upgradeId {
            do {
                return try waitFor(stop, call: "fota.schedule") { try await client.upgrade(account: account, upgradeId: id) }
            } catch ThingSpaceError.api(let error) where Self.isGone(error) {
                // Cancelled or deleted: the key is free again.
                runtime.scheduleKeys.set(key, account: account, endpoint: endpoint, nil)
                return nil
            }
        }
        let statuses: [UpgradeStatus] = [.requestPending, .queued, .inProgress, .finished, .upgradeFailed]
        let journaled = entry.request
        let found = try waitFor(stop, call: "fota.schedule") { try await client.findScheduled(journaled, statuses: statuses) }
        if runtime.settings.mode != .dryRun {
            try runtime.record("schedule", phase: "reconcile", [
                "key": .string(key), "account": .string(account), "upgradeId": found.map { .string($0.id) } ?? .nil,
                "found": .boolean(found != nil),
            ])
        }
        runtime.scheduleKeys.set(key, account: account, endpoint: endpoint,
                                 found.map { ScheduleKeys.Entry(request: journaled, upgradeId: $0.id) })
        return found
    }

    /// KEY_CONFLICT unless `given` has the journaled firmware and the same set of devices
    /// (dates may differ: a re-run on another day still means the same upgrade).
    static func checkSameRequest(key: String, journaled: UpgradeRequest, given: UpgradeRequest) throws {
        var differences: [String] = []
        if journaled.firmwareName != given.firmwareName {
            differences.append("firmwareName \(quoted(given.firmwareName)), was \(quoted(journaled.firmwareName))")
        }
        if journaled.firmwareTo != given.firmwareTo {
            differences.append("firmwareTo \(quoted(given.firmwareTo)), was \(quoted(journaled.firmwareTo))")
        }
        let before = Set(journaled.deviceList), now = Set(given.deviceList)
        if before != now {
            let added = now.subtracting(before).count, dropped = before.subtracting(now).count
            differences.append("devices: \(added) not in the keyed upgrade, \(dropped) of it missing (\(now.count) given, \(before.count) before)")
        }
        guard differences.isEmpty else {
            throw FotaCallError(call: "schedule", code: "KEY_CONFLICT", message:
                "key \(quoted(key)) was used for a different upgrade: " + differences.joined(separator: "; ")
                + "; use a new key for a different upgrade")
        }
    }

    /// ThingSpace no longer knows the upgrade (the simulator answers 400 "Invalid upgradeId" for a cancelled one).
    static func isGone(_ error: APIError) -> Bool {
        error.httpStatus == 404
            || (error.httpStatus == 400 && (error.errorMessage ?? "").localizedCaseInsensitiveContains("invalid upgradeid"))
    }
}
