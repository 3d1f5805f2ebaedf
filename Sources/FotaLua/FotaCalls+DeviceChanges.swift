import Foundation
import LuaHost
import ThingSpace

/// fota.append and fota.remove: device changes of an upcoming upgrade, sent in batches.
extension FotaCalls {
    // MARK: - Changes

    func change(_ type: DeviceChangeType, _ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let call = type == .append ? "append" : "remove"
        let upgradeId = try arguments.upgradeId(1)
        let devices = try arguments.deviceList(2)
        let options = try arguments.options(3, allowed: ["account"])
        let account = try arguments.account(options, position: 3, runtime: runtime, callName: call)
        let stop = arguments.stopSignal
        let runtime = self.runtime
        try perform(Change<BulkChangeResult>(
            call: call,
            intent: ["account": .string(account), "upgradeId": .string(upgradeId), "devices": LuaModels.strings(devices.input)],
            dryRun: { try self.planDeviceChange(type, account: account, upgradeId: upgradeId, devices: devices, stop: stop) },
            send: {
                let client = try runtime.requireClient(call)
                let progress = runtime.settings.showProgress && devices.deviceIds.count > runtime.settings.batchSize
                    ? ProgressBar(label: "fota.\(call)") : nil
                defer { progress?.finish() }
                var bulk = BulkOptions(batchSize: runtime.settings.batchSize, concurrency: runtime.settings.concurrency)
                if let progress {
                    bulk.progress = { @Sendable (update: BulkProgress) in progress.update(done: update.done, total: update.total) }
                }
                let options = bulk
                return try waitFor(stop, call: "fota.\(call)") {
                    try await client.changeDevices(type, account: account, upgradeId: upgradeId, devices: devices, options: options)
                }
            },
            outcome: { result in
                var fields: [String: LuaValue] = ["outcome": Self.journalOutcome(result)]
                if let refusal = result.refusal { fields["error"] = .string("\(refusal)") }
                return (fields, "\(result.succeededCount) of \(result.count) devices succeeded, \(result.failedCount) failed, "
                            + "\(result.notSentCount) not sent")
            },
            result: { result in
                if let refusal = result.refusal {
                    var error = FotaCallError(call: call, refusal)
                    if result.succeededCount > 0 {
                        error.message += "; \(result.succeededCount) of \(result.count) devices had been changed before the refusal (see the journal)"
                    }
                    throw error
                }
                if !result.allSucceeded {
                    UtilityModules.log(
                        "warn", "fota.\(call): \(result.succeededCount) of \(result.count) devices succeeded; \(result.count - result.succeededCount) did not (see the result's 'failed' list and each device's outcome)")
                }
                return LuaModels.change(result)
            }), &results)
    }

    /// Per device: id, outcome word, status and reason, as the journal keeps them.
    static func journalOutcome(_ result: BulkChangeResult) -> LuaValue {
        .array(result.map { outcome in
            LuaModels.table([
                ("deviceId", .string(outcome.deviceId)), ("outcome", .string(LuaModels.outcomeWord(outcome.kind))),
                ("status", LuaModels.text(outcome.status)), ("reason", LuaModels.text(outcome.reason)),
                ("error", outcome.error.map { .string("\($0)") } ?? .nil),
            ])
        })
    }
}
