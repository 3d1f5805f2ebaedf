import Foundation
import LuaHost
import ThingSpace

/// Installs `fota`, `json`, `log` and `files` in a sandboxed state. Host
/// tables are read-only; their functions are documented in `FotaDocs`
/// (the same text as docs/lua-api.md and fota.d.lua).
public enum FotaModule {
    public static func install(in state: LuaState, runtime: FotaRuntime) throws {
        _ = try state.run(Prelude.errorMetatable, chunkName: "=(fota)")
        let calls = Calls(runtime: runtime, errorMetatable: try state.reference(global: "__fota_error_mt"))
        try state.setGlobal("__fota_error_mt", .nil)

        var fota: [LuaKey: LuaValue] = [:]
        func add(_ name: String, _ function: @escaping LuaHostFunction) {
            fota[.string(LuaString(name))] = state.register(calls.guarded(name, function), doc: FotaDocs.fota[name], name: "fota." + name)
        }
        add("append") { try calls.change(.append, $0, &$1) }
        add("remove") { try calls.change(.remove, $0, &$1) }
        add("upgrade") { try calls.upgrade($0, &$1) }
        add("schedule") { try calls.schedule($0, &$1) }
        add("cancel") { try calls.cancel($0, &$1) }
        add("firmware") { try calls.firmware($0, &$1) }
        add("history") { try calls.history($0, &$1) }
        add("devicesPage") { try calls.devicesPage($0, &$1) }
        add("upgradesPage") { try calls.upgradesPage($0, &$1) }
        if let account = runtime.settings.defaultAccount { fota["account"] = .string(account) }
        fota["mode"] = .string(runtime.settings.mode == .live ? "live" : runtime.settings.mode == .dryRun ? "dry-run" : "read-only")
        fota["__name"] = .string("fota")
        try state.setGlobal("fota", .map(fota))
        try Helpers.install(in: state, runtime: runtime)
        _ = try state.run(Prelude.iterators, chunkName: "=(fota)")
        for name in ["fota", "json", "log", "files"] { try state.protectGlobal(name) }
    }
}

/// The host functions behind `fota.*`.
final class Calls {
    let runtime: FotaRuntime
    let errorMetatable: Int32

    init(runtime: FotaRuntime, errorMetatable: Int32) {
        self.runtime = runtime
        self.errorMetatable = errorMetatable
    }

    /// Gives API errors this state's error metatable, and client errors a Lua shape.
    func guarded(_ call: String, _ body: @escaping LuaHostFunction) -> LuaHostFunction {
        let metatable = errorMetatable
        return { arguments, results in
            do {
                try body(arguments, &results)
            } catch var error as FotaCallError {
                error.metatable = metatable
                throw error
            } catch let error as ThingSpaceError {
                var wrapped = FotaCallError(call: call, error)
                wrapped.metatable = metatable
                throw wrapped
            }
        }
    }

    private func refuseIfReadOnly(_ call: String) throws {
        if runtime.settings.mode == .readOnly {
            throw FotaCallError(call: call, code: "READ_ONLY", message: "fota.\(call) changes ThingSpace and this run is --read-only")
        }
    }

