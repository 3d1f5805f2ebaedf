import Foundation
import LuaHost
import Synchronization
import ThingSpace

/// What campaigns at fleet scale need besides changes: fota.state, fota.busy, fota.histories,
/// and the journal line fota.rollout writes at each decision.
extension FotaCalls {
    // MARK: - fota.state

    private func stateName(_ arguments: borrowing LuaArguments, call: String) throws -> String {
        let name = try arguments.requiredString(1, what: "state name")
        if let problem = CampaignState.problem(withName: name) {
            throw LuaArgumentError(1, "state name \(quoted(name)) \(problem)")
        }
        return name
    }

    func stateGet(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let name = try stateName(arguments, call: "state.get")
        let value: LuaValue?
        do { value = try runtime.activeState.get(name, budget: arguments.budget) } catch let error as StateError {
            throw FotaCallError(call: "state.get", code: "STATE", message: error.description)
        }
        try results.push(value ?? .nil)
    }

    func statePut(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let name = try stateName(arguments, call: "state.put")
        let value = try arguments.value(2)
        do {
            try runtime.activeState.put(name, value, persist: runtime.settings.mode == .live, budget: arguments.budget)
        } catch let error as StateError {
            throw FotaCallError(call: "state.put", code: "STATE", message: error.description)
        }
    }

    // MARK: - fota.busy

    /// The statuses of upgrades that hold their devices: a device in one cannot join another.
    static let holdingStatuses: [UpgradeStatus] = [.requestPending, .queued, .inProgress]

    func busy(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let held = try read(arguments, optionsAt: 1, call: "busy") { client, account in
            var held: [String: String] = [:]
            for status in Self.holdingStatuses {
                for try await upgrade in try client.upgrades(account: account, status: status.rawValue) {
                    for device in upgrade.deviceList where held[device.deviceId] == nil { held[device.deviceId] = upgrade.id }
                }
            }
            return held
        }
        var entries: [LuaKey: LuaValue] = [:]
        for (imei, id) in held { entries[.string(LuaString(imei))] = .string(LuaString(id)) }
        try results.push(.map(entries))
    }

    // MARK: - fota.histories

    /// The devices of fota.histories, in order, without duplicates.
    private static func historyDevices(_ value: LuaValue) throws -> [String] {
        guard case .array(let items) = value else {
            if case .map(let entries) = value, entries.isEmpty { return [] }
            throw LuaArgumentError(1, "array of IMEI strings expected, got \(value.typeName)")
        }
        var seen = Set<String>()
        var devices: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let s) = item, (try? Validators.imei(s.description)) != nil else {
                throw LuaArgumentError(1, "devices[\(index + 1)] is not an IMEI (15 digits)")
            }
            if seen.insert(s.description).inserted { devices.append(s.description) }
        }
        return devices
    }

    func histories(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let devices = try Self.historyDevices(try arguments.value(1))
        let options = try arguments.options(2, allowed: ["account"])
        let account = try arguments.account(options, position: 2, runtime: runtime, callName: "histories")
        let client = try runtime.requireClient("histories")
        let concurrency = max(1, runtime.settings.concurrency)
        let progress = runtime.settings.showProgress && devices.count > concurrency ? ProgressBar(label: "fota.histories") : nil
        defer { progress?.finish() }
        let total = devices.count
        // One request per device, `concurrency` in flight; a device's failure is its own.
        let answers = try waitFor(arguments.stopSignal, call: "fota.histories") {
            try await withThrowingTaskGroup(of: (Int, Result<[DeviceUpgradeHistory], ThingSpaceError>).self) { group in
                var answers = [Result<[DeviceUpgradeHistory], ThingSpaceError>?](repeating: nil, count: total)
                var next = 0, finished = 0
                func start(_ index: Int) {
                    let imei = devices[index]
                    group.addTask {
                        do { return (index, .success(try await client.deviceHistory(account: account, deviceId: imei))) }
                        catch let error as ThingSpaceError { return (index, .failure(error)) }
                    }
                }
                while next < min(concurrency, total) { start(next); next += 1 }
                while let (index, answer) = try await group.next() {
                    answers[index] = answer
                    finished += 1
                    progress?.update(done: finished, total: total)
                    if next < total { start(next); next += 1 }
                }
                return answers
            }
        }
        var found: [LuaKey: LuaValue] = [:]
        var failed: [LuaKey: LuaValue] = [:]
        for (index, answer) in answers.enumerated() {
            let key = LuaKey.string(LuaString(devices[index]))
            switch answer {
            case .success(let list)?:
                found[key] = .array(list.map(LuaModels.history))
            case .failure(let error)?:
                failed[key] = FotaCallError(call: "histories", error).luaErrorValue
            case nil:
                break // not reached: every task answers before the group ends
            }
        }
        try results.push(.map(found))
        try results.push(.map(failed))
    }

    // MARK: - fota.rollout's journal lines

    /// `__note(fields)`: a `decision` line in the journal (fota.rollout's gates and halts).
    /// Nothing is written in a dry run's journal beyond what dry runs write anyway.
    func note(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        guard case .map(let entries) = try arguments.value(1) else { throw LuaArgumentError(1, "table expected") }
        var fields: [String: LuaValue] = [:]
        for (key, value) in entries { if case .string(let name) = key { fields[name.description] = value } }
        try runtime.record("rollout", phase: "decision", fields)
    }
}
