import Foundation
import LuaHost
import ThingSpace

/// What each change does in a dry run: check it against what ThingSpace holds now (reads only,
/// cached for the run in `DryRunFacts`), record the difference in the plan, and give the script
/// the result it would have had. Without credentials nothing can be read: every device then
/// counts as a change.
extension FotaCalls {
    /// This run's reads (nil without credentials).
    private var dryRunFacts: DryRunFacts? {
        guard let client = runtime.client else { return nil }
        return runtime.plan.facts { DryRunFacts(client: client) }
    }

    func planDeviceChange(_ type: DeviceChangeType, account: String, upgradeId: String, devices: PreparedDevices,
                          stop: LuaStopSignal) throws -> (fields: [String: LuaValue], result: any CallResult) {
        let call = type == .append ? "append" : "remove"
        let reader = DryRunFacts.Reader(call: "fota.\(call)", stop: { stop.isRequested })
        let plan = runtime.plan
        let planned = plan.plannedUpgrade(upgradeId)
        var known = Set<String>()
        var image: Firmware?
        var licenceRequired = false
        var holders: [String: String] = [:]
        let facts = dryRunFacts
        if let facts {
            if let planned {
                image = try facts.firmware(account, reader)[planned.step.firmwareName ?? ""]
            } else {
                let upgrade = try facts.upgrade(account, upgradeId, reader)
                try Self.refuseIfStarted(upgrade, call: call)
                plan.note(account: account, upgrade: upgradeId, try facts.upgradeFacts(account, upgradeId, reader))
                known = try facts.members(account, upgradeId, reader)
                image = try facts.firmware(account, reader)[upgrade.firmwareName ?? ""]
            }
            holders = try facts.holders(account, reader)
            if type == .append {
                licenceRequired = try facts.licenceRequired(account, reader)
                plan.note(account: account, licenceRequired: licenceRequired)
            }
        }
        let members = plan.members(upgradeId) ?? (planned.map { Set($0.devices.map(\.id)) } ?? known)
        var step = PlanStep(call: call, account: account)
        step.upgradeId = upgradeId
        var verdicts: [String: LuaModels.DryRunVerdict] = [:]
        for device in devices.deviceIds {
            let member = members.contains(device)
            if facts != nil, planned == nil { plan.note(account: account, upgrade: upgradeId, device: device, member: known.contains(device)) }
            if type == .remove {
                if member { step.devices.append(device); verdicts[device] = .changes } else {
                    step.unchanged.append(device)
                    verdicts[device] = .unchanged("Device not in upgrade")
                }
                continue
            }
            if member {
                step.unchanged.append(device)
                verdicts[device] = .unchanged("Device already in upgrade")
                continue
            }
            step.devices.append(device)
            verdicts[device] = .changes
            guard let facts else { continue }
            if let reason = try rejection(of: device, account: account, image: image, licenceRequired: licenceRequired,
                                          holderAllowed: upgradeId, facts: facts, reader: reader) {
                step.rejected.append(.init(deviceId: device, reason: reason))
                verdicts[device] = .rejected(reason)
            }
        }
        plan.apply(step, startingFrom: members, holders: holders)
        return (["result": "dry run: not sent", "planned": .integer(Int64(step.devices.count)),
                 "unchanged": .integer(Int64(step.unchanged.count)), "rejected": .integer(Int64(step.rejected.count))],
                LuaModels.dryRunChange(type, account: account, upgradeId: upgradeId, devices: devices,
                                       argument: Self.deviceListArgument) { verdicts[$0] ?? .changes })
    }

    /// The reason validation would reject `device` (R1–R5), with the plan's earlier steps counted
    /// (a device a planned step took is held by that step's upgrade); nil when it would pass.
    private func rejection(of device: String, account: String, image: Firmware?, licenceRequired: Bool,
                           holderAllowed: String?, facts: DryRunFacts,
                           reader: DryRunFacts.Reader) throws -> String? {
        var deviceFacts = try facts.deviceFacts(account, device, reader)
        runtime.plan.note(account: account, device: device, deviceFacts)
        if let planned = runtime.plan.plannedHolder(device) { deviceFacts.heldBy = planned }
        return DryRunFacts.rejection(deviceFacts, image: image, licenceRequired: licenceRequired, holderAllowed: holderAllowed)
    }