    func change(_ type: DeviceChangeType, _ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let call = type == .append ? "append" : "remove"
        let upgradeId = try arguments.upgradeId(1)
        let devices = try arguments.deviceList(2)
        let options = try arguments.options(3, allowed: ["account"])
        let account = try arguments.account(options, position: 3, runtime: runtime, callName: call)
        try refuseIfReadOnly(call)
        let base: [String: LuaValue] = [
            "account": .string(account), "upgradeId": .string(upgradeId), "devices": LuaModels.strings(devices),
        ]
        try runtime.record(call, phase: "intent", base)
        if runtime.settings.mode == .dryRun {
            try checkChangeable(upgradeId, account: account, call: call, stop: arguments.stopSignal)
            runtime.plan.record(.change(call: call, account: account, upgradeId: upgradeId, devices: devices))
            try runtime.record(call, phase: "outcome", base.merging(["result": "dry run: not sent"]) { $1 })
            try results.push(LuaModels.dryRunChange(type, account: account, upgradeId: upgradeId, devices: devices))
            return
        }
        let client = try runtime.requireClient(call)
        let progress = runtime.settings.showProgress && devices.count > runtime.settings.batchSize
            ? ProgressBar(label: "fota.\(call)") : nil
        var bulk = BulkOptions(batchSize: runtime.settings.batchSize, concurrency: runtime.settings.concurrency)
        if let progress {
            bulk.progress = { @Sendable (update: BulkProgress) in progress.update(done: update.done, total: update.total) }
        }
        let result: BulkChangeResult
        let bulkOptions = bulk
        do {
            result = try waitFor(arguments.stopSignal, call: "fota.\(call)") {
                try await client.changeDevices(type, account: account, upgradeId: upgradeId, devices: devices, options: bulkOptions)
            }
        } catch {
            progress?.finish()
            try? runtime.record(call, phase: "outcome", base.merging(["error": .string("\(error)")]) { $1 })
            throw error
        }
        progress?.finish()
        try runtime.record(call, phase: "outcome", base.merging(["outcome": Self.journalOutcome(result)]) { $1 })
        let table = LuaModels.change(result, input: devices, dryRun: false)
        if !result.allSucceeded {
            Helpers.log(
                "warn", "fota.\(call): \(result.succeededCount) of \(result.count) devices succeeded; \(result.count - result.succeededCount) did not (see the result's 'failed' list and each device's status)")
        }
        try results.push(table)
    }

    /// A dry run reads for real: the upgrade must exist and not have started,
    /// or the real call would be refused. Without credentials there is nothing to read.
    private func checkChangeable(_ upgradeId: String, account: String, call: String, stop: LuaStopSignal) throws {
        guard let client = runtime.client, !runtime.plan.isPlaceholder(upgradeId) else { return }
        let upgrade = try waitFor(stop, call: "fota.\(call)") { try await client.upgrade(account: account, upgradeId: upgradeId) }
        if let status = upgrade.status, status != .requestPending, status != .queued {
            throw FotaCallError(
                call: call, code: "NOT_CHANGEABLE",
                message: "upgrade \(upgradeId) is \(status.rawValue): ThingSpace refuses changes once an upgrade has started or ended")
        }
    }

    /// Per device: id, outcome kind, status and reason, as the journal keeps them.
    static func journalOutcome(_ result: BulkChangeResult) -> LuaValue {
        .array(result.map { outcome in
            let kind: String
            switch outcome.kind {
            case .succeeded: kind = "succeeded"
            case .failed: kind = "failed"
            case .notSent: kind = "notSent"
            }
            return LuaModels.table([
                ("deviceId", .string(outcome.deviceId)), ("outcome", .string(kind)),
                ("status", LuaModels.text(outcome.status)), ("reason", LuaModels.text(outcome.reason)),
                ("error", outcome.error.map { .string("\($0)") } ?? .nil),
            ])
        })
    }

    func upgrade(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let upgradeId = try arguments.upgradeId(1)
        let options = try arguments.options(2, allowed: ["account"])
        let account = try arguments.account(options, position: 2, runtime: runtime, callName: "upgrade")
        let client = try runtime.requireClient("upgrade")
        let upgrade = try waitFor(arguments.stopSignal, call: "fota.upgrade") {
            try await client.upgrade(account: account, upgradeId: upgradeId)
        }
        try results.push(LuaModels.upgrade(upgrade))
    }

