/// Body of `POST /upgrades`.
public struct UpgradeRequest: Sendable, Equatable, Codable {
    public var accountName: String
    /// Verbatim from the firmware list.
    public var firmwareName: String
    /// Target version.
    public var firmwareTo: String
    /// `YYYY-MM-DD`.
    public var startDate: String
    /// `YYYY-MM-DD`; optional because older API versions do not know it.
    public var endDate: String?
    /// IMEIs.
    public var deviceList: [String]

    public init(accountName: String, firmwareName: String, firmwareTo: String, startDate: String, endDate: String? = nil,
                deviceList: [String]) {
        self.accountName = accountName
        self.firmwareName = firmwareName
        self.firmwareTo = firmwareTo
        self.startDate = startDate
        self.endDate = endDate
        self.deviceList = deviceList
    }
}

/// An upgrade (campaign): answer of schedule and of upgrade details, and element of the status report.
public struct FirmwareUpgrade: Sendable, Equatable, Codable {
    /// UUID.
    public var id: String
    public var accountName: String?
    public var firmwareName: String?
    public var firmwareTo: String?
    public var startDate: String?
    public var endDate: String?
    /// Campaign-level status.
    public var status: UpgradeStatus?
    public var deviceList: [UpgradeDevice]

    public init(id: String, accountName: String? = nil, firmwareName: String? = nil, firmwareTo: String? = nil,
                startDate: String? = nil, endDate: String? = nil, status: UpgradeStatus? = nil, deviceList: [UpgradeDevice] = []) {
        self.id = id
        self.accountName = accountName
        self.firmwareName = firmwareName
        self.firmwareTo = firmwareTo
        self.startDate = startDate
        self.endDate = endDate
        self.status = status
        self.deviceList = deviceList
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        id = c.lenientString("id", "upgradeId") ?? ""
        accountName = c.lenientString("accountName")
        firmwareName = c.lenientString("firmwareName")
        firmwareTo = c.lenientString("firmwareTo")
        startDate = c.lenientString("startDate")
        endDate = c.lenientString("endDate")
        status = c.lenientString("status").map(UpgradeStatus.init(rawValue:))
        deviceList = try c.lenientArray(UpgradeDevice.self, "deviceList", "devicelist")
    }
}

/// A device inside an upgrade. The reason field is `resultReason` on the wire here.
public struct UpgradeDevice: Sendable, Equatable, Codable {
    public var deviceId: String
    /// Device-level status, e.g. `RequestPending`, `Device Accepted`, `Device Rejected` (open string).
    public var status: String?
    /// Absent while pending.
    public var resultReason: String?

    public init(deviceId: String, status: String? = nil, resultReason: String? = nil) {
        self.deviceId = deviceId
        self.status = status
        self.resultReason = resultReason
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        deviceId = c.lenientString("deviceId") ?? ""
        status = c.lenientString("status")
        resultReason = c.lenientString("resultReason", "reason", "Reason")
    }
}

/// One page of the upgrades-by-status report.
public struct UpgradeListPage: Sendable, Equatable, Codable {
    /// `hasMoreFlag` on the wire (some versions say `hasMoreData`; both are accepted).
    public var hasMoreFlag: Bool
    /// `lastSeenUpgradeId` as text; "0" when absent.
    public var lastSeenUpgradeId: String
    public var reportList: [FirmwareUpgrade]

    public init(hasMoreFlag: Bool, lastSeenUpgradeId: String, reportList: [FirmwareUpgrade]) {
        self.hasMoreFlag = hasMoreFlag
        self.lastSeenUpgradeId = lastSeenUpgradeId
        self.reportList = reportList
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        hasMoreFlag = c.lenientBool("hasMoreFlag", "hasMoreData") ?? false
        lastSeenUpgradeId = normalizedCursor(c.lenientString("lastSeenUpgradeId"))
        reportList = try c.lenientArray(FirmwareUpgrade.self, "reportList")
    }
}
