// Wire shapes of the FOTA v1 API. Field names and casing are wire facts (docs/thingspace-api.md A1–A18, C10):
// note `Reason` (change results), `resultReason` (upgrade details) and `reason` (history).

struct FirmwareJSON: Codable, Sendable {
    var firmwareName: String
    var participantName: String
    var launchDate: String
    var releaseNote: String
    var model: String
    var make: String
    var fromVersion: String
    var toVersion: String
}

struct DeviceJSON: Codable, Sendable {
    var deviceId: String
    var mdn: String
    var model: String
    var make: String
    var firmware: String
    var fotaEligible: Bool
    var licenseAssigned: Bool
    var upgradeTime: String
}

struct DeviceListQueryResultJSON: Codable, Sendable {
    var accountName: String
    var hasMoreData: Bool
    var lastSeenDeviceId: Int64
    var deviceList: [DeviceJSON]
}

struct FirmwareUpgradeRequestJSON: Decodable, Sendable {
    var accountName: String?
    var firmwareName: String?
    var firmwareTo: String?
    var startDate: String?
    var endDate: String?
    var deviceList: [String]?

    init(from decoder: any Decoder) throws {
        let keys = try RequestKeys(decoder)
        accountName = try keys.value(String.self, "accountName")
        firmwareName = try keys.value(String.self, "firmwareName")
        firmwareTo = try keys.value(String.self, "firmwareTo")
        startDate = try keys.value(String.self, "startDate")
        endDate = try keys.value(String.self, "endDate")
        deviceList = try keys.value([String].self, "deviceList")
    }
}

struct UpgradeDeviceJSON: Codable, Sendable {
    var deviceId: String
    var status: String
    var resultReason: String?
}

struct FirmwareUpgradeJSON: Codable, Sendable {
    var id: String
    var accountName: String
    var firmwareName: String
    var firmwareTo: String
    var startDate: String
    var endDate: String?
    var status: String
    var deviceList: [UpgradeDeviceJSON]
}

struct FirmwareUpgradeChangeRequestJSON: Decodable, Sendable {
    var type: String?
    var deviceList: [String]?

    init(type: String?, deviceList: [String]?) {
        self.type = type
        self.deviceList = deviceList
    }

    init(from decoder: any Decoder) throws {
        let keys = try RequestKeys(decoder)
        type = try keys.value(String.self, "type")
        deviceList = try keys.value([String].self, "deviceList")
    }
}

struct ChangeResultDeviceJSON: Codable, Sendable {
    var deviceId: String
    var status: String
    var reason: String

    enum CodingKeys: String, CodingKey {
        case deviceId, status
        case reason = "Reason"
    }
}

struct FirmwareUpgradeChangeResultJSON: Codable, Sendable {
    var accountName: String
    var id: String
    var deviceList: [ChangeResultDeviceJSON]
}

struct SuccessJSON: Codable, Sendable {
    var success: Bool
}

struct UpgradeListQueryResultJSON: Codable, Sendable {
    var hasMoreFlag: Bool
    var lastSeenUpgradeId: Int64
    var reportList: [FirmwareUpgradeJSON]
}

struct DeviceUpgradeHistoryJSON: Codable, Sendable {
    var deviceId: String
    var id: String
    var accountName: String
    var firmwareFrom: String
    var firmwareTo: String
    var startDate: String
    var upgradeStartTime: String
    var status: String
    var reason: String
}

struct AccountSubscriptionJSON: Codable, Sendable {
    var accountName: String
    var purchaseType: String
    var licenseCount: Int
    var licenseUsedCount: Int
    var updateTime: String
}

struct LicensedDeviceJSON: Codable, Sendable {
    var deviceId: String
    var assignmentTime: String
}

struct AccountLicenseInfoJSON: Codable, Sendable {
    var accountName: String
    var totalLicenses: Int
    var assignedLicenses: Int
    var hasMoreData: Bool
    var lastSeenDeviceId: Int64
    var deviceList: [LicensedDeviceJSON]
}

struct DeviceListBodyJSON: Decodable, Sendable {
    var deviceList: [String]?
    var type: String?

    init(from decoder: any Decoder) throws {
        let keys = try RequestKeys(decoder)
        deviceList = try keys.value([String].self, "deviceList")
        type = try keys.value(String.self, "type")
    }
}

struct LicenseChangeResultJSON: Codable, Sendable {
    var accountName: String
    var licCount: Int
    var licUsedCount: Int
    var deviceList: [ChangeResultDeviceJSON]
}

struct LicensesToRemoveResultJSON: Codable, Sendable {
    var count: Int
    var deviceList: [String]
}

struct LicensesToRemoveListJSON: Codable, Sendable {
    var count: Int
    var hasMoreData: Bool
    var updateTime: String
    var deviceList: [String]
}

struct CallbackRegistrationJSON: Codable, Sendable {
    var name: String?
    var url: String?
    var username: String?
    var password: String?

    init(from decoder: any Decoder) throws {
        let keys = try RequestKeys(decoder)
        name = try keys.value(String.self, "name")
        url = try keys.value(String.self, "url")
        username = try keys.value(String.self, "username")
        password = try keys.value(String.self, "password")
    }
}

struct RegisteredCallbackJSON: Codable, Sendable {
    var aname: String
    var name: String
    var url: String
    var username: String?
    var password: String?
}

struct CallbackRegisteredJSON: Codable, Sendable {
    var accountName: String
    var serviceName: String
}