    func schedule(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        guard arguments.typeName(1) == "table" else {
            throw LuaArgumentError(1, "table with firmwareName, firmwareTo, startDate and devices expected, got \(arguments.typeName(1))")
        }
        let fields = try arguments.options(
            1, allowed: ["firmwareName", "firmwareTo", "startDate", "endDate", "devices", "account"])
        func text(_ name: String, required: Bool = true) throws -> String? {
            switch fields[name] {
            case .string(let s)?: return s.description
            case nil where !required: return nil
            case nil: throw LuaArgumentError(1, "field '\(name)' is missing")
            case let other?: throw LuaArgumentError(1, "field '\(name)' must be a string, got \(other.typeName)")
            }
        }
        let firmwareName = try text("firmwareName")!
        let firmwareTo = try text("firmwareTo")!
        let startDate = try text("startDate")!
        let endDate = try text("endDate", required: false)
        for (name, value) in [("startDate", startDate), ("endDate", endDate ?? "")] where !value.isEmpty {
            do { try Validators.date(value, field: name) } catch {
                throw LuaArgumentError(1, "field '\(name)' \(quoted(value)) is not a date (YYYY-MM-DD)")
            }
        }
        if let endDate, endDate < startDate { // YYYY-MM-DD compares as text
            throw LuaArgumentError(1, "field 'endDate' \(quoted(endDate)) is before startDate \(quoted(startDate))")
        }
        let devices = try Self.devices(fields["devices"], position: 1)
        let account = try arguments.account(fields, position: 1, runtime: runtime, callName: "schedule")
        try refuseIfReadOnly("schedule")
        let request = UpgradeRequest(
            accountName: account, firmwareName: firmwareName, firmwareTo: firmwareTo, startDate: startDate,
            endDate: endDate, deviceList: devices)
        let base: [String: LuaValue] = [
            "account": .string(account), "firmwareName": .string(firmwareName), "firmwareTo": .string(firmwareTo),
            "startDate": .string(startDate), "endDate": LuaModels.text(endDate), "devices": LuaModels.strings(devices),
        ]
        try runtime.record("schedule", phase: "intent", base)
        if runtime.settings.mode == .dryRun {
            let placeholder = UUID().uuidString.lowercased()
            runtime.plan.record(.schedule(
                account: account, firmwareName: firmwareName, firmwareTo: firmwareTo, startDate: startDate,
                devices: Set(devices).count, placeholderId: placeholder))
            try runtime.record("schedule", phase: "outcome", base.merging(["result": "dry run: not sent", "upgradeId": .string(placeholder)]) { $1 })
            let simulated = FirmwareUpgrade(
                id: placeholder, accountName: account, firmwareName: firmwareName, firmwareTo: firmwareTo,
                startDate: startDate, endDate: endDate, status: .requestPending,
                deviceList: devices.map { UpgradeDevice(deviceId: $0, status: "RequestPending") })
            guard case .map(var table) = LuaModels.upgrade(simulated) else { return }
            table[.string("dryRun")] = .boolean(true)
            try results.push(.map(table))
            return
        }
        let client = try runtime.requireClient("schedule")
        let upgrade: FirmwareUpgrade
        do {
            upgrade = try waitFor(arguments.stopSignal, call: "fota.schedule") { try await client.scheduleUpgrade(request) }
        } catch {
            try? runtime.record("schedule", phase: "outcome", base.merging(["error": .string("\(error)")]) { $1 })
            throw error
        }
        try runtime.record("schedule", phase: "outcome", base.merging(["upgradeId": .string(upgrade.id), "status": LuaModels.text(upgrade.status?.rawValue)]) { $1 })
        try results.push(LuaModels.upgrade(upgrade))
    }

    static func devices(_ value: LuaValue?, position: Int) throws -> [String] {
        let items: [LuaValue]
        switch value {
        case .array(let elements)?: items = elements
        case .string?: items = [value!]
        case nil: throw LuaArgumentError(position, "field 'devices' is missing")
        default: throw LuaArgumentError(position, "field 'devices' must be an array of IMEI strings")
        }
        guard !items.isEmpty else { throw LuaArgumentError(position, "field 'devices' is empty") }
        return try items.enumerated().map { index, item in
            guard case .string(let s) = item else {
                throw LuaArgumentError(position, "devices[\(index + 1)] is a \(item.typeName), not an IMEI string")
            }
            guard (try? Validators.imei(s.description)) != nil else {
                throw LuaArgumentError(position, "devices[\(index + 1)] \(quoted(s.description)) is not an IMEI (15 digits)")
            }
            return s.description
        }
    }

