/// How often a device is connected to the network, which decides when a running campaign reaches it
/// (docs/simulator.md, Campaign timing). Drawn per device from the seed and the IMEI, so it does not depend on
/// the order devices were generated or scheduled in.
enum ConnectivityPattern: String, Sendable, CaseIterable {
    case alwaysOn
    case dailyCheckIn
    case oftenOff
    case neverSeen
}

/// A device's connection schedule: connected always, never, or for `window` seconds from `timeOfDay` on the
/// days it connects (every day, or every `periodDays` days counted from `phaseDay`).
struct DeviceConnectivity: Sendable, Equatable {
    let pattern: ConnectivityPattern
    let timeOfDay: Int64
    let periodDays: Int64
    let phaseDay: Int64
    let window: Int64

    /// The first simulated second at or after `time` at which the device is connected; nil when never.
    func firstOnline(atOrAfter time: Int64) -> Int64? {
        switch pattern {
        case .alwaysOn: return time
        case .neverSeen: return nil
        case .dailyCheckIn, .oftenOff:
            let period = pattern == .dailyCheckIn ? 1 : periodDays
            let today = floorDiv(time, SimTime.day)
            // A window that opened yesterday may still be open; then look ahead one full period.
            for day in (today - 1)...(today + period) where floorMod(day - phaseDay, period) == 0 {
                let opens = day * SimTime.day + timeOfDay
                if time < opens { return opens }
                if time < opens + window { return time }
            }
            return nil
        }
    }

    private func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
    private func floorMod(_ a: Int64, _ b: Int64) -> Int64 { a - floorDiv(a, b) * b }
}

/// The numbers of the campaign model, in simulated seconds, taken from `SimulatorOptions` (defaults and their
/// sources: docs/simulator.md, Campaign timing).
struct CampaignModel: Sendable {
    var seed: UInt64
    var validationDelay: Int64
    var onDemandStartDelay: Int64
    var upgradeDuration: Int64
    var onlineWindow: Int64
    var oftenOffPeriodDays: Int64
    var alwaysOnShare: Double
    var dailyCheckInShare: Double
    var oftenOffShare: Double
    var lwm2mRetryTimeOfDay: Int64
    var lwm2mRetryDays: Int
    var openEndedCampaignLength: Int64
    var failureRate: Double
    var failureRates: [String: Double]

    init(_ options: SimulatorOptions) {
        seed = options.seed
        validationDelay = options.validationDelay.wholeSeconds
        onDemandStartDelay = options.onDemandStartDelay.wholeSeconds
        upgradeDuration = options.upgradeDuration.wholeSeconds
        onlineWindow = options.onlineWindow.wholeSeconds
        oftenOffPeriodDays = Int64(options.oftenOffPeriodDays)
        alwaysOnShare = options.alwaysOnShare
        dailyCheckInShare = options.dailyCheckInShare
        oftenOffShare = options.oftenOffShare
        lwm2mRetryTimeOfDay = options.lwm2mRetryTimeOfDay.wholeSeconds
        lwm2mRetryDays = options.lwm2mRetryDays
        openEndedCampaignLength = options.openEndedCampaignLength.wholeSeconds
        failureRate = options.failureRate
        failureRates = options.failureRates
    }

    /// Failure reasons a reached device may report (docs/thingspace-api.md F1–F3), drawn evenly.
    static let reportedFailures = [FailureReason.downloadFailed, FailureReason.installFailed, FailureReason.noStatusReport]

    /// A uniform value in 0..<1 determined by the seed and the inputs (SplitMix64 finaliser over their mix).
    func draw(_ imei: UInt64, _ salt: UInt64) -> Double {
        var generator = SeededGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 ^ imei &* 0xD1B5_4A32_D192_ED03 ^ salt)
        return Double(generator.next() >> 11) / Double(1 << 53)
    }

    func connectivity(of imei: UInt64) -> DeviceConnectivity {
        let roll = draw(imei, 0xC0)
        let pattern: ConnectivityPattern =
            roll < alwaysOnShare ? .alwaysOn
            : roll < alwaysOnShare + dailyCheckInShare ? .dailyCheckIn
            : roll < alwaysOnShare + dailyCheckInShare + oftenOffShare ? .oftenOff
            : .neverSeen
        let timeOfDay = Int64(draw(imei, 0xC1) * Double(SimTime.day))
        let phase = Int64(draw(imei, 0xC2) * Double(oftenOffPeriodDays))
        return DeviceConnectivity(pattern: pattern, timeOfDay: min(timeOfDay, SimTime.day - 1), periodDays: oftenOffPeriodDays,
                                  phaseDay: phase, window: onlineWindow)
    }

    /// The failure probability for a device of `model` receiving `image`: firmware override, else model, else default.
    func failureRate(model: String, image: String) -> Double {
        failureRates[image] ?? failureRates[model] ?? failureRate
    }

    /// What a campaign started at `start` does with one accepted device: when it reports, and with which failure
    /// (nil = success). nil overall when the campaign never reaches it (it ends pending at the end date).
    func outcome(imei: UInt64, clientType: String, model: String, image: String, campaign: Int64, start: Int64)
        -> (at: Int64, failure: String?)?
    {
        let link = connectivity(of: imei)
        let failure: String? = {
            guard draw(imei, 0xF0 ^ UInt64(bitPattern: campaign) << 8) < failureRate(model: model, image: image) else { return nil }
            let pick = Int(draw(imei, 0xF1 ^ UInt64(bitPattern: campaign) << 8) * Double(Self.reportedFailures.count))
            return Self.reportedFailures[min(pick, Self.reportedFailures.count - 1)]
        }()
        if clientType == "LWM2M" {
            // docs/thingspace-api.md T8: a first attempt at the start, then daily retries at 04:00 UTC.
            var previous = start
            for attempt in lwm2mAttempts(after: start) {
                let reached = attempt == start
                    ? link.firstOnline(atOrAfter: start) == start
                    : (link.firstOnline(atOrAfter: previous + 1).map { $0 <= attempt } ?? false)
                if reached { return (attempt + upgradeDuration, failure) }
                previous = attempt
            }
            return (previous, FailureReason.noResponse)
        }
        // OMA-DM: notified at the start, or whenever the device next connects (T8).
        guard let reached = link.firstOnline(atOrAfter: start) else { return nil }
        return (reached + upgradeDuration, failure)
    }

    /// The start, then `lwm2mRetryDays` retries at the retry time of day, the first one after the start.
    func lwm2mAttempts(after start: Int64) -> [Int64] {
        var attempts = [start]
        var next = SimTime.startOfDay(start) + lwm2mRetryTimeOfDay
        if next <= start { next += SimTime.day }
        for _ in 0..<lwm2mRetryDays {
            attempts.append(next)
            next += SimTime.day
        }
        return attempts
    }
}

/// Why a device that was running ends `UpgradeFailed` (docs/thingspace-api.md F1–F5).
enum FailureReason {
    static let downloadFailed = "Firmware download failed."
    static let installFailed = "Firmware install failed."
    static let noStatusReport = "Device did not report status."
    static let noResponse = "Device did not respond."
    static let endDateReached = "Campaign end date reached before the device upgraded."
}
