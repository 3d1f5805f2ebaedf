/// How to run a simulator. Every field has a default suitable for tests and `fota sim`.
public struct SimulatorOptions: Sendable {
    /// Interface to bind.
    public var host = "127.0.0.1"
    /// TCP port; 0 picks a free one (read it back from `SimulatorServer.port`).
    public var port = 8787
    /// Seed of the fleet, the account name, upgrade ids and random faults. Same seed ⇒ same fleet.
    public var seed: UInt64 = 1
    /// Devices in the seeded account.
    public var deviceCount = 10_000
    /// Delay added before answering every ThingSpace request.
    public var latency: Duration = .zero
    /// Share (0…1) of ThingSpace requests answered 500, 503, 429 or with a dropped connection.
    public var faultRate = 0.0
    /// OAuth token lifetime (real time).
    public var tokenTTL: Duration = .seconds(3600)
    /// M2M session idle expiry (real time, sliding).
    public var sessionIdle: Duration = .seconds(1200)
    /// Wall time for token and session lifetimes and `clockRate`; tests move it by hand.
    var wallClock = WallClock.system
    /// How long a callback delivery may take, refused connections retried, before it counts as undelivered.
    var callbackTimeout: Duration = .seconds(5)
    /// Simulated time at start, epoch seconds (default 2026-03-02T09:00:00Z, a Monday).
    public var clockStart: Int64 = 1_772_442_000
    /// Simulated seconds per wall-clock second; 0 freezes the clock between `/_sim/clock/advance` calls.
    public var clockRate = 0.0
    /// Simulated delay between a device joining a campaign and its validation (RequestPending → Queued).
    public var validationDelay: Duration = .seconds(120)
    /// Earliest start of a campaign after it is scheduled, even when its start date is today.
    public var onDemandStartDelay: Duration = .seconds(90 * 60)
    /// Simulated time a device takes from receiving the upgrade to reporting its outcome (download, install, report).
    public var upgradeDuration: Duration = .seconds(3600)
    /// How long a device that is not always on stays connected each time it connects.
    public var onlineWindow: Duration = .seconds(3600)
    /// An "often off" device connects once every this many days.
    public var oftenOffPeriodDays = 5
    /// Share (0…1) of devices that are always connected; the rest check in daily, are often off, or are never seen.
    public var alwaysOnShare = 0.60
    /// Share (0…1) of devices that connect once a day, at a time of day drawn from the seed.
    public var dailyCheckInShare = 0.25
    /// Share (0…1) of devices that connect only every `oftenOffPeriodDays` days. The remainder is never seen.
    public var oftenOffShare = 0.10
    /// Time of day (seconds after 00:00 UTC) at which LWM2M devices that did not answer are retried.
    public var lwm2mRetryTimeOfDay: Duration = .seconds(4 * 3600)
    /// Number of daily LWM2M retries after the first attempt; a device not reached by then fails.
    public var lwm2mRetryDays = 3
    /// Campaign length (from its start) when the request has no `endDate`.
    public var openEndedCampaignLength: Duration = .seconds(7 * 86_400)
    /// Probability (0…1) that a reached device reports a failed upgrade.
    public var failureRate = 0.02
    /// Per-model or per-firmware overrides of `failureRate`: key = model (e.g. `BG96`) or firmware name; firmware wins.
    public var failureRates: [String: Double] = [:]
    /// Share (0…1) of the seeded fleet that holds a licence; the rest is rejected until one is assigned (A11).
    public var licensedShare = 0.70
    /// MRC-only subscription: devices without a licence are rejected at validation.
    public var mrcOnly = true
    /// Read request keys exactly as documented; by default they are matched without regard to case, like the
    /// service (so the doc's `devicelist` spelling works).
    public var strictKeys = false
    /// Largest request body accepted; larger bodies get 413.
    public var maxBodyBytes = 16 * 1024 * 1024
    /// Credentials; nil derives them from the seed.
    public var credentials: Credentials?
    /// Let SIGINT/SIGTERM stop the server (for `fota sim`); tests leave this off.
    public var stopOnSignals = false
    /// Log level name for the HTTP server ("trace" … "critical").
    public var logLevel = "error"

