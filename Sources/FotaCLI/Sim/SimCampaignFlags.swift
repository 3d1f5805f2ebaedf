import ArgumentParser
import ThingSpaceSimulator

/// The campaign-model flags of `fota sim`: one per timing, connectivity and failure number of
/// `SimulatorOptions`. Absent flags keep the documented defaults (docs/simulator.md, Campaign timing).
struct SimCampaignFlags: ParsableArguments {
    @Option(name: .customLong("validation-delay"), help: ArgumentHelp("Delay from a device joining a campaign to its validation (default 2m).", valueName: "duration"))
    var validationDelay: String?

    @Option(name: .customLong("start-delay"), help: ArgumentHelp("Earliest start after scheduling, for campaigns dated today (default 90m).", valueName: "duration"))
    var startDelay: String?

    @Option(name: .customLong("upgrade-duration"), help: ArgumentHelp("Time from reaching a device to its outcome (default 1h).", valueName: "duration"))
    var upgradeDuration: String?

    @Option(name: .customLong("online-window"), help: ArgumentHelp("How long a device that is not always on stays connected (default 1h).", valueName: "duration"))
    var onlineWindow: String?

    @Option(name: .customLong("often-off-days"), help: ArgumentHelp("An often-off device connects once every N days (default 5).", valueName: "days"))
    var oftenOffDays: Int?

    @Option(name: .customLong("always-on"), help: ArgumentHelp("Share of devices always connected (default 60%).", valueName: "share"))
    var alwaysOn: String?

    @Option(name: .customLong("daily-check-in"), help: ArgumentHelp("Share of devices that connect once a day (default 25%).", valueName: "share"))
    var dailyCheckIn: String?

    @Option(name: .customLong("often-off"), help: ArgumentHelp("Share of devices that connect every few days (default 10%); the rest is never seen.", valueName: "share"))
    var oftenOff: String?

    @Option(name: .customLong("lwm2m-retry-at"), help: ArgumentHelp("UTC time of day of LWM2M retries (default 04:00).", valueName: "HH:MM"))
    var lwm2mRetryAt: String?

    @Option(name: .customLong("lwm2m-retry-days"), help: ArgumentHelp("Daily LWM2M retries before a device counts as not responding (default 3).", valueName: "days"))
    var lwm2mRetryDays: Int?

    @Option(name: .customLong("open-ended-length"), help: ArgumentHelp("Length of a campaign scheduled without endDate (default 7d).", valueName: "duration"))
    var openEndedLength: String?

    @Option(name: .customLong("failure-rate"), help: ArgumentHelp("Chance that a reached device fails: R (default 0.02), or MODEL=R / FIRMWARE=R to override; repeatable.", valueName: "[MODEL=]rate"))
    var failureRates: [String] = []

    @Option(name: .customLong("licensed"), help: ArgumentHelp("Share of the fleet that holds a licence (default 70%).", valueName: "share"))
    var licensed: String?

    /// Sets what was given; an error names the flag as the operator typed it: `flagPrefix` is
    /// "--" for `fota sim`, "--sim-" for the same flags of `fota run/repl --simulate`.
    func apply(to options: inout SimulatorOptions, flagPrefix: String = "--") throws {
        if let text = validationDelay { options.validationDelay = .seconds(try SimFlagValues.seconds(text, flag: flagPrefix + "validation-delay")) }
        if let text = startDelay { options.onDemandStartDelay = .seconds(try SimFlagValues.seconds(text, flag: flagPrefix + "start-delay")) }
        if let text = upgradeDuration { options.upgradeDuration = .seconds(try SimFlagValues.seconds(text, flag: flagPrefix + "upgrade-duration")) }
        if let text = onlineWindow { options.onlineWindow = .seconds(try SimFlagValues.seconds(text, flag: flagPrefix + "online-window")) }
        if let days = oftenOffDays { options.oftenOffPeriodDays = days }
        if let text = alwaysOn { options.alwaysOnShare = try SimFlagValues.share(text, flag: flagPrefix + "always-on") }
        if let text = dailyCheckIn { options.dailyCheckInShare = try SimFlagValues.share(text, flag: flagPrefix + "daily-check-in") }
        if let text = oftenOff { options.oftenOffShare = try SimFlagValues.share(text, flag: flagPrefix + "often-off") }
        if let text = lwm2mRetryAt { options.lwm2mRetryTimeOfDay = .seconds(try SimFlagValues.timeOfDay(text, flag: flagPrefix + "lwm2m-retry-at")) }
        if let days = lwm2mRetryDays { options.lwm2mRetryDays = days }
        if let text = openEndedLength { options.openEndedCampaignLength = .seconds(try SimFlagValues.seconds(text, flag: flagPrefix + "open-ended-length")) }
        for text in failureRates {
            let (key, rate) = try SimFlagValues.failureRate(text, flag: flagPrefix + "failure-rate")
            if let key { options.failureRates[key] = rate } else { options.failureRate = rate }
        }
        if let text = licensed { options.licensedShare = try SimFlagValues.share(text, flag: flagPrefix + "licensed") }
    }
}
