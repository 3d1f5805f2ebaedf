/// A device of the account (`GET /devices/{account}/index/{startIndex}`).
public struct AccountDevice: Sendable, Equatable, Codable {
    /// IMEI (string).
    public var deviceId: String
    public var mdn: String?
    public var model: String?
    public var make: String?
    /// Current firmware image.
    public var firmware: String?
    public var fotaEligible: Bool?
    public var licenseAssigned: Bool?
    /// `01/01/1900 0:0:0` for never-upgraded devices; kept as text.
    public var upgradeTime: String?

    public init(deviceId: String, mdn: String? = nil, model: String? = nil, make: String? = nil, firmware: String? = nil,
                fotaEligible: Bool? = nil, licenseAssigned: Bool? = nil, upgradeTime: String? = nil) {
        self.deviceId = deviceId
        self.mdn = mdn
        self.model = model
        self.make = make
        self.firmware = firmware
        self.fotaEligible = fotaEligible
        self.licenseAssigned = licenseAssigned
        self.upgradeTime = upgradeTime
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        deviceId = c.lenientString("deviceId") ?? ""
        mdn = c.lenientString("mdn")
        model = c.lenientString("model")
        make = c.lenientString("make")
        firmware = c.lenientString("firmware")
        fotaEligible = c.lenientBool("fotaEligible")
        licenseAssigned = c.lenientBool("licenseAssigned")
        upgradeTime = c.lenientString("upgradeTime")
    }
}

/// One page of account devices. `nextStartIndex` is the cursor to pass for the next page.
public struct DeviceListPage: Sendable, Equatable, Codable {
    public var accountName: String?
    public var hasMoreData: Bool
    /// `lastSeenDeviceId` as text (it may arrive as a number or a string); "0" when absent.
    public var lastSeenDeviceId: String
    public var deviceList: [AccountDevice]

    public init(accountName: String? = nil, hasMoreData: Bool, lastSeenDeviceId: String, deviceList: [AccountDevice]) {
        self.accountName = accountName
        self.hasMoreData = hasMoreData
        self.lastSeenDeviceId = lastSeenDeviceId
        self.deviceList = deviceList
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        accountName = c.lenientString("accountName")
        hasMoreData = c.lenientBool("hasMoreData", "hasMoreFlag") ?? false
        lastSeenDeviceId = normalizedIMEICursor(c.lenientString("lastSeenDeviceId"))
        deviceList = try c.lenientArray(AccountDevice.self, "deviceList", "devicelist")
    }
}
