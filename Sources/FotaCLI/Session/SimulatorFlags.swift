import ArgumentParser
import ThingSpaceSimulator

/// The `--sim-*` flags of `fota run/repl --simulate`: the built-in simulator's options. Each is
/// optional so that one given without --simulate is a usage error, not silently ignored.
struct SimulatorFlags: ParsableArguments {
    @Option(name: .customLong("sim-seed"), help: "Seed of the simulated fleet (default 1).")
    var seed: UInt64?

    @Option(name: .customLong("sim-devices"), help: "Number of devices in the simulated account (default 10000).")
    var devices: Int?

    @Option(name: .customLong("sim-latency-ms"), help: "Delay added to every API request, in milliseconds (default 0).")
    var latencyMs: Int?

    /// The flags given on the command line, for the usage error without --simulate.
    var given: [String] {
        [("--sim-seed", seed != nil), ("--sim-devices", devices != nil), ("--sim-latency-ms", latencyMs != nil)]
            .filter(\.1).map(\.0)
    }

    func validate() throws {
        if let devices, !(1...2_000_000).contains(devices) {
            throw ValidationError("--sim-devices must be from 1 to 2000000, not \(devices)")
        }
        if let latencyMs, !(0...60_000).contains(latencyMs) {
            throw ValidationError("--sim-latency-ms must be from 0 to 60000, not \(latencyMs)")
        }
    }

    /// The simulator's options: its defaults, changed by the flags given.
    func options() -> SimulatorOptions {
        var options = SimulatorOptions()
        options.port = 0
        if let seed { options.seed = seed }
        if let devices { options.deviceCount = devices }
        if let latencyMs { options.latency = .milliseconds(latencyMs) }
        return options
    }
}
