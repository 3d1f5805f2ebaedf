import LuaHost
import ThingSpace

/// ThingSpace models as Lua tables. Tables keep the wire names, except that
/// the three spellings of a device's reason (`Reason`, `resultReason`,
/// `reason`) all read `reason`.
enum LuaModels {
    static func table(_ fields: [(String, LuaValue)]) -> LuaValue {
        var entries: [LuaKey: LuaValue] = [:]
        for (key, value) in fields where value != .nil { entries[.string(LuaString(key))] = value }
        return .map(entries)
    }

    static func text(_ value: String?) -> LuaValue { value.map { .string($0) } ?? .nil }
    static func flag(_ value: Bool?) -> LuaValue { value.map { .boolean($0) } ?? .nil }
    static func strings(_ values: [String]) -> LuaValue { .array(values.map { .string($0) }) }

    static func upgrade(_ u: FirmwareUpgrade) -> LuaValue {
        table([
            ("id", .string(u.id)), ("accountName", text(u.accountName)), ("firmwareName", text(u.firmwareName)),
            ("firmwareTo", text(u.firmwareTo)), ("startDate", text(u.startDate)), ("endDate", text(u.endDate)),
            ("status", text(u.status?.rawValue)),
            ("deviceList", .array(u.deviceList.map { device in
                table([("deviceId", .string(device.deviceId)), ("status", text(device.status)), ("reason", text(device.resultReason))])
            })),
        ])
    }

    static func device(_ d: AccountDevice) -> LuaValue {
        table([
            ("deviceId", .string(d.deviceId)), ("mdn", text(d.mdn)), ("make", text(d.make)), ("model", text(d.model)),
            ("firmware", text(d.firmware)), ("fotaEligible", flag(d.fotaEligible)),
            ("licenseAssigned", flag(d.licenseAssigned)), ("upgradeTime", text(d.upgradeTime)),
        ])
    }

    static func firmware(_ f: Firmware) -> LuaValue {
        table([
            ("firmwareName", .string(f.firmwareName)), ("make", text(f.make)), ("model", text(f.model)),
            ("fromVersion", text(f.fromVersion)), ("toVersion", text(f.toVersion)),
            ("launchDate", text(f.launchDate)), ("releaseNote", text(f.releaseNote)),
        ])
    }

    static func history(_ h: DeviceUpgradeHistory) -> LuaValue {
        table([
            ("deviceId", .string(h.deviceId)), ("id", text(h.id)), ("accountName", text(h.accountName)),
            ("firmwareFrom", text(h.firmwareFrom)), ("firmwareTo", text(h.firmwareTo)), ("startDate", text(h.startDate)),
            ("upgradeStartTime", text(h.upgradeStartTime)), ("status", text(h.status)), ("reason", text(h.reason)),
        ])
    }

    /// What a dry-run append/remove returns: what a real call would, had
    /// ThingSpace accepted every device, marked `dryRun`.
    static func dryRunChange(_ type: DeviceChangeType, account: String, upgradeId: String, devices: [String]) -> LuaValue {
        let status = type == .append ? "AddDeviceSucceed" : "RemoveDeviceSucceed"
        return changeTable(input: devices, upgradeId: upgradeId, account: account, warnings: [], dryRun: true) { _ in
            (status, "dry run: not sent", true)
        }
    }

    /// The result of fota.append/remove. The client lists each distinct device once, in
    /// order of first appearance, so the i-th distinct input device is `result[i]`.
    static func change(_ result: BulkChangeResult, input: [String], dryRun: Bool) -> LuaValue {
        // Positions from the client are 1-based, like Lua's.
        let warnings = result.warnings.map { LuaValue.string("device #\($0.position) \($0.deviceId): \($0.message)") }
        return changeTable(
            input: input, upgradeId: result.upgradeId, account: result.account, warnings: warnings, dryRun: dryRun
        ) { distinct in
            let outcome = result[distinct]
            switch outcome.kind {
            case .succeeded: return (outcome.status, outcome.reason, true)
            case .failed: return (outcome.status, outcome.reason, false)
            case .notSent:
                if case .api(let refusal)? = outcome.error {
                    // ThingSpace answered and refused the whole batch: sent, not lost.
                    return ("Refused", refusal.errorMessage ?? refusal.description, false)
                }
                return ("NotSent", outcome.error.map { "not sent: \($0)" } ?? "not sent", false)
            }
        }
    }

    /// One entry per input device in input order; a repeated device gets a `Duplicate` entry
    /// and a warning, the rest what `outcome(i)` says of the i-th distinct device.
    private static func changeTable(
        input: [String], upgradeId: String, account: String, warnings: [LuaValue], dryRun: Bool,
        outcome: (Int) -> (status: String?, reason: String?, succeeded: Bool)
    ) -> LuaValue {
        var firstPosition: [String: Int] = [:]
        firstPosition.reserveCapacity(input.count)
        var devices: [LuaValue] = []
        devices.reserveCapacity(input.count)
        var succeeded: [LuaValue] = []
        var failed: [LuaValue] = []
        var warnings = warnings
        for (index, deviceId) in input.enumerated() {
            if let first = firstPosition[deviceId] {
                devices.append(table([
                    ("deviceId", .string(deviceId)), ("status", .string("Duplicate")),
                    ("reason", .string("listed before as device #\(first + 1); sent once")),
                ]))
                warnings.append(.string("device #\(index + 1) \(deviceId) repeats device #\(first + 1); sent once"))
                continue
            }
            let result = outcome(firstPosition.count)
            firstPosition[deviceId] = index
            if result.succeeded { succeeded.append(.string(deviceId)) } else { failed.append(.string(deviceId)) }
            devices.append(table([("deviceId", .string(deviceId)), ("status", text(result.status)), ("reason", text(result.reason))]))
        }
        return table([
            ("id", .string(upgradeId)), ("accountName", .string(account)), ("devices", .array(devices)),
            ("succeeded", .array(succeeded)), ("failed", .array(failed)), ("warnings", .array(warnings)),
            ("dryRun", dryRun ? .boolean(true) : .nil),
        ])
    }
}
