// Bodies of the `/_sim` control API (documented in docs/simulator.md).

struct ClockJSON: Codable, Sendable {
    var now: String
    var epochSeconds: Int64
}

struct AdvanceClockJSON: Decodable, Sendable {
    var seconds: Int64?
    /// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SSZ`; must not be in the simulated past.
    var to: String?
}

struct FailJSON: Decodable, Sendable {
    var reason: String?
}

struct StateJSON: Codable, Sendable {
    var account: String
    var now: String
    var devices: Int
    var upgradesByStatus: [String: Int]
    var activeUpgrades: Int
    var licenses: Int
    var licensesUsed: Int
    var sessions: Int
    var userLocked: Bool
    var faultsInjected: Int
    var callbacksQueued: Int
}

struct SimDeviceJSON: Codable, Sendable {
    var device: DeviceJSON
    var clientType: String
    var everUpgraded: Bool
    var heldByUpgrade: String?
}

struct FaultsJSON: Codable, Sendable {
    var rules: [FaultRule]
    var injected: Int
}

struct RequestsJSON: Codable, Sendable {
    var count: Int
    var entries: [LoggedRequest]
}
