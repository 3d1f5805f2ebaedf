import Foundation
import LuaHost
import ThingSpace

/// fota.append and fota.remove: device changes of an upcoming upgrade, sent in batches.
extension FotaCalls {
    // MARK: - Changes

    /// Where fota.append/fota.remove(upgradeId, devices, opts) take their device list.
    static let deviceListArgument = 2

    func change(_ type: DeviceChangeType, _ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let call = type == .append ? "append" : "remove"
        let upgradeId = try arguments.upgradeId(1)
        // Reading and checking a long device list takes a while before the first request: a run
        // that has not logged in yet does so meanwhile (it would next; a refusal is not retried).
        if runtime.settings.mode == .live { runtime.client?.logInEarly() }
        let devices = try arguments.deviceList(Self.deviceListArgument)
        let options = try arguments.options(3, allowed: ["account"])
        let account = try arguments.account(options, position: 3, runtime: runtime, callName: call)
        let stop = arguments.stopSignal
        let runtime = self.runtime
        let batches = (devices.deviceIds.count + runtime.settings.batchSize - 1) / max(1, runtime.settings.batchSize)
        // Once devices are sent, the result must be built whatever its size: its room in the
        // script's memory is held from before the first request, and a list too large for it is
        // refused before anything is sent.
        let reservation = runtime.settings.mode == .live ? try reserveResult(call, devices: devices, arguments.budget) : nil
        defer { reservation?.release() }
        var intent: [String: LuaValue] = [
            "account": .string(account), "upgradeId": .string(upgradeId),
            "deviceCount": .integer(Int64(devices.deviceIds.count)),
        ]
        // A live change lists its devices once, in its batches' intent lines; a dry run sends no
        // batch, so its one intent line lists them.
        if runtime.settings.mode == .dryRun {
            intent["devices"] = LuaModels.strings(devices.input)
        } else {
            intent["batches"] = .integer(Int64(batches))
        }
        try perform(Change<BulkChangeResult>(
            call: call,
            intent: intent,
            dryRun: { try self.planDeviceChange(type, account: account, upgradeId: upgradeId, devices: devices, stop: stop) },
            send: { journal in
                let client = try runtime.requireClient(call)
                let progress = runtime.settings.showProgress && devices.deviceIds.count > runtime.settings.batchSize
                    ? ProgressBar(label: "fota.\(call)") : nil
                defer { progress?.finish() }
                var bulk = BulkOptions(batchSize: runtime.settings.batchSize, concurrency: runtime.settings.concurrency)
                if let progress {
                    bulk.progress = { @Sendable (update: BulkProgress) in progress.update(done: update.done, total: update.total) }
                }
                bulk.willSendBatch = { batch in try journal.batchIntent(batch) }
                bulk.didFinishBatch = { report in try journal.batchOutcome(report) }
                let options = bulk
                return try waitFor(stop, call: "fota.\(call)") {
                    try await client.changeDevices(type, account: account, upgradeId: upgradeId, devices: devices, options: options)
                }
            },
            outcome: { result in
                var fields: [String: LuaValue] = [
                    "succeeded": .integer(Int64(result.succeededCount)), "unchanged": .integer(Int64(result.unchangedCount)),
                    "failed": .integer(Int64(result.failedCount)), "notSent": .integer(Int64(result.notSentCount)),
                ]
                if let refusal = result.refusal { fields["error"] = .string("\(refusal)") }
                return (fields, Self.summary(type, result))
            },
            result: { result in
                if let refusal = result.refusal {
                    var error = FotaCallError(call: call, refusal)
                    if result.succeededCount > 0 {
                        error.message += "; before the refusal: " + Self.summary(type, result)
                    }
                    throw error
                }
                if !result.allSucceeded {
                    UtilityModules.log(
                        "warn", "fota.\(call): \(Self.summary(type, result)) (see the result's 'failed' list and each device's outcome)")
                }
                reservation?.release()
                return LuaModels.change(result, argument: Self.deviceListArgument)
            }), &results)
    }

    /// Holds the memory the result of a change of `count` devices needs; refuses the change
    /// (code MEMORY, nothing sent) when the script's memory limit leaves no room for it.
    private func reserveResult(_ call: String, devices: PreparedDevices, _ budget: LuaMemoryBudget) throws -> LuaMemoryReservation {
        let count = devices.input.count
        let needed = LuaModels.ChangeTable.bytes(
            devices: count, warnings: devices.warnings.count, repeats: devices.duplicates.count)
        do { return try budget.reserve(needed) } catch {
            runtime.ledger.fail(call, devices: count) // for the end-of-run summary
            let (used, limit) = budget.standing
            func mib(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
            throw FotaCallError(
                call: call, code: "MEMORY",
                message: "the result of \(count) devices needs about \(mib(needed)) of the script's memory and only "
                    + "\(mib(max(0, limit - used))) of its \(mib(limit)) limit are free (--memory-limit); nothing was sent. "
                    + "Send the devices in smaller lists or raise the limit")
        }
    }

    /// "added 0, unchanged 20000, failed 0, not sent 0 of 20000 devices": the one wording of a
    /// change's counts (warning, refusal, journal).
    static func summary(_ type: DeviceChangeType, _ result: BulkChangeResult) -> String {
        "\(type == .append ? "added" : "removed") \(result.succeededCount), unchanged \(result.unchangedCount), "
            + "failed \(result.failedCount), not sent \(result.notSentCount) of \(result.count) devices"
    }
}
