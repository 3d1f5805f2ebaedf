import ArgumentParser
import Foundation
import FotaLua
import LuaHost

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a Lua script in the sandbox.",
        discussion: """
            Everything after the script path belongs to the script: `fota run canary.lua --count 5` \
            gives the script `--count` and `5` in `arg[1]`, `arg[2]` and in `...`; `arg[0]` is the \
            script path. fota's own flags (--dry-run, --simulate, --endpoint, …) go before the \
            script: one written after it is a usage error that shows the corrected command, so \
            `fota run x.lua --dry-run` never runs live. To hand such a flag to the script, write \
            `--` after the script: `fota run x.lua -- --dry-run`. An argument `@path` names an \
            input file the script may read (files.read("path")); the script sees it without the @.

            The script may be a file, `-` (standard input) or a chunk given with -e: \
            `fota run -e 'print(fota.mode)'`. A first line starting with `#!` is ignored, so \
            `chmod +x` scripts that start with `#!/usr/bin/env -S fota run` work; \
            FOTA_MODE=dry-run (or read-only, live) sets the mode such a script runs in, and a \
            flag on the command line wins over it. `require "name"` loads name.lua from the \
            script's folder, then from each --lib-path folder, then from FOTA_PATH (colon-separated).

            The script gets the `fota` module (fota.append, fota.remove, fota.upgrade, …), \
            `json`, `log` and `files`: `help()` in `fota repl` describes them, and so does \
            \(InstalledDocs.describe("lua-api.md")). Try it with \
            --simulate, which starts a simulator inside fota; --dry-run sends nothing and prints \
            the plan; every change is journaled (--journal; rehearsals in a journal of their \
            own). Under --simulate time is simulated: fota.sleep and fota.wait move the \
            simulator's clock instead of waiting, so a campaign of weeks rehearses in seconds; \
            --sim-* flags shape the simulated fleet, --timeline FILE reports what happened when.

            A live run (not --simulate, not --dry-run) prints on stderr where its changes go \
            (endpoint, account, profile, mode, journal) before the script starts, and what it \
            changed when it ends, with its run id in the journal. --max-devices N (or \
            FOTA_MAX_DEVICES) refuses any change, and the run's changes together, naming more \
            than N devices; from a terminal the limit is \(SafetyOptions.interactiveDeviceLimit) unless set (0 = no limit).

            Exit status: 0 success, 1 script error, 3 limit exceeded, \(ExitStatus.changesFailed) some changes failed \
            (with --strict), 64 usage error, 66 script or input file not readable, 78 \
            configuration error, 130 interrupted (Ctrl-C); os.exit(n) chooses its own.
            """
    )

    @OptionGroup(title: "Limits") var limits: LimitOptions
    @OptionGroup(title: "ThingSpace") var connection: ConnectionOptions
    @OptionGroup(title: "Safety and files") var safety: SafetyOptions

    @Option(name: .customLong("lib-path"), help: ArgumentHelp("A folder searched by require (repeatable).", valueName: "folder"))
    var libraryPaths: [String] = []

    @Option(help: ArgumentHelp(
        "With --simulate: write the campaign as it unfolded in simulated time (.jsonl or .csv) and print a summary.",
        valueName: "file"))
    var timeline: String?

    @Flag(help: "Print the Lua traceback when the script fails.")
    var debug = false

    @Flag(help: "Exit with status \(ExitStatus.changesFailed) when the script ends but some of its changes failed (for CI and cron).")
    var strict = false

    @Option(name: .customShort("e"), help: ArgumentHelp(
        "Run this chunk instead of a script file; every argument after the options is the chunk's.", valueName: "chunk"))
    var chunk: String?

    @Argument(help: ArgumentHelp("The Lua script to run (- reads it from standard input).", valueName: "script.lua"))
    var script: String?

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("Arguments for the script.", valueName: "args"))
    var scriptArguments: [String] = []

    func validate() throws {
        if chunk == nil, script == nil {
            throw ValidationError("give the script to run: a file, - for standard input, or -e 'chunk'")
        }
        if let timeline {
            guard connection.simulate else {
                throw ValidationError("--timeline needs --simulate: it reports what the built-in simulator saw")
            }
            if let problem = Timeline.problem(with: timeline) { throw ValidationError(problem) }
        }
    }

    mutating func run() throws {
        // With -e every positional word is the chunk's argument; otherwise the first is the script.
        let given = chunk == nil ? scriptArguments : (script.map { [$0] } ?? []) + scriptArguments
        let commandLine = Array(CommandLine.arguments.dropFirst())
        // After -e, ArgumentParser takes a `--` before the chunk's arguments itself.
        let separated = chunk != nil && commandLine.count > given.count && commandLine[commandLine.count - given.count - 1] == "--"
        let scriptWords = try ScriptArgumentRule.enforce(
            given, separated: separated, commandLine: commandLine, scriptWord: chunk == nil)
        let scriptName: String
        let source: Data
        if let chunk {
            scriptName = "(command line)"
            source = Data(chunk.utf8)
        } else {
            let path = script ?? "-" // validate() has checked there is one
            scriptName = path == "-" ? "(stdin)" : path
            do {
                source = try path == "-" ? ScriptFile.readStandardInput() : ScriptFile.read(path)
            } catch {
                printError("cannot read script '\(scriptName)': \(error.reason)")
                throw ExitCode(ExitStatus.noInput)
            }
        }
        let (arguments, inputs) = try Self.inputFiles(in: scriptWords)
        let session: FotaSession
        do {
            session = try FotaSession.open(connection: connection, safety: safety, scriptPath: scriptName, inputFiles: inputs)
        } catch {
            printError(error.description)
            throw ExitCode(error.status)
        }
        // Where changes go, before the script can make any; rehearsals and dry runs send none for real.
        // (Without credentials nothing can be sent: no banner.)
        let announced = !connection.simulate && session.runtime.settings.mode != .dryRun && session.runtime.client != nil
        if announced { printError(RunReport.banner(session.runtime)) }
        var timelineReport = timeline.map(Timeline.init(path:))
        if timelineReport != nil, let control = session.runtime.clock.rehearsal {
            timelineReport?.startedAt = (try? blockOn { try await control.now() }) ?? 0
        }
        let runtime = session.runtime
        let outcome = ScriptExecution.run(
            source, scriptPath: scriptName, arguments: arguments, libraryPaths: libraryPaths, limits: limits, runtime: runtime,
            beforeWallClockExit: {
                if announced, runtime.settings.mode == .live {
                    printError(RunReport.summary(runtime, status: ExitStatus.limitExceeded), prefixed: false)
                }
            })
        if let plan = runtime.dryRunReport { printError(plan, prefixed: false) }
        var status = report(outcome)
        if let timelineReport, !write(timelineReport, runtime: runtime), status == ExitStatus.success {
            status = ExitStatus.scriptError
        }
        if announced, runtime.settings.mode == .live { printError(RunReport.summary(runtime, status: status), prefixed: false) }
        let failed = runtime.ledger.tally.failed
        if strict, status == ExitStatus.success, failed > 0 {
            printError("--strict: \(failed) of the run's changes failed (devices, or schedule/cancel calls); exit status \(ExitStatus.changesFailed)")
            status = ExitStatus.changesFailed
        }
        session.close()
        throw ExitCode(status)
    }

    /// Writes the timeline file and prints its summary; false (after saying why) when it could not.
    private func write(_ timeline: Timeline, runtime: FotaRuntime) -> Bool {
        guard let control = runtime.clock.rehearsal else { return false }
        let events: [SimControl.Event]
        let endedAt: Int64
        do {
            (events, endedAt) = try blockOn { (try await control.events().events, try await control.now()) }
        } catch {
            printError("cannot write the timeline \(timeline.path): \(error)")
            return false
        }
        do {
            try Data(timeline.render(events).utf8).write(to: URL(fileURLWithPath: timeline.path))
        } catch {
            printError("cannot write the timeline \(timeline.path): \(fileErrorReason(error))")
            return false
        }
        printError(timeline.summary(events, endedAt: endedAt), prefixed: false)
        return true
    }

    /// `@path` arguments name input files: checked here, passed to the script without the @.
    static func inputFiles(in arguments: [String]) throws -> ([String], Set<String>) {
        var inputs = Set<String>()
        let stripped = try arguments.map { argument -> String in
            guard argument.hasPrefix("@"), argument.count > 1 else { return argument }
            let path = String(argument.dropFirst())
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue,
                FileManager.default.isReadableFile(atPath: path)
            else {
                printError("cannot read input file '\(path)' (named by \(argument)): no such readable file")
                throw ExitCode(ExitStatus.noInput)
            }
            inputs.insert(path)
            return path
        }
        return (stripped, inputs)
    }

    /// Prints how the run ended to stderr and returns the exit status.
    private func report(_ outcome: ScriptOutcome) -> Int32 {
        ScriptExecution.report(outcome, limits: limits, debug: debug)
    }

    static func folders(fromEnvironment name: String) -> [String] {
        guard let value = ProcessInfo.processInfo.environment[name] else { return [] }
        return value.split(separator: ":").map(String.init).filter { !$0.isEmpty }
    }
}
