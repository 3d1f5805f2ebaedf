/// Campaign endpoints A3–A8 applied to the world. Each runs under the world mutex, after `tick()`.
extension World {
    /// Campaigns and reports return at most this many entries per page (a choice, like the device list: docs/thingspace-api.md P3).
    static let pageSize = 1000

    /// A3: validates the request synchronously; device checks happen later, at validation time.
    mutating func schedule(_ request: FirmwareUpgradeRequestJSON) throws(APIError) -> FirmwareUpgradeJSON {
        tick()
        guard let account = request.accountName else { throw .badAccount }
        try requireAccount(account)
        let imeis = try Self.parseDeviceList(request.deviceList)
        guard let startText = request.startDate, let startDay = SimTime.parseDate(startText) else {
            throw APIError.invalid("FotaPostUpgrades: invalid state date")
        }
        var endDay: Int64?
        if let endText = request.endDate {
            guard let day = SimTime.parseDate(endText), day >= startDay else {
                throw APIError.invalid("FotaPostUpgrades: invalid end date")
            }
            endDay = day
        }
        guard let name = request.firmwareName, let image = Catalogue.firmware(named: name),
              modelsInFleet.contains(image.modelIndex)
        else { throw APIError.invalid("Invalid firmware name") }
        guard request.firmwareTo == image.toVersion else { throw APIError.invalid("Invalid firmwareTo version") }

        let now = clock.now()
        // On-demand campaigns start after a pre-validation window; future ones at midnight UTC (docs/thingspace-api.md T6).
        let startAt = max(startDay, now + settings.campaign.onDemandStartDelay)
        // The end date is inclusive: the campaign may run until 23:59:59 UTC that day (docs/simulator.md, Campaign timing).
        let endAt = max(endDay.map { $0 + SimTime.day } ?? startAt + settings.campaign.openEndedCampaignLength, startAt)
        let id = makeUUID()
        var upgrade = UpgradeRecord(
            id: id, sequence: nextSequence, accountName: account, firmware: image, firmwareTo: image.toVersion,
            startDate: startText, endDate: request.endDate, startAt: startAt, endAt: endAt
        )
        nextSequence += 1
        events.record(at: now, upgradeId: id, status: CampaignStatus.requestPending.rawValue)
        for imei in imeis where upgrade.add(imei, validateAt: now + settings.campaign.validationDelay) {
            events.record(at: now, upgradeId: id, imei: imei, status: DeviceState.pending.status)
        }
        upgrades[id] = upgrade
        upgradeOrder.append(id)
        active.insert(id)
        return Self.json(upgrade)
    }

    /// A4
    mutating func details(account: String, id: String) throws(APIError) -> FirmwareUpgradeJSON {
        tick()
        return Self.json(try requireUpgrade(account: account, id: id))
    }

    /// A5: append or remove, all-or-nothing on malformed input, per-device results otherwise.
    mutating func change(account: String, id: String, _ request: FirmwareUpgradeChangeRequestJSON)
        throws(APIError) -> FirmwareUpgradeChangeResultJSON
    {
        tick()
        let status = try requireUpgrade(account: account, id: id).status
        guard let type = request.type, type == "append" || type == "remove" else {
            throw APIError.invalid("Invalid type, expected append or remove")
        }
        let imeis = try Self.parseDeviceList(request.deviceList)
        guard status.isChangeable else {
            throw APIError.invalid("Upgrade cannot be modified once it has started (status \(status.rawValue))")
        }
        let key = id.lowercased()
        guard var upgrade = upgrades.removeValue(forKey: key) else { throw .unknownUpgrade }
        let now = clock.now()
        let validateAt = now + settings.campaign.validationDelay
        var results: [ChangeResultDeviceJSON] = []
        results.reserveCapacity(imeis.count)
        let appending = type == "append"
        for imei in imeis {
            let deviceId = Identifiers.imeiString(imei)
            if appending {
                if upgrade.add(imei, validateAt: validateAt) {
                    events.record(at: now, upgradeId: key, imei: imei, status: DeviceState.pending.status)
                    results.append(.init(deviceId: deviceId, status: "AddDeviceSucceed", reason: "Device added Successfully"))
                } else {
                    results.append(.init(deviceId: deviceId, status: "AddDeviceFailed", reason: "Device already in upgrade"))
                }
            } else if upgrade.remove(imei) != nil {
                releaseClaim(imei, heldBy: key)
                results.append(.init(deviceId: deviceId, status: "RemoveDeviceSucceed", reason: "Device removed Successfully"))
            } else {
                results.append(.init(deviceId: deviceId, status: "RemoveDeviceFailed", reason: "Device not in upgrade"))
            }
        }
        // Removing the last devices awaiting validation settles a pending campaign now, as validation would.
        if upgrade.status == .requestPending, upgrade.pendingCount == 0 {
            let anyAccepted = upgrade.allEntries.contains { $0.state == .accepted }
            setStatus(&upgrade, anyAccepted ? .queued : .requestFailed, at: now)
        }
        store(upgrade)
        return FirmwareUpgradeChangeResultJSON(accountName: account, id: key, deviceList: results)
    }

