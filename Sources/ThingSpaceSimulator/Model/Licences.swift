/// Licence endpoints A10–A15 (deprecated in the SDK, still served because v1 documents them).
extension World {
    /// A10: licensed devices after an IMEI cursor (the v1 doc's cursor semantics, chosen over the SDK's offsets: docs/thingspace-api.md P4).
    mutating func licenses(account: String, startIndex: String) throws(APIError) -> AccountLicenseInfoJSON {
        tick()
        try requireAccount(account)
        var position = try fleetPosition(afterCursor: startIndex)
        var page: [LicensedDeviceJSON] = []
        var lastImei: UInt64 = 0
        var hasMore = false
        while position < fleet.count {
            let device = fleet.devices[position]
            position += 1
            guard device.licensed else { continue }
            if page.count == Self.pageSize {
                hasMore = true
                break
            }
            page.append(LicensedDeviceJSON(deviceId: Identifiers.imeiString(device.imei), assignmentTime: SimTime.rfc3339(device.licenseTime)))
            lastImei = device.imei
        }
        return AccountLicenseInfoJSON(
            accountName: account, totalLicenses: totalLicenses, assignedLicenses: usedLicenses,
            hasMoreData: hasMore, lastSeenDeviceId: hasMore ? Int64(lastImei) : 0, deviceList: page
        )
    }

    /// A11 / A12
    mutating func changeLicenses(account: String, assign: Bool, _ body: DeviceListBodyJSON) throws(APIError) -> LicenseChangeResultJSON {
        tick()
        try requireAccount(account)
        let imeis = try Self.parseDeviceList(body.deviceList)
        let now = clock.now()
        var results: [ChangeResultDeviceJSON] = []
        for imei in imeis {
            let deviceId = Identifiers.imeiString(imei)
            let failed = assign ? "LicenseAssignFailed" : "LicenseRemoveFailed"
            guard let device = fleet[imei] else {
                results.append(.init(deviceId: deviceId, status: failed, reason: RejectionReason.notFound))
                continue
            }
            if assign {
                if device.licensed {
                    results.append(.init(deviceId: deviceId, status: failed, reason: "License already assigned to device"))
                } else if usedLicenses >= totalLicenses {
                    results.append(.init(deviceId: deviceId, status: failed, reason: "No license available"))
                } else {
                    fleet.update(imei) { $0.licensed = true; $0.licenseTime = now }
                    usedLicenses += 1
                    results.append(.init(deviceId: deviceId, status: "LicenseAssignSuccess", reason: "success"))
                }
            } else if !device.licensed {
                results.append(.init(deviceId: deviceId, status: failed, reason: "No license attached to device"))
            } else if device.everUpgraded {
                results.append(.init(deviceId: deviceId, status: failed, reason: "License cannot be removed from an upgraded device"))
            } else {
                fleet.update(imei) { $0.licensed = false }
                usedLicenses -= 1
                results.append(.init(deviceId: deviceId, status: "LicenseRemoveSuccess", reason: "success"))
            }
        }
        subscriptionUpdated = now
        return LicenseChangeResultJSON(accountName: account, licCount: totalLicenses, licUsedCount: usedLicenses, deviceList: results)
    }

    /// A13: replaces the removal list, or appends to it when `type` is `append`.
    mutating func setLicencesToRemove(account: String, _ body: DeviceListBodyJSON) throws(APIError) -> LicensesToRemoveResultJSON {
        tick()
        try requireAccount(account)
        let imeis = try Self.parseDeviceList(body.deviceList)
        switch body.type {
        case nil: clearLicencesToRemove()
        case "append": break
        default: throw APIError.invalid("Invalid type, expected append")
        }
        for imei in imeis where licencesToRemoveSet.insert(imei).inserted {
            licencesToRemove.append(imei)
        }
        licencesToRemoveUpdated = clock.now()
        return LicensesToRemoveResultJSON(count: licencesToRemove.count, deviceList: licencesToRemove.map(Identifiers.imeiString))
    }

    /// A14
    mutating func deleteLicencesToRemove(account: String) throws(APIError) -> SuccessJSON {
        tick()
        try requireAccount(account)
        clearLicencesToRemove()
        licencesToRemoveUpdated = clock.now()
        return SuccessJSON(success: true)
    }

    private mutating func clearLicencesToRemove() {
        licencesToRemove.removeAll()
        licencesToRemoveSet.removeAll()
    }

    /// A15: paged by numeric offset 0, 1000, 2000… (the SDK's reading, a choice: docs/thingspace-api.md P5).
    mutating func licencesToRemoveList(account: String, startIndex: String) throws(APIError) -> LicensesToRemoveListJSON {
        tick()
        try requireAccount(account)
        guard let offset = Int(startIndex), offset >= 0 else { throw .badIndex }
        guard offset == 0 || offset < licencesToRemove.count else {
            throw APIError.invalid("Index exceeds number of devices in list")
        }
        let end = min(offset + Self.pageSize, licencesToRemove.count)
        return LicensesToRemoveListJSON(
            count: licencesToRemove.count, hasMoreData: end < licencesToRemove.count,
            updateTime: SimTime.rfc3339(licencesToRemoveUpdated),
            deviceList: licencesToRemove[offset..<end].map(Identifiers.imeiString)
        )
    }
}
