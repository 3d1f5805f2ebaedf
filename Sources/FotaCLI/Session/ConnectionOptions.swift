import ArgumentParser
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

    func validate() throws {
        if dryRun && readOnly { throw ValidationError("choose one of --dry-run and --read-only") }
    }
}