    /// A6: a cancelled campaign disappears; later lookups answer `Invalid upgradeId` (a choice, docs/thingspace-api.md T11).
    mutating func cancel(account: String, id: String) throws(APIError) -> SuccessJSON {
        tick()
        let upgrade = try requireUpgrade(account: account, id: id)
        guard upgrade.status.isChangeable else {
            throw APIError.invalid("Upgrade cannot be cancelled once it has started (status \(upgrade.status.rawValue))")
        }
        for (imei, _) in upgrade.devicesInOrder { releaseClaim(imei, heldBy: upgrade.id) }
        upgrades[upgrade.id] = nil
        active.remove(upgrade.id)
        cancelled.insert(upgrade.id)
        // v1 has no status for it (T11); the timeline still shows the campaign ended here.
        events.record(at: clock.now(), upgradeId: upgrade.id, status: "Cancelled")
        return SuccessJSON(success: true)
    }

    /// A7: oldest first, cursor = `lastSeenUpgradeId` (the campaign's integer sequence number).
    mutating func upgrades(account: String, status: String, startIndex: String) throws(APIError) -> UpgradeListQueryResultJSON {
        tick()
        try requireAccount(account)
        guard let wanted = CampaignStatus(rawValue: status) else { throw APIError.invalid("Invalid upgrade status") }
        guard let cursor = Int64(startIndex), cursor >= 0 else { throw .badIndex }
        var page: [FirmwareUpgradeJSON] = []
        var lastSequence: Int64 = 0
        var hasMore = false
        for id in upgradeOrder {
            guard let upgrade = upgrades[id], upgrade.sequence > cursor, upgrade.status == wanted else { continue }
            if page.count == Self.pageSize {
                hasMore = true
                break
            }
            page.append(Self.json(upgrade))
            lastSequence = upgrade.sequence
        }
        return UpgradeListQueryResultJSON(hasMoreFlag: hasMore, lastSeenUpgradeId: hasMore ? lastSequence : 0, reportList: page)
    }

    /// A8: the last six months of finished upgrade attempts of one device.
    mutating func history(account: String, deviceId: String) throws(APIError) -> [DeviceUpgradeHistoryJSON] {
        tick()
        try requireAccount(account)
        guard let imei = Identifiers.imei(deviceId) else { throw .badDeviceId }
        let cutoff = clock.now() - 183 * SimTime.day
        return (history[imei] ?? []).filter { $0.upgradeStartTime >= cutoff }.map { entry in
            DeviceUpgradeHistoryJSON(
                deviceId: deviceId, id: entry.upgradeId, accountName: entry.accountName,
                firmwareFrom: entry.firmwareFrom, firmwareTo: entry.firmwareTo, startDate: entry.startDate,
                upgradeStartTime: SimTime.rfc3339(entry.upgradeStartTime), status: entry.status, reason: entry.reason
            )
        }
    }

    static func json(_ upgrade: UpgradeRecord) -> FirmwareUpgradeJSON {
        FirmwareUpgradeJSON(
            id: upgrade.id, accountName: upgrade.accountName, firmwareName: upgrade.firmware.firmwareName,
            firmwareTo: upgrade.firmwareTo, startDate: upgrade.startDate, endDate: upgrade.endDate,
            status: upgrade.status.rawValue,
            deviceList: upgrade.devicesInOrder.map { imei, entry in
                UpgradeDeviceJSON(deviceId: Identifiers.imeiString(imei), status: entry.state.status, resultReason: entry.state.reason)
            }
        )
    }
}
