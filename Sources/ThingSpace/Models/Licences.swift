/// Answer of `POST /licenses/{account}/assign` and `/remove` (A11, A12): the account's licence
/// counts after the change and each device's result (statuses D11–D14).
public struct LicenseChangeResult: Sendable, Equatable, Decodable {
    public var accountName: String?
    public var licCount: Int?
    public var licUsedCount: Int?
    public var deviceList: [LicenseDeviceResult]

    public init(accountName: String? = nil, licCount: Int? = nil, licUsedCount: Int? = nil, deviceList: [LicenseDeviceResult] = []) {
        self.accountName = accountName
        self.licCount = licCount
        self.licUsedCount = licUsedCount
        self.deviceList = deviceList
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        accountName = c.lenientString("accountName")
        licCount = c.lenientInt("licCount")
        licUsedCount = c.lenientInt("licUsedCount")
        deviceList = try c.lenientArray(LicenseDeviceResult.self, "deviceList")
    }
}

/// One device of a licence change; `reason` is `Reason` on the wire.
public struct LicenseDeviceResult: Sendable, Equatable, Decodable {
    public var deviceId: String
    public var status: String?
    public var reason: String?

    public init(deviceId: String, status: String? = nil, reason: String? = nil) {
        self.deviceId = deviceId
        self.status = status
        self.reason = reason
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        deviceId = c.lenientString("deviceId") ?? ""
        status = c.lenientString("status")
        reason = c.lenientString("Reason", "reason")
    }

    /// `LicenseAssignSuccess` / `LicenseRemoveSuccess`.
    public var succeeded: Bool { status?.hasSuffix("Success") == true }
}

/// Answer of `POST /licenses/{account}/cancel` (A13): the whole removal list after the change.
public struct LicensesToRemove: Sendable, Equatable, Decodable {
    public var count: Int
    public var deviceList: [String]
    /// A15 only: when the list last changed.
    public var updateTime: String?

    public init(count: Int, deviceList: [String], updateTime: String? = nil) {
        self.count = count
        self.deviceList = deviceList
        self.updateTime = updateTime
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        deviceList = try c.lenientArray(String.self, "deviceList")
        count = c.lenientInt("count") ?? deviceList.count
        updateTime = c.lenientString("updateTime")
    }
}

/// One page of `GET /licenses/{account}/cancel/index/{offset}` (A15).
struct LicensesToRemovePage: Decodable {
    var list: LicensesToRemove
    var hasMoreData: Bool

    init(from decoder: any Decoder) throws {
        list = try LicensesToRemove(from: decoder)
        let c = try decoder.container(keyedBy: AnyKey.self)
        hasMoreData = c.lenientBool("hasMoreData", "hasMoreFlag") ?? false
    }
}
