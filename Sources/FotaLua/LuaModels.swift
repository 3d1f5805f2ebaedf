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
        var seen: [String: Int] = [:]
        var entries: [LuaValue] = []
        var succeeded: [LuaValue] = []
        var warnings: [LuaValue] = []
        for (index, deviceId) in devices.enumerated() {
            if let first = seen[deviceId] {
                entries.append(table([
                    ("deviceId", .string(deviceId)), ("status", .string("Duplicate")),
                    ("reason", .string("listed before as device #\(first + 1); sent once")),
                ]))
                warnings.append(.string("device #\(index + 1) \(deviceId) repeats device #\(first + 1); sent once"))
                continue
            }
            seen[deviceId] = index
            succeeded.append(.string(deviceId))
            entries.append(table([("deviceId", .string(deviceId)), ("status", .string(status)), ("reason", .string("dry run: not sent"))]))
        }
        return table([
            ("id", .string(upgradeId)), ("accountName", .string(account)), ("devices", .array(entries)),
            ("succeeded", .array(succeeded)), ("failed", .array([])), ("warnings", .array(warnings)), ("dryRun", .boolean(true)),
        ])
    }

    /// The result of fota.append/remove: one entry per input device in input order.
    static func change(_ result: BulkChangeResult, input: [String], dryRun: Bool) -> LuaValue {
        var outcomeByDevice: [String: DeviceOutcome] = [:]
        outcomeByDevice.reserveCapacity(result.count)
        for outcome in result { outcomeByDevice[outcome.deviceId] = outcome }
        var firstPosition: [String: Int] = [:]
        var devices: [LuaValue] = []
        devices.reserveCapacity(input.count)
        var succeeded: [LuaValue] = []
        var failed: [LuaValue] = []
        for (index, deviceId) in input.enumerated() {
            if let first = firstPosition[deviceId] {
                devices.append(table([
                    ("deviceId", .string(deviceId)), ("status", .string("Duplicate")),
                    ("reason", .string("listed before as device #\(first + 1); sent once")),
                ]))
                continue
            }
            firstPosition[deviceId] = index
            guard let outcome = outcomeByDevice[deviceId] else { continue }
            var reason = outcome.reason
            var status = outcome.status
            switch outcome.kind {
            case .succeeded: succeeded.append(.string(deviceId))
            case .failed: failed.append(.string(deviceId))
            case .notSent:
                failed.append(.string(deviceId))
                if case .api(let refusal)? = outcome.error {
                    // ThingSpace answered and refused the whole batch: sent, not lost.
                    status = "Refused"
                    reason = refusal.errorMessage ?? refusal.description
                } else {
                    status = "NotSent"
                    reason = outcome.error.map { "not sent: \($0)" } ?? "not sent"
                }
            }
            devices.append(table([("deviceId", .string(deviceId)), ("status", text(status)), ("reason", text(reason))]))
        }
        // Positions from the client are 1-based, like Lua's.
        let warnings = result.warnings.map { LuaValue.string("device #\($0.position) \($0.deviceId): \($0.message)") }
            + result.duplicates.map { .string("device #\($0.position) \($0.deviceId) repeats device #\($0.firstPosition); sent once") }
        return table([
            ("id", .string(result.upgradeId)), ("accountName", .string(result.account)), ("devices", .array(devices)),
            ("succeeded", .array(succeeded)), ("failed", .array(failed)), ("warnings", .array(warnings)),
            ("dryRun", dryRun ? .boolean(true) : .nil),
        ])
    }
}
