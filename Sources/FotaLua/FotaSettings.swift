import Foundation

/// How mutating calls behave in a run.
public enum FotaMode: String, Sendable {
    /// Calls are sent.
    case live
    /// Calls are validated, journaled and recorded in the plan, never sent.
    case dryRun
    /// Mutating calls raise an error naming the call.
    case readOnly
}

/// What a run of the `fota` module is allowed to do, set from the command line.
public struct FotaSettings: Sendable {
    public var mode: FotaMode = .live
    /// The account calls use unless `opts.account` says otherwise.
    public var defaultAccount: String?
    /// Where the journal is appended; nil = no journal (tests of read-only calls).
    public var journalPath: String?
    /// Files the operator named with `@path` on the command line: the script may read them.
    public var inputFiles: Set<String> = []
    /// A folder whose files the script may read (`--in`).
    public var inputFolder: String?
    /// The only folder the script may write reports to (`--out`).
    public var outputFolder: String?
    /// The script's path as given, for the journal.
    public var scriptPath: String = ""
    /// Show a progress bar for long bulk calls (stderr is a terminal).
    public var showProgress: Bool = false
    /// Endpoint shown in messages (never credentials).
    public var endpoint: String = ""
    /// Devices per PUT and PUTs in flight, for bulk calls.
    public var batchSize: Int = 1000
    public var concurrency: Int = 4
    /// Smallest `every` of a live fota.wait, in seconds, so a script cannot hammer ThingSpace.
    /// Tests of live polling lower it; the command line never does.
    public var minimumWaitEvery: Double = 10
    /// How refusals tell the operator to change the setting behind them.
    public var hints = FotaHints()
    /// The most devices one change, and the run's changes together, may name (checked before
    /// anything is journaled or sent); nil = no limit.
    public var maxDevices: Int?

    public init() {}
}

/// Words telling the operator how to change the setting behind a refusal, in the terms of the
/// layer that owns the settings: the command line names its flags. FotaLua knows no flags, so
/// the defaults name none.
public struct FotaHints: Sendable {
    /// How to give ThingSpace credentials, after "no ThingSpace credentials: ".
    public var credentials: String?
    /// How to give a default account, after "no account: pass opts.account, or ".
    public var account: String?
    /// The read-only mode as the operator chose it, after "this run is ".
    public var readOnly: String
    /// The folders scripts read from and write to, as the operator names them ("the X folder").
    public var inputFolder: String
    public var outputFolder: String
    /// How to let a script read a file, after "the script may not read 'NAME': "; NAME stands for it.
    public var readFile: String
    /// How to let a script write reports, after "the script may not write 'NAME': ".
    public var writeFiles: String
    /// How the operator set the device limit, in the refusal of a change above it ("--max-devices 1000").
    public var maxDevices: String = "the run's device limit"

    public init(
        credentials: String? = nil, account: String? = nil, readOnly: String = "read-only",
        inputFolder: String = "input", outputFolder: String = "output",
        readFile: String = "the operator gave this run no such file",
        writeFiles: String = "this run has no output folder"
    ) {
        self.credentials = credentials
        self.account = account
        self.readOnly = readOnly
        self.inputFolder = inputFolder
        self.outputFolder = outputFolder
        self.readFile = readFile
        self.writeFiles = writeFiles
    }
}
