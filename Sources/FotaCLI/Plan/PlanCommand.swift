import ArgumentParser
import Foundation
import FotaLua
import LuaHost

/// `fota plan script.lua [args] -o plan.json`: the script as a dry run, its plan saved for `fota apply`.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Run a script as a dry run and save its plan for `fota apply`.",
        discussion: """
            The script runs as with `fota run --dry-run`: it reads ThingSpace for real and sends \
            no change; each change is checked against what ThingSpace holds now. The plan is \
            printed and saved (-o FILE, JSON): every change in order, the facts it was checked \
            against (upgrade status, device membership, each device's eligibility facts) and the \
            sha256 of the script and of its @input files. `fota apply FILE` sends exactly that \
            plan, or refuses if the facts have changed since.

            `-o FILE` may come before the script or as the last two arguments \
            (`fota plan canary.lua --count 5 -o canary.plan.json`); after `--` it belongs to the script.
            """
    )

    @OptionGroup(title: "Limits") var limits: LimitOptions
    @OptionGroup(title: "ThingSpace") var connection: ConnectionOptions
    @OptionGroup(title: "Safety and files") var safety: SafetyOptions

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Where to save the plan (JSON).", valueName: "file"))
    var output: String?

    @Option(name: .customLong("lib-path"), help: ArgumentHelp("A folder searched by require (repeatable).", valueName: "folder"))
    var libraryPaths: [String] = []

    @Flag(help: "Print the Lua traceback when the script fails.")
    var debug = false

    @Argument(help: ArgumentHelp("The Lua script to plan.", valueName: "script.lua"))
    var script: String

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("Arguments for the script.", valueName: "args"))
    var scriptArguments: [String] = []

    /// The plan file, the script's words (a leading `--` kept for ScriptArgumentRule), and a
    /// trailing `-o FILE` as written: that one is fota's, unless a `--` came before it.
    var split: (output: String?, words: [String], trailing: [String]) {
        let arguments = scriptArguments
        if arguments.first != "--", arguments.count >= 2, ["-o", "--output"].contains(arguments[arguments.count - 2]),
           !arguments.contains("--") {
            return (arguments.last, Array(arguments.dropLast(2)), Array(arguments.suffix(2)))
        }
        return (output, arguments, [])
    }

    func validate() throws {
        if safety.readOnly { throw ValidationError("fota plan is always a dry run: drop --read-only") }
        if split.output == nil { throw ValidationError("say where to save the plan: -o FILE (e.g. -o plan.json)") }
    }

    mutating func run() throws {
        let (file, words, trailing) = split
        // The same rule as `fota run`: `fota plan x.lua --dry-run -o p.json` is a usage error, not
        // a plan whose script got `--dry-run`. The corrected command shows a trailing -o before the script.
        let commandLine = Array(CommandLine.arguments.dropFirst())
        let head = commandLine.dropLast(words.count + trailing.count + 1)
        let scriptArguments = try ScriptArgumentRule.enforce(
            words, commandLine: Array(head) + trailing + [script] + words)
        let source = try ScriptExecution.read(script)
        let (arguments, inputs) = try RunCommand.inputFiles(in: scriptArguments)
        var safety = self.safety
        safety.dryRun = true
        let session: FotaSession
        do {
            session = try FotaSession.open(connection: connection, safety: safety, scriptPath: script, inputFiles: inputs)
        } catch {
            printError(error.description)
            throw ExitCode(error.status)
        }
        defer { session.close() }
        let runtime = session.runtime
        let outcome = ScriptExecution.run(
            source, scriptPath: script, arguments: arguments, libraryPaths: libraryPaths, limits: limits, runtime: runtime)
        if let plan = runtime.dryRunReport { printError(plan, prefixed: false) }
        let status = ScriptExecution.report(outcome, limits: limits, debug: debug)
        guard status == ExitStatus.success else {
            printError("the script did not finish: no plan was saved")
            throw ExitCode(status)
        }
        if runtime.plannedAccountChanges {
            printError("the script changes licences or callbacks: fota plan saves upgrade changes only (append, remove, "
                       + "schedule, cancel), so no plan was saved; run the script with fota run (--dry-run to preview it)")
            throw ExitCode(ExitStatus.usage)
        }
        var hashes: [String: String] = [:]
        for path in inputs { hashes[path] = (try? Data(contentsOf: URL(fileURLWithPath: path))).map(Self.sha256) }
        guard let plan = runtime.savedPlan(
            script: script, arguments: arguments, scriptSha256: Self.sha256(source), inputs: hashes)
        else { throw ExitCode(ExitStatus.scriptError) }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(plan).write(to: URL(fileURLWithPath: file!), options: .atomic)
        } catch {
            printError("cannot write the plan \(file!): \(fileErrorReason(error))")
            throw ExitCode(ExitStatus.scriptError)
        }
        printError("Plan saved to \(file!): apply it with `fota apply \(file!)`.", prefixed: false)
        throw ExitCode(ExitStatus.success)
    }

    static func sha256(_ data: Data) -> String { SHA256.hex(data) }
}
