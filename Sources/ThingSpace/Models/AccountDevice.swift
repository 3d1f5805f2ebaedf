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

extension DeviceListPage: FastJSONReadable {
    /// A device page read in one pass: the same result as the lenient `Decodable` path, or nil
    /// (that path decides) for anything unusual — a duplicated key, an escape-free oddity such
    /// as a fractional number where text is read, invalid UTF-8. `JSONDecoder` with keyed
    /// containers cost about 6 µs a device, most of a `for d in fota.devices()` loop.
    static func read(_ bytes: UnsafeRawBufferPointer) -> DeviceListPage? {
        var reader = JSONByteReader(bytes)
        var accountName: String?
        var hasMoreData: Bool??
        var hasMoreFlag: Bool??
        var lastSeen: String??
        var deviceList: [AccountDevice]?
        var devicelist: [AccountDevice]?
        var seen = Set<String>()
        let complete = reader.object { reader, key in
            switch key {
            case "accountName", "hasMoreData", "hasMoreFlag", "lastSeenDeviceId", "deviceList", "devicelist":
                guard seen.insert(key).inserted else { return false }
            default:
                return reader.skipValue()
            }
            switch key {
            case "accountName":
                guard let value = reader.lenientText() else { return false }
                accountName = value
            case "hasMoreData":
                guard let value = reader.lenientFlag() else { return false }
                hasMoreData = value
            case "hasMoreFlag":
                guard let value = reader.lenientFlag() else { return false }
                hasMoreFlag = value
            case "lastSeenDeviceId":
                guard let value = reader.lenientText() else { return false }
                lastSeen = value
            default:
                if reader.literal("null") { return true }
                guard let devices = AccountDevice.readList(&reader) else { return false }
                if key == "deviceList" { deviceList = devices } else { devicelist = devices }
            }
            return true
        }
        reader.skipSpace()
        guard complete, reader.atEnd else { return nil }
        return DeviceListPage(
            accountName: accountName, hasMoreData: (hasMoreData ?? nil) ?? (hasMoreFlag ?? nil) ?? false,
            lastSeenDeviceId: normalizedIMEICursor(lastSeen ?? nil), deviceList: deviceList ?? devicelist ?? [])
    }
}

extension AccountDevice {
    fileprivate static func readList(_ reader: inout JSONByteReader) -> [AccountDevice]? {
        var devices: [AccountDevice] = []
        devices.reserveCapacity(1_000)
        let complete = reader.array { reader in
            guard let device = read(&reader) else { return false }
            devices.append(device)
            return true
        }
        return complete ? devices : nil
    }

    private static func read(_ reader: inout JSONByteReader) -> AccountDevice? {
        var device = AccountDevice(deviceId: "")
        // One bit per field read, to decline a duplicated key.
        var seen: UInt8 = 0
        func once(_ bit: UInt8) -> Bool {
            defer { seen |= bit }
            return seen & bit == 0
        }
        let complete = reader.object { reader, key in
            switch key {
            case "deviceId":
                guard once(1), let value = reader.lenientText() else { return false }
                device.deviceId = value ?? ""
            case "mdn":
                guard once(2), let value = reader.lenientText() else { return false }
                device.mdn = value
            case "model":
                guard once(4), let value = reader.lenientText() else { return false }
                device.model = value
            case "make":
                guard once(8), let value = reader.lenientText() else { return false }
                device.make = value
            case "firmware":
                guard once(16), let value = reader.lenientText() else { return false }
                device.firmware = value
            case "fotaEligible":
                guard once(32), let value = reader.lenientFlag() else { return false }
                device.fotaEligible = value
            case "licenseAssigned":
                guard once(64), let value = reader.lenientFlag() else { return false }
                device.licenseAssigned = value
            case "upgradeTime":
                guard once(128), let value = reader.lenientText() else { return false }
                device.upgradeTime = value
            default:
                return reader.skipValue()
            }
            return true
        }
        return complete ? device : nil
    }
}
