/// Campaign (upgrade) status. Decoded as an open string: a value ThingSpace adds later
/// decodes as `UpgradeStatus(rawValue:)` with `isKnown == false` instead of failing.
public struct UpgradeStatus: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static let requestPending = UpgradeStatus("RequestPending")
    public static let queued = UpgradeStatus("Queued")
    public static let requestFailed = UpgradeStatus("RequestFailed")
    public static let inProgress = UpgradeStatus("InProgress")
    public static let finished = UpgradeStatus("Finished")
    public static let upgradeFailed = UpgradeStatus("UpgradeFailed")

    /// The six states the upgrades-by-status report accepts.
    public static let reportable: [UpgradeStatus] = [
        .requestPending, .queued, .requestFailed, .inProgress, .finished, .upgradeFailed,
    ]

    public var isKnown: Bool { Self.reportable.contains(self) }
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// Add/remove direction of a device-list change (`type` in the PUT body).
public enum DeviceChangeType: String, Sendable, Codable, CaseIterable {
    case append
    case remove
}
