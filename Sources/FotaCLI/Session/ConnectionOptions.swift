import ArgumentParser
import FotaLua
import Foundation
import ThingSpace

/// Where the `fota` module sends its calls: the built-in simulator or a
/// ThingSpace endpoint with credentials from a profile or the environment.
struct ConnectionOptions: ParsableArguments {
    @Flag(help: "Run against a simulator started inside fota (no credentials needed).")
    var simulate = false

    @OptionGroup(title: "Simulator (with --simulate)") var simulator: SimulatorFlags

    @Option(help: "ThingSpace base URL (default https://thingspace.verizon.com, or FOTA_ENDPOINT).")
    var endpoint: String?

    @Option(help: "Profile in ~/.config/fota/config and credentials (or FOTA_PROFILE).")
    var profile: String?

    @Option(help: "Account used unless a call gives opts.account (or FOTA_ACCOUNT).")
    var account: String?

    @Option(name: .customLong("ca-file"), help: ArgumentHelp("PEM file of certificate authorities to trust for https instead of the system's (or FOTA_CA_FILE, or ca_file in the profile).", valueName: "path"))
    var caFile: String?

    @Option(name: .customLong("batch-size"), help: "Devices per add/remove request.")
    var batchSize = 1000

    @Option(help: "Add/remove requests in flight at once.")
    var concurrency = 4

    @Flag(help: "Log every request (method, path, status, duration) to stderr; secrets are redacted.")
    var verbose = false

    func validate() throws {
        guard (1...10_000).contains(batchSize) else { throw ValidationError("--batch-size must be from 1 to 10000, not \(batchSize)") }
        guard (1...64).contains(concurrency) else { throw ValidationError("--concurrency must be from 1 to 64, not \(concurrency)") }
        if !simulate, let flag = simulator.given.first {
            throw ValidationError("\(flag) only applies with --simulate (it sets up the built-in simulator)")
        }
        if simulate, endpoint != nil || profile != nil {
            throw ValidationError("--simulate runs against the built-in simulator: drop --endpoint and --profile")
        }
    }

    var flags: ConfigurationFlags {
        ConfigurationFlags(profile: profile, endpoint: endpoint, account: account, caFile: caFile, names: ConfigurationFlags.commandLineNames)
    }
}

/// Dry run, read-only mode, the journal and the folders scripts may use.
struct SafetyOptions: ParsableArguments {
    @Flag(name: .customLong("dry-run"), help: "Validate and record changes without sending them; print the plan at the end.")
    var dryRun = false

    @Flag(name: .customLong("read-only"), help: "Refuse every call that would change ThingSpace.")
    var readOnly = false

    @Option(help: ArgumentHelp("Journal file (JSON Lines) of every change (default $XDG_STATE_HOME/fota/journal.jsonl; rehearsal-journal.jsonl there for --simulate and fota sim endpoints).", valueName: "path"))
    var journal: String?

    @Option(help: ArgumentHelp("Folder of fota.state values (default $XDG_STATE_HOME/fota/state; rehearsal-state there for fota sim endpoints; in memory for --simulate, whose simulator ends with the run).", valueName: "folder"))
    var state: String?

    @Option(name: .customLong("in"), help: ArgumentHelp("A folder whose files the script may read with files.read.", valueName: "folder"))
    var inputFolder: String?

    @Option(name: .customLong("out"), help: ArgumentHelp("The folder the script may write reports to.", valueName: "folder"))
    var outputFolder: String?

    @Option(name: .customLong("max-devices"), help: ArgumentHelp(
        "Refuse any change, or the run's changes together, naming more than N devices (or FOTA_MAX_DEVICES; 0 = no limit; default \(Self.interactiveDeviceLimit) from a terminal, none otherwise).",
        valueName: "N"))
    var maxDevices: Int?

    func validate() throws {
        if dryRun && readOnly { throw ValidationError("choose one of --dry-run and --read-only") }
        _ = try mode(environment: ProcessInfo.processInfo.environment)
        _ = try deviceLimit(environment: ProcessInfo.processInfo.environment, interactive: false)
    }

    /// The run's mode: --dry-run or --read-only, else FOTA_MODE (so a `#!` script can be
    /// dry-run: `FOTA_MODE=dry-run ./campaign.lua`), else live. A flag wins over the variable.
    func mode(environment: [String: String]) throws -> FotaMode {
        if dryRun { return .dryRun }
        if readOnly { return .readOnly }
        switch environment["FOTA_MODE"] ?? "" {
        case "": return .live
        case "live": return .live
        case "dry-run": return .dryRun
        case "read-only": return .readOnly
        case let other:
            throw ValidationError("FOTA_MODE '\(other)' is not a mode: use dry-run, read-only or live")
        }
    }

    /// Devices allowed to one change and to the run's changes together, and how the operator
    /// set that limit: --max-devices, else FOTA_MAX_DEVICES, else `interactiveDefault` when
    /// `interactive`; 0 means no limit.
    func deviceLimit(environment: [String: String], interactive: Bool) throws -> (limit: Int, source: String)? {
        let chosen: (Int, String)
        if let maxDevices {
            chosen = (maxDevices, "--max-devices \(maxDevices)")
        } else if let text = environment["FOTA_MAX_DEVICES"], !text.isEmpty {
            guard let value = Int(text) else {
                throw ValidationError("FOTA_MAX_DEVICES '\(text)' is not a number of devices (0 = no limit)")
            }
            chosen = (value, "FOTA_MAX_DEVICES=\(value)")
        } else if interactive {
            chosen = (Self.interactiveDeviceLimit, "the default of a run from a terminal; change it with --max-devices N or FOTA_MAX_DEVICES")
        } else {
            return nil
        }
        guard chosen.0 >= 0 else {
            throw ValidationError("\(chosen.1.hasPrefix("--") ? "--max-devices" : "FOTA_MAX_DEVICES") must be 0 (no limit) or more devices, not \(chosen.0)")
        }
        return chosen.0 == 0 ? nil : chosen
    }

    /// The device limit of a run started from a terminal when neither --max-devices nor
    /// FOTA_MAX_DEVICES is given: a slip at the prompt ("all devices" instead of a canary)
    /// stops before it reaches a fleet; scripts run by cron or CI have no default.
    static let interactiveDeviceLimit = 1000
}
