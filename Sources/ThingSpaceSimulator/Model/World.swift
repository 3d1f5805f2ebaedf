/// Tunables of the simulated service that are not about transport.
struct WorldSettings: Sendable {
    var seed: UInt64
    var deviceCount: Int
    var accountName: String
    var clockStart: Int64
    var clockRate: Double
    /// Timing, connectivity and failure numbers of campaigns.
    var campaign: CampaignModel
    var licensedShare: Double
    var mrcOnly: Bool
    var strictKeys: Bool
    /// Wall time, which a non-zero `clockRate` follows.
    var wallClock: WallClock = .system
}

/// The whole simulated account. A plain value mutated only under the server's mutex, so every
/// request sees and applies a consistent snapshot (no lost or duplicated devices under concurrency).
struct World: Sendable {
    let settings: WorldSettings
    var clock: SimClock
    var fleet: Fleet
    var totalLicenses: Int
    var usedLicenses: Int
    var subscriptionUpdated: Int64
    var upgrades: [String: UpgradeRecord] = [:]
    /// Upgrade ids in scheduling order (cancelled ones are removed from `upgrades` and skipped here).
    var upgradeOrder: [String] = []
    var active: Set<String> = []
    var nextSequence: Int64 = 1
    /// IMEI → upgrade id currently holding the device (accepted or upgrading).
    var claims: [UInt64: String] = [:]
    var history: [UInt64: [HistoryEntry]] = [:]
    var licencesToRemove: [UInt64] = []
    var licencesToRemoveSet: Set<UInt64> = []
    var licencesToRemoveUpdated: Int64
    var callbacks: [String: RegisteredCallbackJSON] = [:]
    var outbox: [CallbackMessage] = []
    /// Every campaign and device status change (`/_sim/events`).
    var events = EventLog()
    /// Ids of cancelled campaigns: they are gone for the API (T11) but the control API knows they will not change.
    var cancelled: Set<String> = []
    /// Calls of `failShare` so far; each call draws its devices differently.
    var failShareCalls = 0
    /// Models present in the fleet; A1 lists only images for these.
    let modelsInFleet: Set<Int>
    private var idGenerator: SeededGenerator

    init(settings: WorldSettings) {
        self.settings = settings
        clock = SimClock(start: settings.clockStart, rate: settings.clockRate, wall: settings.wallClock)
        let licensedAt = settings.clockStart - 30 * SimTime.day
        fleet = FleetGenerator.generate(
            seed: settings.seed, count: settings.deviceCount, licenseTime: licensedAt,
            unlicensedPermille: UInt64(((1 - settings.licensedShare) * 1000).rounded()))
        usedLicenses = fleet.devices.reduce(0) { $0 + ($1.licensed ? 1 : 0) }
        // A few spare licences so assigning one can succeed before the pool runs dry.
        totalLicenses = usedLicenses + max(settings.deviceCount / 50, 5)
        subscriptionUpdated = licensedAt
        licencesToRemoveUpdated = licensedAt
        modelsInFleet = Set(fleet.devices.lazy.map { Int($0.modelIndex) })
        idGenerator = SeededGenerator(seed: settings.seed ^ 0x5EED_1D5)
    }

    var accountName: String { settings.accountName }

    /// Random-looking but seed-determined UUID v4, so runs with the same seed hand out the same ids.
    mutating func makeUUID() -> String {
        var high = idGenerator.next()
        var low = idGenerator.next()
        high = (high & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        let hex = hexString(high, 16) + hexString(low, 16)
        let chars = Array(hex)
        return String(chars[0..<8]) + "-" + String(chars[8..<12]) + "-" + String(chars[12..<16]) + "-"
            + String(chars[16..<20]) + "-" + String(chars[20..<32])
    }

    private func hexString(_ value: UInt64, _ width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: width - digits.count) + digits
    }

    /// Checks the `{account}` path segment: format first, then whether it is this simulator's account.
    func requireAccount(_ name: String) throws(APIError) {
        guard Identifiers.isValidAccountName(name) else { throw .badAccount }
        guard name == accountName else { throw APIError.invalid("Inactive account") }
    }

    /// Parses a list of IMEI strings, refusing the whole request on the first malformed one. Repeats are
    /// collapsed (first occurrence kept), so a schedule, an append and a licence change treat them alike.
    static func parseDeviceList(_ list: [String]?) throws(APIError) -> [UInt64] {
        guard let list, !list.isEmpty else { throw .emptyDeviceList }
        var parsed: [UInt64] = []
        var seen = Set<UInt64>(minimumCapacity: list.count)
        parsed.reserveCapacity(list.count)
        for text in list {
            guard let imei = Identifiers.imei(text) else { throw .badDeviceId }
            if seen.insert(imei).inserted { parsed.append(imei) }
        }
        return parsed
    }

    /// Looks up an upgrade of this account by its path id.
    func requireUpgrade(account: String, id: String) throws(APIError) -> UpgradeRecord {
        try requireAccount(account)
        guard Identifiers.isUUIDShaped(id) else { throw .badUUID }
        guard let upgrade = upgrades[id.lowercased()], upgrade.accountName == account else { throw .unknownUpgrade }
        return upgrade
    }
}
