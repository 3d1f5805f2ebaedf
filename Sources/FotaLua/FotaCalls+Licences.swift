import Foundation
import LuaHost
import ThingSpace

/// The subscription and licences: fota.subscription, fota.licenses (reads), fota.assignLicenses,
/// fota.removeLicenses, fota.licensesToRemove (read), fota.setLicensesToRemove and
/// fota.clearLicensesToRemove (changes, through `perform`).
extension FotaCalls {
    func subscription(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let s = try read(arguments, optionsAt: 1, call: "subscription") { client, account in
            try await client.subscription(account: account)
        }
        try results.push(LuaModels.table([
            ("accountName", LuaModels.text(s.accountName)), ("purchaseType", LuaModels.text(s.purchaseType)),
            ("licenseCount", s.licenseCount.map { .integer(Int64($0)) } ?? .nil),
            ("licenseUsedCount", s.licenseUsedCount.map { .integer(Int64($0)) } ?? .nil),
            ("updateTime", LuaModels.text(s.updateTime)),
        ]))
    }

    /// Every page of A10, with the guard against a cursor that does not move.
    func licenses(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let status = try read(arguments, optionsAt: 1, call: "licenses") { client, account in
            var walk = PageWalk(listing: "licence list")
            var all = LicenseStatus()
            while let cursor = try walk.nextCursor() {
                let page = try await client.licenseStatus(account: account, startIndex: cursor)
                all.accountName = page.accountName
                all.totalLicenses = page.totalLicenses
                all.assignedLicenses = page.assignedLicenses
                all.deviceList += page.deviceList
                walk.accept(hasMore: page.hasMoreData, next: page.lastSeenDeviceId)
            }
            return all
        }
        try results.push(LuaModels.table([
            ("accountName", LuaModels.text(status.accountName)),
            ("totalLicenses", status.totalLicenses.map { .integer(Int64($0)) } ?? .nil),
            ("assignedLicenses", status.assignedLicenses.map { .integer(Int64($0)) } ?? .nil),
            ("devices", .array(status.deviceList.map {
                LuaModels.table([("deviceId", .string($0.deviceId)), ("assignmentTime", LuaModels.text($0.assignmentTime))])
            })),
        ]))
    }

    func licensesToRemove(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let list = try read(arguments, optionsAt: 1, call: "licensesToRemove") { client, account in
            try await client.licensesToRemove(account: account)
        }
        try results.push(LuaModels.table([
            ("count", .integer(Int64(list.count))), ("updateTime", LuaModels.text(list.updateTime)),
            ("devices", LuaModels.strings(list.deviceList)),
        ]))
    }

    // MARK: - Changes

    /// fota.assignLicenses / fota.removeLicenses(devices [, opts]), sent in batches of 1,000.
    func changeLicences(assign: Bool, _ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let call = assign ? "assignLicenses" : "removeLicenses"
        let devices = try arguments.deviceList(1)
        let options = try arguments.options(2, allowed: ["account"])
        let account = try arguments.account(options, position: 2, runtime: runtime, callName: call)
        let stop = arguments.stopSignal
        let runtime = self.runtime
        let succeeded = assign ? "LicenseAssignSuccess" : "LicenseRemoveSuccess"
        try perform(Change<LicenceChangeOutcome>(
            call: call,
            intent: ["account": .string(account), "devices": LuaModels.strings(devices.input)],
            dryRun: {
                runtime.plan.recordAccountChange(
                    "\(assign ? "assign" : "remove") licences of \(devices.deviceIds.count) device\(devices.deviceIds.count == 1 ? "" : "s") "
                        + "(account \(account)): \(DryRunPlan.shortList(devices.deviceIds))")
                let predicted = devices.deviceIds.map { LicenseDeviceResult(deviceId: $0, status: succeeded, reason: "dry run: not sent") }
                return (["result": "dry run: not sent"],
                        Self.licenceResult(LicenceChangeOutcome(account: account, devices: predicted), devices: devices, dryRun: true))
            },
            send: {
                let client = try runtime.requireClient(call)
                return try waitFor(stop, call: "fota.\(call)") {
                    var outcome = LicenceChangeOutcome(account: account, devices: [])
                    for start in stride(from: 0, to: devices.deviceIds.count, by: ThingSpaceClient.licenceBatchSize) {
                        let batch = Array(devices.deviceIds[start..<min(start + ThingSpaceClient.licenceBatchSize, devices.deviceIds.count)])
                        do {
                            let answer = try await client.changeLicenses(assign: assign, account: account, devices: batch)
                            outcome.devices += answer.deviceList
                            outcome.licenseCount = answer.licCount
                            outcome.licenseUsedCount = answer.licUsedCount
                        } catch let error as ThingSpaceError where !outcome.devices.isEmpty {
                            // Earlier batches were applied: report them, and what was not sent.
                            outcome.refusal = error
                            outcome.notSent = Array(devices.deviceIds[start...])
                            break
                        }
                    }
                    return outcome
                }
            },
            outcome: { outcome in
                var fields: [String: LuaValue] = [
                    "outcome": .array(outcome.devices.map {
                        LuaModels.table([("deviceId", .string($0.deviceId)), ("status", LuaModels.text($0.status)), ("reason", LuaModels.text($0.reason))])
                    }),
                ]
                if !outcome.notSent.isEmpty { fields["notSent"] = LuaModels.strings(outcome.notSent) }
                if let refusal = outcome.refusal { fields["error"] = .string("\(refusal)") }
                let done = outcome.devices.filter(\.succeeded).count
                return (fields, "\(done) of \(devices.deviceIds.count) devices succeeded, \(outcome.notSent.count) not sent")
            },
            result: { outcome in
                if let refusal = outcome.refusal {
                    var error = FotaCallError(call: call, refusal)
                    error.message += "; \(outcome.devices.count) of \(devices.deviceIds.count) devices had been sent before the refusal (see the journal)"
                    throw error
                }
                return Self.licenceResult(outcome, devices: devices, dryRun: false)
            }), &results)
    }

