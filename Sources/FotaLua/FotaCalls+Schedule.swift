import Foundation
import LuaHost
import ThingSpace

/// fota.schedule and fota.cancel.
extension FotaCalls {

    func schedule(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        guard arguments.typeName(1) == "table" else {
            throw LuaArgumentError(1, "table with firmwareName, firmwareTo, startDate and devices expected, got \(arguments.typeName(1))")
        }
        let fields = try arguments.options(
            1, allowed: ["firmwareName", "firmwareTo", "startDate", "endDate", "devices", "account", "key"])
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
        let givenEndDate = try text("endDate", required: false)
        for (name, value) in [("startDate", startDate), ("endDate", givenEndDate ?? "")] where !value.isEmpty {
            do { try Validators.date(value, field: name) } catch {
                throw LuaArgumentError(1, "field '\(name)' \(quoted(value)) is not a date (YYYY-MM-DD)")
            }
        }
        // An upgrade always gets an end: without one ThingSpace would keep trying devices for as long as it likes.
        let endDate = try givenEndDate ?? Self.defaultEndDate(after: startDate)
        if endDate < startDate { // YYYY-MM-DD compares as text
            throw LuaArgumentError(1, "field 'endDate' \(quoted(endDate)) is before startDate \(quoted(startDate))")
        }
        let devices = try Self.devices(fields["devices"], position: 1)
        let account = try arguments.account(fields, position: 1, runtime: runtime, callName: "schedule")
        let request = UpgradeRequest(
            accountName: account, firmwareName: firmwareName, firmwareTo: firmwareTo, startDate: startDate,
            endDate: endDate, deviceList: devices)
        let key = try text("key", required: false)
        if let key, let problem = Self.problem(withKey: key) { throw LuaArgumentError(1, "field 'key' \(problem)") }
        let stop = arguments.stopSignal
        try refuseIfReadOnly("schedule") // before the key's lookup: a read-only run never schedules, keyed or not
        if let key, let existing = try upgradeScheduled(underKey: key, request, stop: stop) {
            // Already scheduled under this key: nothing is sent, planned or journaled again.
            try results.push(Self.adding([("key", .string(key)), ("existing", .boolean(true))], to: LuaModels.upgrade(existing)))
            return
        }
        let runtime = self.runtime
        let endpoint = runtime.journalEndpoint
        var intent: [String: LuaValue] = [
            "account": .string(account), "firmwareName": .string(firmwareName), "firmwareTo": .string(firmwareTo),
            "startDate": .string(startDate), "endDate": LuaModels.text(endDate), "devices": LuaModels.strings(devices),
        ]
        if let key { intent["key"] = .string(key) }
        try perform(Change<FirmwareUpgrade>(
            call: "schedule",
            intent: intent,
            dryRun: {
                try self.planSchedule(
                    account: account, firmwareName: firmwareName, firmwareTo: firmwareTo, startDate: startDate,
                    endDate: endDate, endDateDefaulted: givenEndDate == nil, devices: devices, stop: stop)
            },
            send: {
                let client = try runtime.requireClient("schedule")
                // From here until the outcome is known the key is open: a retry in this run reads back.
                if let key { runtime.scheduleKeys.set(key, account: account, endpoint: endpoint, .init(request: request)) }
                let upgrade = try waitFor(stop, call: "fota.schedule") { try await client.scheduleUpgrade(request) }
                if let key {
                    runtime.scheduleKeys.set(key, account: account, endpoint: endpoint, .init(request: request, upgradeId: upgrade.id))
                }
                return upgrade
            },
            outcome: { upgrade in
                (["upgradeId": .string(upgrade.id), "status": LuaModels.text(upgrade.status?.rawValue)],
                 "upgrade \(upgrade.id) was scheduled")
            },
            result: { upgrade in
                let value = LuaModels.upgrade(upgrade)
                return key.map { Self.adding([("key", .string($0))], to: value) } ?? value
            }), &results)
    }

    /// Why a key is refused, or nil: keys are journaled and compared as given.
    static func problem(withKey key: String) -> String? {
        if key.isEmpty { return "is empty" }
        if key.utf8.count > 200 { return "is longer than 200 bytes" }
        if key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "contains a control character" }
        return nil
    }

    /// `value` (a table) with `fields` added.
    static func adding(_ fields: [(String, LuaValue)], to value: LuaValue) -> LuaValue {
        guard case .map(var entries) = value else { return value }
        for (name, field) in fields { entries[.string(LuaString(name))] = field }
        return .map(entries)
    }

    /// Days between startDate and the endDate fota.schedule sends when the script gives none.
    public static let defaultCampaignDays = 14

    /// startDate + `defaultCampaignDays`, as YYYY-MM-DD (UTC).
    static func defaultEndDate(after startDate: String) throws -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = startDate.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3,
            let start = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
            let end = calendar.date(byAdding: .day, value: defaultCampaignDays, to: start)
        else { throw LuaArgumentError(1, "field 'startDate' \(quoted(startDate)) is not a date (YYYY-MM-DD)") }
        let day = calendar.dateComponents([.year, .month, .day], from: end)
        return String(format: "%04d-%02d-%02d", day.year!, day.month!, day.day!)
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
        let stop = arguments.stopSignal
        let runtime = self.runtime
        try perform(Change<Bool>(
            call: "cancel",
            intent: ["account": .string(account), "upgradeId": .string(upgradeId)],
            dryRun: { try self.planCancel(account: account, upgradeId: upgradeId, stop: stop) },
            send: {
                let client = try runtime.requireClient("cancel")
                return try waitFor(stop, call: "fota.cancel") { try await client.cancelUpgrade(account: account, upgradeId: upgradeId) }
            },
            outcome: { success in
                (["success": .boolean(success)], success ? "the upgrade was cancelled" : "ThingSpace answered success = false")
            },
            result: { success in LuaModels.table([("success", .boolean(success)), ("id", .string(upgradeId))]) }), &results)
    }
}
