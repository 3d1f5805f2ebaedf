import Foundation
import LuaHost
import ThingSpace

/// What each change does in a dry run: read what can be read, record the step in the plan,
/// and give the script the result it would have had.
extension FotaCalls {
    func planDeviceChange(_ type: DeviceChangeType, account: String, upgradeId: String, devices: PreparedDevices,
                          stop: LuaStopSignal) throws -> (fields: [String: LuaValue], result: LuaValue) {
        let call = type == .append ? "append" : "remove"
        try checkChangeable(upgradeId, account: account, call: call, stop: stop)
        runtime.plan.record(.change(call: call, account: account, upgradeId: upgradeId, devices: devices.deviceIds))
        return (["result": "dry run: not sent"],
                LuaModels.dryRunChange(type, account: account, upgradeId: upgradeId, devices: devices))
    }

    func planSchedule(account: String, firmwareName: String, firmwareTo: String, startDate: String, endDate: String,
                      endDateDefaulted: Bool, devices: [String]) throws -> (fields: [String: LuaValue], result: LuaValue) {
        let placeholder = UUID().uuidString.lowercased()
        runtime.plan.record(.schedule(
            account: account, firmwareName: firmwareName, firmwareTo: firmwareTo, startDate: startDate,
            endDate: endDate, endDateDefaulted: endDateDefaulted, devices: Set(devices).count,
            placeholderId: placeholder))
        let simulated = FirmwareUpgrade(
            id: placeholder, accountName: account, firmwareName: firmwareName, firmwareTo: firmwareTo,
            startDate: startDate, endDate: endDate, status: .requestPending,
            deviceList: devices.map { UpgradeDevice(deviceId: $0, status: "RequestPending") })
        var table = LuaModels.upgrade(simulated)
        if case .map(var entries) = table {
            entries[.string("dryRun")] = .boolean(true)
            table = .map(entries)
        }
        return (["result": "dry run: not sent", "upgradeId": .string(placeholder)], table)
    }

    func planCancel(account: String, upgradeId: String, stop: LuaStopSignal) throws -> (fields: [String: LuaValue], result: LuaValue) {
        try checkChangeable(upgradeId, account: account, call: "cancel", stop: stop)
        runtime.plan.record(.cancel(account: account, upgradeId: upgradeId))
        return (["result": "dry run: not sent"],
                LuaModels.table([("success", .boolean(true)), ("id", .string(upgradeId)), ("dryRun", .boolean(true))]))
    }

    /// A dry run reads for real: the upgrade must exist and not have started,
    /// or the real call would be refused. Without credentials there is nothing to read.
    func checkChangeable(_ upgradeId: String, account: String, call: String, stop: LuaStopSignal) throws {
        guard let client = runtime.client, !runtime.plan.isPlaceholder(upgradeId) else { return }
        let upgrade = try waitFor(stop, call: "fota.\(call)") { try await client.upgrade(account: account, upgradeId: upgradeId) }
        if let status = upgrade.status, status != .requestPending, status != .queued {
            throw FotaCallError(
                call: call, code: "NOT_CHANGEABLE",
                message: "upgrade \(upgradeId) is \(status.rawValue): ThingSpace refuses changes once an upgrade has started or ended")
        }
    }
}
