/// Read-only account endpoints: A1 firmware, A2 devices, A9 subscription.
extension World {
    /// A1: images for the makes and models present in the account.
    mutating func firmwareList(account: String) throws(APIError) -> [FirmwareJSON] {
        tick()
        try requireAccount(account)
        return Catalogue.firmware.filter { modelsInFleet.contains($0.modelIndex) }.map { image in
            let model = Catalogue.models[image.modelIndex]
            return FirmwareJSON(
                firmwareName: image.firmwareName, participantName: "sim-participant", launchDate: image.launchDate,
                releaseNote: image.releaseNote, model: model.model, make: model.make,
                fromVersion: image.fromVersion, toVersion: image.toVersion
            )
        }
    }

    /// Resolves an IMEI cursor: `0` means the start, otherwise it must be an IMEI of this account. The
    /// cursor is a number (the SDK sends `lastSeenDeviceId` back as an integer), so an IMEI with a
    /// leading zero may come without it.
    func fleetPosition(afterCursor startIndex: String) throws(APIError) -> Int {
        guard !startIndex.isEmpty, startIndex.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { throw .badIndex }
        if startIndex.utf8.allSatisfy({ $0 == 48 }) { return 0 }
        let digits = startIndex.drop { $0 == "0" }
        guard digits.count <= 15, let imei = Identifiers.imei(String(repeating: "0", count: 15 - digits.count) + digits),
              let position = fleet.index(of: imei) else { throw .badCursor }
        return position + 1
    }

    /// A2: up to 1,000 devices with IMEI greater than the cursor, optionally of one client type.
    mutating func deviceList(account: String, startIndex: String, clientType: String?) throws(APIError) -> DeviceListQueryResultJSON {
        tick()
        try requireAccount(account)
        if let clientType, !Catalogue.clientTypes.contains(clientType) {
            throw APIError.invalid("Unknown client device type.")
        }
        var position = try fleetPosition(afterCursor: startIndex)
        var page: [DeviceJSON] = []
        var hasMore = false
        while position < fleet.count {
            let device = fleet.devices[position]
            position += 1
            if let clientType, device.model.clientType != clientType { continue }
            if page.count == Self.pageSize {
                hasMore = true
                break
            }
            page.append(Self.json(device))
        }
        let last = hasMore ? Int64(Identifiers.imei(page[page.count - 1].deviceId) ?? 0) : 0
        return DeviceListQueryResultJSON(accountName: account, hasMoreData: hasMore, lastSeenDeviceId: last, deviceList: page)
    }

    static func json(_ device: Device) -> DeviceJSON {
        let model = device.model
        return DeviceJSON(
            deviceId: Identifiers.imeiString(device.imei),
            mdn: Identifiers.digits(device.mdn, width: 10),
            model: model.model,
            make: model.make,
            firmware: device.firmware,
            fotaEligible: device.fotaEligible,
            licenseAssigned: device.licensed,
            // The SDK documents this placeholder for devices never upgraded.
            upgradeTime: device.upgradeTime.map(SimTime.goStyle) ?? "01/01/1900 0:0:0"
        )
    }

    var purchaseType: String { settings.mrcOnly ? "TS-HFOTA-MRC" : "TS-HFOTA-MRC,TS-HFOTA-EVNT" }

    /// A9
    mutating func subscription(account: String) throws(APIError) -> AccountSubscriptionJSON {
        tick()
        try requireAccount(account)
        return AccountSubscriptionJSON(
            accountName: account, purchaseType: purchaseType, licenseCount: totalLicenses,
            licenseUsedCount: usedLicenses, updateTime: SimTime.goStyle(subscriptionUpdated)
        )
    }
}
