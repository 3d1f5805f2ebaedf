/// One device of the account. Compact on purpose: a million of these must fit and generate in seconds.
struct Device: Sendable, Equatable {
    let imei: UInt64
    let mdn: UInt64
    let modelIndex: UInt8
    var versionIndex: UInt8
    let fotaEligible: Bool
    var licensed: Bool
    /// Simulated epoch seconds of the licence assignment, when licensed.
    var licenseTime: Int64
    /// Simulated epoch seconds of the last finished upgrade, nil when never upgraded.
    var upgradeTime: Int64?
    /// Set once any upgrade ran on the device; such devices cannot give their licence back.
    var everUpgraded: Bool

    var model: DeviceModel { Catalogue.models[Int(modelIndex)] }
    var firmware: String { model.versions[Int(versionIndex)] }
}

/// The account's devices, sorted by IMEI so paging by IMEI cursor and lookups are binary searches.
struct Fleet: Sendable {
    private(set) var devices: [Device]

    init(devices: [Device]) {
        self.devices = devices
    }

    /// Position of the device with this IMEI, if it belongs to the account.
    func index(of imei: UInt64) -> Int? {
        let position = firstIndex(atLeast: imei)
        guard position < devices.count, devices[position].imei == imei else { return nil }
        return position
    }

    /// Position of the first device whose IMEI is greater than `imei`.
    func firstIndex(after imei: UInt64) -> Int {
        firstIndex(atLeast: imei + 1)
    }

    /// Position of the first device whose IMEI is not below `imei`.
    func firstIndex(atLeast imei: UInt64) -> Int {
        var low = 0
        var high = devices.count
        while low < high {
            let mid = (low + high) / 2
            if devices[mid].imei < imei { low = mid + 1 } else { high = mid }
        }
        return low
    }

    subscript(imei: UInt64) -> Device? {
        index(of: imei).map { devices[$0] }
    }

    mutating func update(_ imei: UInt64, _ change: (inout Device) -> Void) {
        guard let position = index(of: imei) else { return }
        change(&devices[position])
    }

    var count: Int { devices.count }
}
