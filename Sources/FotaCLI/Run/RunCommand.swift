import ArgumentParser
import Foundation
import FotaLua
import LuaHost

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a Lua script in the sandbox.",
        discussion: """
            Everything after the script path belongs to the script, flags included: \
            `fota run canary.lua --count 5` gives the script `--count` and `5` in `arg[1]`, \
            `arg[2]` and in `...`; `arg[0]` is the script path. An argument `@path` names an \
            input file the script may read (files.read("path")); the script sees it without the @.

            The script gets the `fota` module (fota.append, fota.remove, fota.upgrade, …), \
            `json`, `log` and `files`: see \(InstalledDocs.describe("lua-api.md")). Try it with --simulate, which starts \
            a simulator inside fota; --dry-run sends nothing and prints the plan; every change \
            is journaled (--journal; rehearsals in a journal of their own). Under --simulate \
            time is simulated: fota.sleep and fota.wait move the simulator's clock instead of \
            waiting, so a campaign of weeks rehearses in seconds; --sim-* flags shape the \
            simulated fleet, --timeline FILE reports what happened when.

            The script may come from a pipe: `fota run <(…)` or `… | fota run /dev/stdin`. \
            A first line starting with `#!` is ignored, so `chmod +x` scripts that start with \
            `#!/usr/bin/env -S fota run` work. `require "name"` loads name.lua from the \
            script's folder, then from each --lib-path folder, then from FOTA_PATH \
            (colon-separated).

            Exit status: 0 success, 1 script error, 3 limit exceeded, 64 usage error, \
            66 script or input file not readable, 78 configuration error, 130 interrupted \
            (Ctrl-C); os.exit(n) chooses its own.
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

    @Argument(help: ArgumentHelp("The Lua script to run.", valueName: "script.lua"))
    var script: String

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("Arguments for the script.", valueName: "args"))
    var scriptArguments: [String] = []

    func validate() throws {
        if let timeline {
            guard connection.simulate else {
                throw ValidationError("--timeline needs --simulate: it reports what the built-in simulator saw")
            }
            if let problem = Timeline.problem(with: timeline) { throw ValidationError(problem) }
        }
    }

    mutating func run() throws {
        let source: Data
        do {
            source = try ScriptFile.read(script)
        } catch {
            printError("cannot read script '\(script)': \(error.reason)")
            throw ExitCode(ExitStatus.noInput)
        }
        let (arguments, inputs) = try Self.inputFiles(in: scriptArguments)
        let session: FotaSession
        do {
            session = try FotaSession.open(connection: connection, safety: safety, scriptPath: script, inputFiles: inputs)
        } catch {
            printError(error.description)
            throw ExitCode(error.status)
        }
        var timelineReport = timeline.map(Timeline.init(path:))
        if timelineReport != nil, let control = session.runtime.clock.rehearsal {
            timelineReport?.startedAt = (try? blockOn { try await control.now() }) ?? 0
        }
        var run = ScriptRun(
            scriptPath: script, arguments: arguments,
            libraryPaths: libraryPaths + Self.folders(fromEnvironment: "FOTA_PATH"),
            limits: limits.luaLimits, timeoutSeconds: limits.timeout)
        run.source = source // read once: the script may come from a pipe
        run.readsResults = false // what a script returns is not the command line's business
        let runtime = session.runtime
        run.prepare = { state in try FotaModule.install(in: state, runtime: runtime) }
        LuaProcess.installInterruptHandler()
        let outcome = ScriptRunner.run(run)
        LuaProcess.flushStandardOutput()
        if case .limitExceeded(.wallClock) = outcome {
            // The interpreter may be stuck in C code: report and leave without waiting for it.
            printError(limits.explain(.wallClock(seconds: limits.timeout)))
            Foundation.exit(ExitStatus.limitExceeded)
        }
        if let plan = runtime.dryRunReport { printError(plan, prefixed: false) }
        var status = report(outcome)
        if let timelineReport, !write(timelineReport, runtime: runtime), status == ExitStatus.success {
            status = ExitStatus.scriptError
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
        switch outcome {
        case .finished:
            return ExitStatus.success
        case .exited(let status):
            return status
        case .interrupted:
            printError("interrupted")
            return ExitStatus.interrupted
        case .limitExceeded(let limit):
            printError(limits.explain(limit))
            return ExitStatus.limitExceeded
        case .failed(let error):
            printError(error.description)
            if debug, let traceback = error.traceback { printError(traceback, prefixed: false) }
            return ExitStatus.scriptError
        }
    }

    static func folders(fromEnvironment name: String) -> [String] {
        guard let value = ProcessInfo.processInfo.environment[name] else { return [] }
        return value.split(separator: ":").map(String.init).filter { !$0.isEmpty }
    }
}