    func cancel(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let upgradeId = try arguments.upgradeId(1)
        let options = try arguments.options(2, allowed: ["account"])
        let account = try arguments.account(options, position: 2, runtime: runtime, callName: "cancel")
        try refuseIfReadOnly("cancel")
        let base: [String: LuaValue] = ["account": .string(account), "upgradeId": .string(upgradeId)]
        try runtime.record("cancel", phase: "intent", base)
        if runtime.settings.mode == .dryRun {
            try checkChangeable(upgradeId, account: account, call: "cancel", stop: arguments.stopSignal)
            runtime.plan.record(.cancel(account: account, upgradeId: upgradeId))
            try runtime.record("cancel", phase: "outcome", base.merging(["result": "dry run: not sent"]) { $1 })
            try results.push(LuaModels.table([("success", .boolean(true)), ("id", .string(upgradeId)), ("dryRun", .boolean(true))]))
            return
        }
        let client = try runtime.requireClient("cancel")
        let success: Bool
        do {
            success = try waitFor(arguments.stopSignal, call: "fota.cancel") {
                try await client.cancelUpgrade(account: account, upgradeId: upgradeId)
            }
        } catch {
            try? runtime.record("cancel", phase: "outcome", base.merging(["error": .string("\(error)")]) { $1 })
            throw error
        }
        try runtime.record("cancel", phase: "outcome", base.merging(["success": .boolean(success)]) { $1 })
        try results.push(LuaModels.table([("success", .boolean(success)), ("id", .string(upgradeId))]))
    }

    func firmware(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let options = try arguments.options(1, allowed: ["account"])
        let account = try arguments.account(options, position: 1, runtime: runtime, callName: "firmware")
        let client = try runtime.requireClient("firmware")
        let list = try waitFor(arguments.stopSignal, call: "fota.firmware") { try await client.listFirmware(account: account) }
        try results.push(.array(list.map(LuaModels.firmware)))
    }

    func history(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let imei = try arguments.requiredString(1, what: "IMEI")
        guard (try? Validators.imei(imei)) != nil else { throw LuaArgumentError(1, "\(quoted(imei)) is not an IMEI (15 digits)") }
        let options = try arguments.options(2, allowed: ["account"])
        let account = try arguments.account(options, position: 2, runtime: runtime, callName: "history")
        let client = try runtime.requireClient("history")
        let list = try waitFor(arguments.stopSignal, call: "fota.history") {
            try await client.deviceHistory(account: account, deviceId: imei)
        }
        try results.push(.array(list.map(LuaModels.history)))
    }

    func devicesPage(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let cursor = arguments.isNil(1) ? "0" : try arguments.requiredString(1, what: "cursor")
        guard cursor == "0" || (try? Validators.imei(cursor)) != nil else {
            throw LuaArgumentError(1, "cursor \(quoted(cursor)) is neither \"0\" nor an IMEI from a previous page")
        }
        let options = try arguments.options(2, allowed: ["account"])
        let account = try arguments.account(options, position: 2, runtime: runtime, callName: "devices")
        let client = try runtime.requireClient("devices")
        let page = try waitFor(arguments.stopSignal, call: "fota.devices") {
            try await client.accountDevicesPage(account: account, startIndex: cursor)
        }
        try results.push(LuaModels.table([
            ("devices", .array(page.deviceList.map(LuaModels.device))), ("hasMore", .boolean(page.hasMoreData)),
            ("cursor", .string(page.lastSeenDeviceId)),
        ]))
    }

    func upgradesPage(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let status = try arguments.requiredString(1, what: "status")
        do { _ = try Validators.reportStatus(status) } catch {
            throw LuaArgumentError(1, "status \(quoted(status)) is not one of \(UpgradeStatus.reportable.map(\.rawValue).joined(separator: ", "))")
        }
        let cursor = arguments.isNil(2) ? "0" : try arguments.requiredString(2, what: "cursor")
        let options = try arguments.options(3, allowed: ["account"])
        let account = try arguments.account(options, position: 3, runtime: runtime, callName: "upgrades")
        let client = try runtime.requireClient("upgrades")
        let page = try waitFor(arguments.stopSignal, call: "fota.upgrades") {
            try await client.upgradesPage(account: account, status: status, startIndex: cursor)
        }
        try results.push(LuaModels.table([
            ("upgrades", .array(page.reportList.map(LuaModels.upgrade))), ("hasMore", .boolean(page.hasMoreFlag)),
            ("cursor", .string(page.lastSeenUpgradeId)),
        ]))
    }
}
