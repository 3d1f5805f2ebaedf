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

    /// A field of a record written straight into a call's results (absent when nil).
    enum Field {
        case text(String?)
        case flag(Bool?)

        var isPresent: Bool {
            switch self {
            case .text(let value): value != nil
            case .flag(let value): value != nil
            }
        }

        var value: LuaValue {
            switch self {
            case .text(let value): LuaModels.text(value)
            case .flag(let value): LuaModels.flag(value)
            }
        }
    }

    /// A device as scripts see it: the one list of its fields, for `device` (a value) and
    /// `pushDevices` (written straight into a call's results).
    @inline(__always)
    static func deviceFields(_ d: AccountDevice, _ field: (StaticString, Field) -> Void) {
        field("deviceId", .text(d.deviceId))
        field("mdn", .text(d.mdn))
        field("make", .text(d.make))
        field("model", .text(d.model))
        field("firmware", .text(d.firmware))
        field("fotaEligible", .flag(d.fotaEligible))
        field("licenseAssigned", .flag(d.licenseAssigned))
        field("upgradeTime", .text(d.upgradeTime))
    }

    static func device(_ d: AccountDevice) -> LuaValue {
        var fields: [(String, LuaValue)] = []
        deviceFields(d) { key, field in fields.append((key.description, field.value)) }
        return table(fields)
    }

    /// Pushes `devices` as one array of device tables, written straight into the results: a
    /// `fota.devices()` loop gets a page of 1,000 of these per call, and building each as a
    /// `LuaValue` map (hashed keys, boxed values) cost more than the page's JSON.
    static func pushDevices(_ devices: [AccountDevice], into results: inout LuaResults) {
        results.pushArray(count: devices.count)
        for device in devices {
            var count = 0
            deviceFields(device) { _, field in if field.isPresent { count += 1 } }
            results.pushTable(fields: count)
            deviceFields(device) { key, field in
                switch field {
                case .text(let value?):
                    results.push(key: key)
                    results.push(string: value)
                case .flag(let value?):
                    results.push(key: key)
                    results.push(boolean: value)
                case .text(nil), .flag(nil):
                    break
                }
            }
        }
    }

    static func devicesPage(_ page: DeviceListPage) -> LuaValue {
        table([
            ("devices", .array(page.deviceList.map(device))), ("hasMore", .boolean(page.hasMoreData)),
            ("cursor", .string(page.lastSeenDeviceId)),
        ])
    }

    static func upgradesPage(_ page: UpgradeListPage) -> LuaValue {
        table([
            ("upgrades", .array(page.reportList.map(upgrade))), ("hasMore", .boolean(page.hasMoreFlag)),
            ("cursor", .string(page.lastSeenUpgradeId)),
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

    /// What a dry-run append/remove returns: what a real call would, marked `dryRun`: devices
    /// the plan changes are `succeeded`, devices already where the call would put them
    /// `unchanged`, devices ThingSpace would reject at validation `failed` with its reason.
    static func dryRunChange(_ type: DeviceChangeType, account: String, upgradeId: String, devices: PreparedDevices,
                             verdict: (String) -> DryRunVerdict) -> LuaValue {
        let status = type == .append ? "AddDeviceSucceed" : "RemoveDeviceSucceed"
        return changeTable(devices, upgradeId: upgradeId, account: account, dryRun: true) { distinct in
            switch verdict(devices.deviceIds[distinct]) {
            case .changes: DeviceEntry(outcome: .succeeded, status: status, reason: "dry run: not sent")
            case .unchanged(let reason): DeviceEntry(outcome: .unchanged, status: "Unchanged", reason: reason)
            case .rejected(let reason): DeviceEntry(outcome: .failed, status: "Device Rejected", reason: reason)
            }
        }
    }

    /// What a dry run predicts for one device of an append or remove.
    enum DryRunVerdict {
        case changes
        case unchanged(String)
        case rejected(String)
    }

    /// The result of fota.append/remove.
    static func change(_ result: BulkChangeResult) -> LuaValue {
        changeTable(result.devices, upgradeId: result.upgradeId, account: result.account, dryRun: false) { distinct in
            let outcome = result[distinct]
            switch outcome.kind {
            case .succeeded, .failed: return DeviceEntry(outcome: outcome.kind, status: outcome.status, reason: outcome.reason)
            case .unchanged:
                // ThingSpace's own answer (e.g. `Device already in upgrade`) stays as the reason.
                return DeviceEntry(outcome: .unchanged, status: "Unchanged", reason: outcome.reason)
            case .notSent:
                return DeviceEntry(outcome: .notSent, status: "NotSent", reason: outcome.error.map { "not sent: \($0)" } ?? "not sent")
            }
        }
    }

    /// One device's line in a change result.
    struct DeviceEntry {
        var outcome: DeviceOutcomeKind
        var status: String?
        var reason: String?
    }

    /// The per-device outcome words, the same in the result table and in the journal.
    static func outcomeWord(_ kind: DeviceOutcomeKind) -> String {
        switch kind {
        case .succeeded: "succeeded"
        case .failed: "failed"
        case .notSent: "notSent"
        case .unchanged: "unchanged"
        }
    }

    /// One entry per input device in input order; a repeated device gets a `Duplicate` entry
    /// and a warning, the rest what `entry(i)` says of the device `devices.deviceIds[i]`.
    private static func changeTable(
        _ devices: PreparedDevices, upgradeId: String, account: String, dryRun: Bool, entry: (Int) -> DeviceEntry
    ) -> LuaValue {
        let input = devices.input
        var entries: [LuaValue] = []
        entries.reserveCapacity(input.count)
        var succeeded: [LuaValue] = []
        var unchanged: [LuaValue] = []
        var failed: [LuaValue] = []
        // Positions from the client are 1-based, like Lua's.
        var warnings = devices.warnings.map { LuaValue.string("device #\($0.position) \($0.deviceId): \($0.message)") }
        for (offset, deviceId) in input.enumerated() {
            if devices.isRepeat(inputOffset: offset) {
                let first = devices.firstPosition(ofInput: offset)
                entries.append(table([
                    ("deviceId", .string(deviceId)), ("status", .string("Duplicate")), ("outcome", .string("duplicate")),
                    ("reason", .string("listed before as device #\(first); sent once")),
                ]))
                warnings.append(.string("device #\(offset + 1) \(deviceId) repeats device #\(first); sent once"))
                continue
            }
            let result = entry(devices.distinctIndex(ofInput: offset))
            switch result.outcome {
            case .succeeded: succeeded.append(.string(deviceId))
            case .unchanged: unchanged.append(.string(deviceId))
            case .failed, .notSent: failed.append(.string(deviceId))
            }
            entries.append(table([
                ("deviceId", .string(deviceId)), ("status", text(result.status)), ("reason", text(result.reason)),
                ("outcome", .string(outcomeWord(result.outcome))),
            ]))
        }
        return table([
            ("id", .string(upgradeId)), ("accountName", .string(account)), ("devices", .array(entries)),
            ("succeeded", .array(succeeded)), ("unchanged", .array(unchanged)), ("failed", .array(failed)),
            ("warnings", .array(warnings)),
            ("dryRun", dryRun ? .boolean(true) : .nil),
        ])
    }
}