    func planSchedule(account: String, firmwareName: String, firmwareTo: String, startDate: String, endDate: String,
                      endDateDefaulted: Bool, devices: [String], stop: LuaStopSignal) throws -> (fields: [String: LuaValue], result: any CallResult) {
        var step = PlanStep(call: "schedule", account: account)
        (step.firmwareName, step.firmwareTo, step.startDate, step.endDate) = (firmwareName, firmwareTo, startDate, endDate)
        step.endDateDefaulted = endDateDefaulted
        var seen = Set<String>()
        step.devices = devices.filter { seen.insert($0).inserted }
        var listed: [(id: String, status: String, reason: String?)] = step.devices.map { ($0, "RequestPending", nil) }
        if let facts = dryRunFacts {
            let reader = DryRunFacts.Reader(call: "fota.schedule", stop: { stop.isRequested })
            let image = try facts.firmware(account, reader)[firmwareName]
            if image == nil {
                step.problem = "firmware \(quoted(firmwareName)) is not among the account's images (Invalid firmware name)"
            } else if image?.toVersion != firmwareTo {
                step.problem = "firmwareTo \(quoted(firmwareTo)) is not the image's toVersion \(quoted(image?.toVersion ?? ""))"
                    + " (Invalid firmwareTo version)"
            }
            let licenceRequired = try facts.licenceRequired(account, reader)
            runtime.plan.note(account: account, licenceRequired: licenceRequired)
            for index in listed.indices {
                if let reason = try rejection(of: listed[index].id, account: account, image: image, licenceRequired: licenceRequired,
                                              holderAllowed: nil, facts: facts, reader: reader) {
                    step.rejected.append(.init(deviceId: listed[index].id, reason: reason))
                    listed[index] = (listed[index].id, "Device Rejected", reason)
                }
            }
        }
        let placeholder = runtime.plan.recordSchedule(step, devices: listed)
        return (["result": "dry run: not sent", "upgradeId": .string(placeholder), "rejected": .integer(Int64(step.rejected.count))],
                plannedUpgradeTable(placeholder)!)
    }

    /// The upgrade a dry-run schedule planned, as fota.upgrade would show it, marked `dryRun`;
    /// nil when `upgradeId` is no placeholder of this run.
    func plannedUpgradeTable(_ upgradeId: String) -> LuaValue? {
        guard let planned = runtime.plan.plannedUpgrade(upgradeId) else { return nil }
        let step = planned.step
        let simulated = FirmwareUpgrade(
            id: step.placeholderId ?? upgradeId, accountName: step.account, firmwareName: step.firmwareName,
            firmwareTo: step.firmwareTo, startDate: step.startDate, endDate: step.endDate, status: .requestPending,
            deviceList: planned.devices.map { UpgradeDevice(deviceId: $0.id, status: $0.status, resultReason: $0.reason) })
        guard case .map(var entries) = LuaModels.upgrade(simulated) else { return nil }
        entries[.string("dryRun")] = .boolean(true)
        return .map(entries)
    }

    func planCancel(account: String, upgradeId: String, stop: LuaStopSignal) throws -> (fields: [String: LuaValue], result: any CallResult) {
        var step = PlanStep(call: "cancel", account: account)
        step.upgradeId = upgradeId
        var members = Set<String>()
        var holders: [String: String] = [:]
        if let facts = dryRunFacts, !runtime.plan.isPlaceholder(upgradeId) {
            let reader = DryRunFacts.Reader(call: "fota.cancel", stop: { stop.isRequested })
            let upgrade = try facts.upgrade(account, upgradeId, reader)
            try Self.refuseIfStarted(upgrade, call: "cancel")
            runtime.plan.note(account: account, upgrade: upgradeId, try facts.upgradeFacts(account, upgradeId, reader))
            members = try facts.members(account, upgradeId, reader)
            holders = try facts.holders(account, reader)
        }
        runtime.plan.recordCancel(step, members: members, holders: holders)
        return (["result": "dry run: not sent"],
                LuaModels.table([("success", .boolean(true)), ("id", .string(upgradeId)), ("dryRun", .boolean(true))]))
    }

    /// ThingSpace refuses changes once an upgrade has started (T7): so does the dry run.
    static func refuseIfStarted(_ upgrade: FirmwareUpgrade, call: String) throws {
        if let status = upgrade.status, status != .requestPending, status != .queued {
            throw FotaCallError(
                call: call, code: "NOT_CHANGEABLE",
                message: "upgrade \(upgrade.id) is \(status.rawValue): ThingSpace refuses changes once an upgrade has started or ended")
        }
    }
}
