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
    /// When any campaign next changes on its own (RFC 3339); absent when none will.
    var nextChange: String?
}

struct SimDeviceJSON: Codable, Sendable {
    var device: DeviceJSON
    var clientType: String
    var everUpgraded: Bool
    var heldByUpgrade: String?
    /// `alwaysOn`, `dailyCheckIn`, `oftenOff` or `neverSeen` (docs/simulator.md, Campaign timing).
    var connectivity: String
    /// Time of day (UTC, `HH:MM:SS`) the device connects, for `dailyCheckIn` and `oftenOff` devices.
    var connectsAt: String?
    /// Days between connections: 1 for `dailyCheckIn`, the period for `oftenOff`.
    var connectsEveryDays: Int?
    /// The next simulated moment (RFC 3339) the device is connected, now if it is; absent when never.
    var nextOnline: String?
}

struct FaultsJSON: Codable, Sendable {
    var rules: [FaultRule]
    var injected: Int
}

struct RequestsJSON: Codable, Sendable {
    var count: Int
    var entries: [LoggedRequest]
}

/// `GET /_sim/next-change`: when the next scheduled change happens (simulated epoch seconds), nil if never.
struct NextChangeJSON: Codable, Sendable {
    var at: Int64?
    var now: Int64

    // `at` is always present, as `null` when nothing more will change on its own.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(at, forKey: .at)
        try container.encode(now, forKey: .now)
    }
}

/// One entry of `GET /_sim/events`.
struct EventJSON: Codable, Sendable {
    var seq: Int64
    var at: Int64
    var time: String
    var upgradeId: String
    var kind: String
    var status: String
    var deviceId: String?
    var reason: String?
}

struct EventsJSON: Codable, Sendable {
    var events: [EventJSON]
    /// The `since` of the following call.
    var next: Int64
    /// More events after these were left off by `limit`.
    var more: Bool
}

struct FailShareJSON: Decodable, Sendable {
    var share: Double?
    var reason: String?
}

struct FailShareResultJSON: Codable, Sendable {
    var upgradeId: String
    var failed: Int
    var deviceIds: [String]
}
