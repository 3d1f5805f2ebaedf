import ArgumentParser
import ThingSpaceSimulator

/// The `--sim-*` flags of `fota run/repl --simulate`: the built-in simulator's options, named as
/// `fota sim`'s flags. Each is optional so that one given without --simulate is a usage error,
/// not silently ignored.
struct SimulatorFlags: ParsableArguments {
    @Option(name: .customLong("sim-seed"), help: "Seed of the simulated fleet (default 1).")
    var seed: UInt64?

    @Option(name: .customLong("sim-devices"), help: "Number of devices in the simulated account (default 10000).")
    var devices: Int?

    @Option(name: .customLong("sim-latency-ms"), help: "Delay added to every API request, in milliseconds (default 0).")
    var latencyMs: Int?

    @Option(name: .customLong("sim-failure-rate"), help: ArgumentHelp(
        "Share (0…1) of reached devices whose upgrade fails (default 0.02); MODEL=R or FIRMWARE=R sets it for one model or firmware image (repeatable).",
        valueName: "rate"))
    var failureRates: [String] = []

    @Option(name: .customLong("sim-clock-rate"), help: "Simulated seconds per real second (default 0: the clock moves only when the script waits).")
    var clockRate: Double?

    /// The flags given on the command line, for the usage error without --simulate.
    var given: [String] {
        [("--sim-seed", seed != nil), ("--sim-devices", devices != nil), ("--sim-latency-ms", latencyMs != nil),
         ("--sim-failure-rate", !failureRates.isEmpty), ("--sim-clock-rate", clockRate != nil)]
            .filter(\.1).map(\.0)
    }

    func validate() throws {
        if let devices, !(1...2_000_000).contains(devices) {
            throw ValidationError("--sim-devices must be from 1 to 2000000, not \(devices)")
        }
        if let latencyMs, !(0...60_000).contains(latencyMs) {
            throw ValidationError("--sim-latency-ms must be from 0 to 60000, not \(latencyMs)")
        }
        if let clockRate, !(clockRate >= 0 && clockRate.isFinite) {
            throw ValidationError("--sim-clock-rate must be 0 or more simulated seconds per second, not \(clockRate)")
        }
        _ = try rates()
    }

    /// `--sim-failure-rate` values: the overall rate (nil: the simulator's default) and per-model or firmware rates.
    func rates() throws -> (overall: Double?, by: [String: Double]) {
        var overall: Double?
        var by: [String: Double] = [:]
        for text in failureRates {
            let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = parts.count == 2 ? String(parts[0]) : nil
            guard let rate = Double(parts.last ?? ""), (0...1).contains(rate), key.map({ !$0.isEmpty }) ?? true else {
                throw ValidationError("--sim-failure-rate '\(text)' must be a share from 0 to 1 (0.1), or MODEL=share (BG96=0.5)")
            }
            if let key { by[key] = rate } else { overall = rate }
        }
        return (overall, by)
    }

    /// The simulator's options: its defaults, changed by the flags given.
    func options() -> SimulatorOptions {
        var options = SimulatorOptions()
        options.port = 0
        if let seed { options.seed = seed }
        if let devices { options.deviceCount = devices }
        if let latencyMs { options.latency = .milliseconds(latencyMs) }
        if let clockRate { options.clockRate = clockRate }
        if let rates = try? rates() {
            if let overall = rates.overall { options.failureRate = overall }
            options.failureRates.merge(rates.by) { $1 }
        }
        return options
    }
}
