/// `GET /subscriptions/{account}`.
public struct AccountSubscription: Sendable, Equatable, Codable {
    public var accountName: String?
    /// Comma-separated `TS-HFOTA-MRC` and/or `TS-HFOTA-EVNT`.
    public var purchaseType: String?
    public var licenseCount: Int?
    public var licenseUsedCount: Int?
    public var updateTime: String?

    public init(accountName: String? = nil, purchaseType: String? = nil, licenseCount: Int? = nil,
                licenseUsedCount: Int? = nil, updateTime: String? = nil) {
        self.accountName = accountName
        self.purchaseType = purchaseType
        self.licenseCount = licenseCount
        self.licenseUsedCount = licenseUsedCount
        self.updateTime = updateTime
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        accountName = c.lenientString("accountName")
        purchaseType = c.lenientString("purchaseType")
        licenseCount = c.lenientInt("licenseCount")
        licenseUsedCount = c.lenientInt("licenseUsedCount")
        updateTime = c.lenientString("updateTime")
    }
}

/// One page of `GET /licenses/{account}/index/{startIndex}` (MRC accounts).
public struct LicenseStatus: Sendable, Equatable, Codable {
    public var accountName: String?
    public var totalLicenses: Int?
    public var assignedLicenses: Int?
    public var hasMoreData: Bool
    /// Cursor for the next page, as text; "0" when absent.
    public var lastSeenDeviceId: String
    public var deviceList: [LicensedDevice]

    public init(accountName: String? = nil, totalLicenses: Int? = nil, assignedLicenses: Int? = nil, hasMoreData: Bool = false,
                lastSeenDeviceId: String = "0", deviceList: [LicensedDevice] = []) {
        self.accountName = accountName
        self.totalLicenses = totalLicenses
        self.assignedLicenses = assignedLicenses
        self.hasMoreData = hasMoreData
        self.lastSeenDeviceId = lastSeenDeviceId
        self.deviceList = deviceList
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        accountName = c.lenientString("accountName")
        totalLicenses = c.lenientInt("totalLicenses")
        assignedLicenses = c.lenientInt("assignedLicenses")
        hasMoreData = c.lenientBool("hasMoreData", "hasMoreFlag") ?? false
        lastSeenDeviceId = normalizedIMEICursor(c.lenientString("lastSeenDeviceId"))
        deviceList = try c.lenientArray(LicensedDevice.self, "deviceList")
    }
}

public struct LicensedDevice: Sendable, Equatable, Codable {
    public var deviceId: String
    public var assignmentTime: String?

    public init(deviceId: String, assignmentTime: String? = nil) {
        self.deviceId = deviceId
        self.assignmentTime = assignmentTime
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        deviceId = c.lenientString("deviceId") ?? ""
        assignmentTime = c.lenientString("assignmentTime")
    }
}
