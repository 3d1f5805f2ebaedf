/// Answer of one `PUT /upgrades/{account}/upgrade/{id}` (one batch). The per-device reason is
/// spelled `Reason` (capital R) on the wire.
struct DeviceChangeResponse: Decodable {
    var accountName: String?
    var id: String?
    var deviceList: [Item]

    struct Item: Decodable {
        var deviceId: String
        var status: String?
        var reason: String?

        init(deviceId: String, status: String?, reason: String?) {
            self.deviceId = deviceId
            self.status = status
            self.reason = reason
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: AnyKey.self)
            deviceId = c.lenientString("deviceId") ?? ""
            status = c.lenientString("status")
            reason = c.lenientString("Reason", "reason", "resultReason")
        }
    }

    init(accountName: String?, id: String?, deviceList: [Item]) {
        self.accountName = accountName
        self.id = id
        self.deviceList = deviceList
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        accountName = c.lenientString("accountName")
        id = c.lenientString("id")
        deviceList = try c.lenientArray(Item.self, "deviceList", "devicelist")
    }
}