    /// Values a caller may choose instead of the seed-derived ones.
    public struct Credentials: Sendable {
        public var account: String
        public var clientId: String
        public var clientSecret: String
        public var username: String
        public var password: String

        public init(account: String, clientId: String, clientSecret: String, username: String, password: String) {
            self.account = account
            self.clientId = clientId
            self.clientSecret = clientSecret
            self.username = username
            self.password = password
        }
    }

    public init() {}

    /// Problems with these options, as one message per problem; empty when they are usable.
    public var problems: [String] {
        var found: [String] = []
        if !(0...65535).contains(port) { found.append("port must be between 0 and 65535") }
        if deviceCount < 0 { found.append("device count must not be negative") }
        if deviceCount > 5_000_000 { found.append("device count must be at most 5,000,000") }
        if !(0...1).contains(faultRate) || faultRate.isNaN { found.append("fault rate must be between 0 and 1") }
        if latency < .zero { found.append("latency must not be negative") }
        if tokenTTL <= .zero { found.append("token TTL must be positive") }
        if sessionIdle <= .zero { found.append("session idle time must be positive") }
        if clockRate < 0 || clockRate.isNaN { found.append("clock rate must not be negative") }
        if maxBodyBytes <= 0 { found.append("maximum body size must be positive") }
        if validationDelay < .zero { found.append("validation delay must not be negative") }
        if onDemandStartDelay < .zero { found.append("on-demand start delay must not be negative") }
        if upgradeDuration < .zero { found.append("upgrade duration must not be negative") }
        if onlineWindow <= .zero || onlineWindow > .seconds(86_400) { found.append("online window must be between 1 second and 1 day") }
        if !(1...366).contains(oftenOffPeriodDays) { found.append("often-off period must be between 1 and 366 days") }
        if lwm2mRetryTimeOfDay < .zero || lwm2mRetryTimeOfDay >= .seconds(86_400) {
            found.append("LWM2M retry time of day must be between 0 and 86399 seconds")
        }
        if !(0...366).contains(lwm2mRetryDays) { found.append("LWM2M retry days must be between 0 and 366") }
        if openEndedCampaignLength <= .zero { found.append("open-ended campaign length must be positive") }
        for (name, share) in [("always-on share", alwaysOnShare), ("daily check-in share", dailyCheckInShare),
                              ("often-off share", oftenOffShare), ("licensed share", licensedShare), ("failure rate", failureRate)]
        where !(0...1).contains(share) || share.isNaN {
            found.append("\(name) must be between 0 and 1")
        }
        if alwaysOnShare + dailyCheckInShare + oftenOffShare > 1.000_001 {
            found.append("always-on, daily check-in and often-off shares must add up to at most 1")
        }
        for (key, rate) in failureRates.sorted(by: { $0.key < $1.key }) where !(0...1).contains(rate) || rate.isNaN {
            found.append("failure rate for \(key) must be between 0 and 1")
        }
        if let account = credentials?.account, !Identifiers.isValidAccountName(account) {
            found.append("account must contain only digits and hyphens")
        }
        return found
    }
}

/// What a client needs to talk to a running simulator; `fota sim` prints it as its first stdout line.
public struct SimulatorCredentials: Sendable, Codable, Equatable {
    /// Base URL, e.g. `http://127.0.0.1:8787`; `/api/ts/v1`, `/api/m2m/v1` and `/api/fota/v1` live under it.
    public var endpoint: String
    public var account: String
    public var clientId: String
    public var clientSecret: String
    public var username: String
    public var password: String
}

/// Thrown by `SimulatorServer.start`.
public enum SimulatorError: Error, CustomStringConvertible {
    case invalidOptions([String])
    case stoppedBeforeReady

    public var description: String {
        switch self {
        case .invalidOptions(let problems): "invalid simulator options: " + problems.joined(separator: "; ")
        case .stoppedBeforeReady: "the simulator stopped before it was listening"
        }
    }
}
