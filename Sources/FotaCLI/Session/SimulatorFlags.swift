import ArgumentParser
import ThingSpaceSimulator

/// The `--sim-*` flags of `fota run/repl --simulate`: the built-in simulator's options, each named
/// as `fota sim`'s flag with `sim-` in front and read the same way (SimFlagValues, SimCampaignFlags).
/// Each is optional so that one given without --simulate is a usage error, not silently ignored.
struct SimulatorFlags: ParsableArguments {
    @Option(name: .customLong("sim-seed"), help: ArgumentHelp("Seed of the simulated fleet (default 1).", valueName: "n"))
    var seed: UInt64?

    @Option(name: .customLong("sim-devices"), help: ArgumentHelp("Number of devices in the simulated account (default 10000).", valueName: "n"))
    var devices: Int?

    @Option(name: .customLong("sim-latency-ms"), help: ArgumentHelp("Delay added to every API request, in milliseconds (default 0).", valueName: "ms"))
    var latencyMs: Int?

    @Option(name: .customLong("sim-fault-rate"), help: ArgumentHelp("Share of requests (0…1) answered 500, 503, 429 or dropped (default 0).", valueName: "share"))
    var faultRate: String?

    @Option(name: .customLong("sim-clock-rate"), help: ArgumentHelp("Simulated seconds per real second (default 0: the clock moves only when the script waits).", valueName: "rate"))
    var clockRate: Double?

    @Option(name: .customLong("sim-validation-delay"), help: ArgumentHelp("Delay from a device joining a campaign to its validation (default 2m).", valueName: "duration"))
    var validationDelay: String?

    @Option(name: .customLong("sim-start-delay"), help: ArgumentHelp("Earliest start after scheduling, for campaigns dated today (default 90m).", valueName: "duration"))
    var startDelay: String?

    @Option(name: .customLong("sim-upgrade-duration"), help: ArgumentHelp("Time from reaching a device to its outcome (default 1h).", valueName: "duration"))
    var upgradeDuration: String?

    @Option(name: .customLong("sim-online-window"), help: ArgumentHelp("How long a device that is not always on stays connected (default 1h).", valueName: "duration"))
    var onlineWindow: String?

    @Option(name: .customLong("sim-often-off-days"), help: ArgumentHelp("An often-off device connects once every N days (default 5).", valueName: "days"))
    var oftenOffDays: Int?

    @Option(name: .customLong("sim-always-on"), help: ArgumentHelp("Share of devices always connected (default 60%).", valueName: "share"))
    var alwaysOn: String?

    @Option(name: .customLong("sim-daily-check-in"), help: ArgumentHelp("Share of devices that connect once a day (default 25%).", valueName: "share"))
    var dailyCheckIn: String?

    @Option(name: .customLong("sim-often-off"), help: ArgumentHelp("Share of devices that connect every few days (default 10%); the rest is never seen.", valueName: "share"))
    var oftenOff: String?

    @Option(name: .customLong("sim-lwm2m-retry-at"), help: ArgumentHelp("UTC time of day of LWM2M retries (default 04:00).", valueName: "HH:MM"))
    var lwm2mRetryAt: String?

    @Option(name: .customLong("sim-lwm2m-retry-days"), help: ArgumentHelp("Daily LWM2M retries before a device counts as not responding (default 3).", valueName: "n"))
    var lwm2mRetryDays: Int?

    @Option(name: .customLong("sim-open-ended-length"), help: ArgumentHelp("Length of a campaign the simulator is sent without endDate (default 7d; fota.schedule always sends one).", valueName: "duration"))
    var openEndedLength: String?

    @Option(name: .customLong("sim-failure-rate"), help: ArgumentHelp("Chance that a reached device fails: R (default 0.02), or MODEL=R / FIRMWARE=R to override; repeatable.", valueName: "[MODEL=]rate"))
    var failureRates: [String] = []

    @Option(name: .customLong("sim-licensed"), help: ArgumentHelp("Share of the fleet that holds a licence (default 70%).", valueName: "share"))
    var licensed: String?

    /// The flags given on the command line, for the usage error without --simulate.
    var given: [String] {
        let flags: [(String, Bool)] = [
            ("--sim-seed", seed != nil), ("--sim-devices", devices != nil), ("--sim-latency-ms", latencyMs != nil),
            ("--sim-fault-rate", faultRate != nil), ("--sim-clock-rate", clockRate != nil),
            ("--sim-validation-delay", validationDelay != nil), ("--sim-start-delay", startDelay != nil),
            ("--sim-upgrade-duration", upgradeDuration != nil), ("--sim-online-window", onlineWindow != nil),
            ("--sim-often-off-days", oftenOffDays != nil), ("--sim-always-on", alwaysOn != nil),
            ("--sim-daily-check-in", dailyCheckIn != nil), ("--sim-often-off", oftenOff != nil),
            ("--sim-lwm2m-retry-at", lwm2mRetryAt != nil), ("--sim-lwm2m-retry-days", lwm2mRetryDays != nil),
            ("--sim-open-ended-length", openEndedLength != nil), ("--sim-failure-rate", !failureRates.isEmpty),
            ("--sim-licensed", licensed != nil),
        ]
        return flags.filter(\.1).map(\.0)
    }

    func validate() throws {
        let options = try options()
        if let problem = options.problems.first { throw ValidationError("invalid --sim-* value: \(problem)") }
    }

    /// The simulator's options: its defaults, changed by the flags given.
    func options() throws -> SimulatorOptions {
        var options = SimulatorOptions()
        options.port = 0
        if let seed { options.seed = seed }
        if let devices {
            guard (1...2_000_000).contains(devices) else { throw ValidationError("--sim-devices must be from 1 to 2000000, not \(devices)") }
            options.deviceCount = devices
        }
        if let latencyMs {
            guard (0...60_000).contains(latencyMs) else { throw ValidationError("--sim-latency-ms must be from 0 to 60000, not \(latencyMs)") }
            options.latency = .milliseconds(latencyMs)
        }
        if let faultRate { options.faultRate = try SimFlagValues.share(faultRate, flag: "--sim-fault-rate") }
        if let clockRate {
            guard clockRate >= 0, clockRate.isFinite else {
                throw ValidationError("--sim-clock-rate must be 0 or more simulated seconds per second, not \(clockRate)")
            }
            options.clockRate = clockRate
        }
        // The campaign model goes through fota sim's own flags, so both read values alike.
        var campaign = SimCampaignFlags()
        campaign.validationDelay = validationDelay
        campaign.startDelay = startDelay
        campaign.upgradeDuration = upgradeDuration
        campaign.onlineWindow = onlineWindow
        campaign.oftenOffDays = oftenOffDays
        campaign.alwaysOn = alwaysOn
        campaign.dailyCheckIn = dailyCheckIn
        campaign.oftenOff = oftenOff
        campaign.lwm2mRetryAt = lwm2mRetryAt
        campaign.lwm2mRetryDays = lwm2mRetryDays
        campaign.openEndedLength = openEndedLength
        campaign.failureRates = failureRates
        campaign.licensed = licensed
        try campaign.apply(to: &options, flagPrefix: "--sim-")
        return options
    }
}
