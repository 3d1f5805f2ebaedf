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
    /// `argument`: the position of the call's argument the devices were read from.
    static func dryRunChange(_ type: DeviceChangeType, account: String, upgradeId: String, devices: PreparedDevices,
                             argument: Int, verdict: (String) -> DryRunVerdict) -> ChangeTable {
        let status = type == .append ? "AddDeviceSucceed" : "RemoveDeviceSucceed"
        return changeTable(type, devices, upgradeId: upgradeId, account: account, dryRun: true, argument: argument, shape: { distinct in
            switch verdict(devices.deviceIds[distinct]) {
            case .changes: DeviceEntry(outcome: .succeeded, status: status, reason: "dry run: not sent")
            case .unchanged(let reason): DeviceEntry(outcome: .unchanged, status: "Unchanged", reason: reason)
            case .rejected(let reason): DeviceEntry(outcome: .failed, status: "Device Rejected", reason: reason)
            }
        }, entry: { entry, _ in entry })
    }

    /// What a dry run predicts for one device of an append or remove.
    enum DryRunVerdict {
        case changes
        case unchanged(String)
        case rejected(String)
    }

    /// The result of fota.append/remove; `argument`: the position of the call's argument the
    /// devices were read from.
    static func change(_ result: BulkChangeResult, argument: Int) -> ChangeTable {
        // Grouped by the outcome's stored numbers: the texts are read once a distinct outcome.
        changeTable(result.type, result.devices, upgradeId: result.upgradeId, account: result.account, dryRun: false,
                    argument: argument, shape: result.outcomeShape) { _, distinct in
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
    struct DeviceEntry: Hashable {
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
    /// and a warning, the rest what `entry(shape(i), i)` says of the device `devices.deviceIds[i]`,
    /// asked once a distinct `shape`.
    private static func changeTable<Shape: Hashable>(
        _ type: DeviceChangeType, _ devices: PreparedDevices, upgradeId: String, account: String, dryRun: Bool,
        argument: Int, shape: (Int) -> Shape, entry: (Shape, Int) -> DeviceEntry
    ) -> ChangeTable {
        // Devices share a few entries: each distinct one is kept once, a device holds its index
        // (4 bytes, where an entry of its own took 40: a million devices' result stays small).
        var entries: [DeviceEntry] = []
        var known: [Shape: UInt32] = [:]
        var entryOf: [UInt32] = []
        entryOf.reserveCapacity(devices.deviceIds.count)
        for distinct in devices.deviceIds.indices {
            let key = shape(distinct)
            if let index = known[key] {
                entryOf.append(index)
            } else {
                let index = UInt32(entries.count)
                entries.append(entry(key, distinct))
                known[key] = index
                entryOf.append(index)
            }
        }
        return ChangeTable(
            devices: devices, upgradeId: upgradeId, account: account, dryRun: dryRun, entries: entries, entryOf: entryOf,
            call: type == .append ? "fota.append" : "fota.remove", argument: argument)
    }

    /// The result of an append/remove (or its dry run), compact: its few distinct entries and one
    /// index into them a distinct device; `write` puts it into the call's results without a
    /// `LuaValue` or a tape slot per row.
    /// Its shape (docs/lua-api.md): `id`, `accountName`, `devices` (one row per input device:
    /// `deviceId`, `status`, `reason`, `outcome`; a read-only host row list whose rows are built
    /// when read), `succeeded`/`unchanged`/`failed` (IMEIs), `warnings`, and `dryRun` in a dry run.
    struct ChangeTable {
        let devices: PreparedDevices
        let upgradeId: String
        let account: String
        let dryRun: Bool
        /// The distinct entries of the devices.
        let entries: [DeviceEntry]
        /// By distinct device (`devices.deviceIds`): its index in `entries`.
        let entryOf: [UInt32]
        /// "fota.append" or "fota.remove": names the result's `devices` in errors.
        let call: String
        /// The position of the call's argument the devices were read from (a table of IMEIs).
        let argument: Int

        /// What building the result costs the script's memory, at most, for `count` input devices,
        /// `warnings` of them with a Luhn warning and `repeats` listed before. A device: on the tape,
        /// its packed row (8 bytes and its IMEI) and its place in a status list (a 24-byte slot and
        /// its IMEI), ~62 bytes; in Lua, its row list slot and shape index (20 bytes) and its status
        /// list slot (16), 36: 128 leaves room. A warning (~80 bytes of text) costs ~230 bytes, tape
        /// and Lua; a repeat has one and a shape of its own (three values, its reason) as well.
        /// Checked before the first request.
        static func bytes(devices count: Int, warnings: Int, repeats: Int) -> Int {
            count * 128 + warnings * 256 + repeats * 512 + 64 * 1024
        }

        func write(into results: inout LuaResults) {
            let input = devices.input
            var succeeded = 0, unchanged = 0, failed = 0
            for index in entryOf {
                switch entries[Int(index)].outcome {
                case .succeeded: succeeded += 1
                case .unchanged: unchanged += 1
                case .failed, .notSent: failed += 1
                }
            }
            // A row's shape (outcome, status, reason): its device's entry, or for a repeat one of
            // its own after them (its reason names its first position).
            var shapes: [[String?]] = entries.map { [outcomeWord($0.outcome), $0.status, $0.reason] }
            var repeatShapes: [Int: Int] = [:] // by input offset
            for repeated in devices.duplicates {
                repeatShapes[repeated.position - 1] = shapes.count
                shapes.append(["duplicate", "Duplicate", "listed before as device #\(repeated.firstPosition); sent once"])
            }
            // At once, so no buffer doubles: a device's packed row (8 bytes and its IMEI) and its
            // IMEI in one status list (a slot and its text).
            var idBytes = 0
            for id in input { idBytes += id.utf8.count }
            results.reserve(slots: entryOf.count + 3 * shapes.count + repeatShapes.count + devices.warnings.count + 64,
                            bytes: input.count * 8 + 2 * idBytes + 128 * (repeatShapes.count + devices.warnings.count) + 4096)
            // The IMEIs came from the call's argument `argument` (the rows in its order, the
            // lists at each device's first position): C reuses its strings.
            results.mirror(argument: argument)
            results.pushTable(fields: 8)
            results.push(key: "id"); results.push(string: upgradeId)
            results.push(key: "accountName"); results.push(string: account)
            results.push(key: "devices")
            results.pushRows(
                name: "\(call)'s result.devices", keys: ["deviceId", "outcome", "status", "reason"],
                shapes: shapes, ids: input
            ) { offset in repeatShapes[offset] ?? Int(entryOf[devices.distinctIndex(ofInput: offset)]) }
            // Each list in input order, each device once (at its first position).
            for (key, kinds, count) in [("succeeded", [DeviceOutcomeKind.succeeded], succeeded), ("unchanged", [.unchanged], unchanged),
                                        ("failed", [.failed, .notSent], failed)] {
                results.push(string: key)
                results.pushArray(count: count)
                for (distinct, index) in entryOf.enumerated() where kinds.contains(entries[Int(index)].outcome) {
                    results.push(string: devices.deviceIds[distinct], mirroring: devices.firstPosition(ofDistinct: distinct))
                }
            }
            // Positions from the client are 1-based, like Lua's.
            var warnings = devices.warnings.map { "device #\($0.position) \($0.deviceId): \($0.message)" }
            for offset in input.indices where devices.isRepeat(inputOffset: offset) {
                warnings.append("device #\(offset + 1) \(input[offset]) repeats device #\(devices.firstPosition(ofInput: offset)); sent once")
            }
            results.push(key: "warnings")
            results.pushArray(count: warnings.count)
            for warning in warnings { results.push(string: warning) }
            results.push(key: "dryRun")
            if dryRun { results.push(boolean: true) } else { results.pushNil() }
        }

        private static func push(_ text: String?, _ results: inout LuaResults) {
            if let text { results.push(string: text) } else { results.pushNil() }
        }
    }
}