    /// fota.setLicensesToRemove(devices [, {append = true, account =}]).
    func setLicencesToRemove(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let call = "setLicensesToRemove"
        let devices = try arguments.deviceList(1)
        guard devices.deviceIds.count <= ThingSpaceClient.licenceBatchSize else {
            throw LuaArgumentError(1, "at most \(ThingSpaceClient.licenceBatchSize) devices per call (use {append = true} for more), got \(devices.deviceIds.count)")
        }
        let options = try arguments.options(2, allowed: ["account", "append"])
        let account = try arguments.account(options, position: 2, runtime: runtime, callName: call)
        let append: Bool
        switch options["append"] {
        case nil, .nil?: append = false
        case .boolean(let b)?: append = b
        case let other?: throw LuaArgumentError(2, "opts.append must be a boolean, got \(other.typeName)")
        }
        let stop = arguments.stopSignal
        let runtime = self.runtime
        try perform(Change<LicensesToRemove>(
            call: call,
            intent: ["account": .string(account), "devices": LuaModels.strings(devices.input), "append": .boolean(append)],
            dryRun: {
                runtime.plan.recordAccountChange(
                    "\(append ? "add to" : "replace") the list of licences to remove (account \(account)) "
                        + "\(append ? "" : "with ")\(devices.deviceIds.count) device\(devices.deviceIds.count == 1 ? "" : "s"): "
                        + DryRunPlan.shortList(devices.deviceIds))
                return (["result": "dry run: not sent"],
                        LuaModels.table([("devices", LuaModels.strings(devices.deviceIds)), ("dryRun", .boolean(true))]))
            },
            send: {
                let client = try runtime.requireClient(call)
                return try waitFor(stop, call: "fota.\(call)") {
                    try await client.setLicensesToRemove(account: account, devices: devices.deviceIds, append: append)
                }
            },
            outcome: { list in (["count": .integer(Int64(list.count))], "the list now holds \(list.count) devices") },
            result: { list in
                LuaModels.table([("count", .integer(Int64(list.count))), ("devices", LuaModels.strings(list.deviceList))])
            }), &results)
    }

    /// fota.clearLicensesToRemove([opts]).
    func clearLicencesToRemove(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        try accountSwitch("clearLicensesToRemove", arguments, planned: "empty the list of licences to remove",
                          done: "the list was emptied", send: { client, account in try await client.clearLicensesToRemove(account: account) },
                          &results)
    }

    /// `{accountName, licenseCount, licenseUsedCount, devices = {{deviceId, status, reason, outcome}…}, succeeded, failed, warnings}`:
    /// one entry per distinct device in input order; a repeat is sent once and named in warnings.
    static func licenceResult(_ outcome: LicenceChangeOutcome, devices: PreparedDevices, dryRun: Bool) -> LuaValue {
        var byDevice: [String: LicenseDeviceResult] = [:]
        for entry in outcome.devices { byDevice[entry.deviceId] = entry }
        var entries: [LuaValue] = []
        var succeeded: [LuaValue] = []
        var failed: [LuaValue] = []
        for deviceId in devices.deviceIds {
            let entry = byDevice[deviceId]
            let ok = entry?.succeeded == true
            if ok { succeeded.append(.string(deviceId)) } else { failed.append(.string(deviceId)) }
            entries.append(LuaModels.table([
                ("deviceId", .string(deviceId)), ("status", LuaModels.text(entry?.status ?? "NoAnswer")),
                ("reason", LuaModels.text(entry?.reason ?? "ThingSpace's answer did not list this device")),
                ("outcome", .string(ok ? "succeeded" : "failed")),
            ]))
        }
        let warnings = devices.duplicates.map { LuaValue.string("device #\($0.position) \($0.deviceId) repeats device #\($0.firstPosition); sent once") }
            + devices.warnings.map { LuaValue.string("device #\($0.position) \($0.deviceId): \($0.message)") }
        return LuaModels.table([
            ("accountName", .string(outcome.account)),
            ("licenseCount", outcome.licenseCount.map { .integer(Int64($0)) } ?? .nil),
            ("licenseUsedCount", outcome.licenseUsedCount.map { .integer(Int64($0)) } ?? .nil),
            ("devices", .array(entries)), ("succeeded", .array(succeeded)), ("failed", .array(failed)),
            ("warnings", .array(warnings)), ("dryRun", dryRun ? .boolean(true) : .nil),
        ])
    }
}

/// What a licence change sent and heard back, batch by batch.
struct LicenceChangeOutcome: Sendable {
    var account: String
    var devices: [LicenseDeviceResult]
    var licenseCount: Int?
    var licenseUsedCount: Int?
    /// The error that stopped a later batch (earlier ones were applied).
    var refusal: ThingSpaceError?
    var notSent: [String] = []
}
