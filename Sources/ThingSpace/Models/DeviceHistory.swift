/// One entry of a device's upgrade history (`GET /reports/{account}/devices/{deviceId}`).
/// The reason field is `reason` (lower case) on the wire here.
public struct DeviceUpgradeHistory: Sendable, Equatable, Codable {
    public var deviceId: String
    /// Upgrade UUID.
    public var id: String?
    public var accountName: String?
    public var firmwareFrom: String?
    public var firmwareTo: String?
    public var startDate: String?
    public var upgradeStartTime: String?
    /// e.g. `UpgradeSuccess`, `UpgradeFailed` (open string).
    public var status: String?
    public var reason: String?

    public init(deviceId: String, id: String? = nil, accountName: String? = nil, firmwareFrom: String? = nil,
                firmwareTo: String? = nil, startDate: String? = nil, upgradeStartTime: String? = nil,
                status: String? = nil, reason: String? = nil) {
        self.deviceId = deviceId
        self.id = id
        self.accountName = accountName
        self.firmwareFrom = firmwareFrom
        self.firmwareTo = firmwareTo
        self.startDate = startDate
        self.upgradeStartTime = upgradeStartTime
        self.status = status
        self.reason = reason
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        deviceId = c.lenientString("deviceId") ?? ""
        id = c.lenientString("id")
        accountName = c.lenientString("accountName")
        firmwareFrom = c.lenientString("firmwareFrom")
        firmwareTo = c.lenientString("firmwareTo")
        startDate = c.lenientString("startDate")
        upgradeStartTime = c.lenientString("upgradeStartTime")
        status = c.lenientString("status")
        reason = c.lenientString("reason", "Reason", "resultReason")
    }
}
