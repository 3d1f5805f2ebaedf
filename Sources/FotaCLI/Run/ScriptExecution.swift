import ArgumentParser
import Foundation
import FotaLua
import LuaHost

/// The steps `fota run`, `fota plan` and `fota apply` share: read the script, run it with the
/// fota module under the limits, and say how it ended.
enum ScriptExecution {
    /// The script's text (or a plan's), read once (it may come from a pipe); status 66 after saying why not.
    static func read(_ script: String, what: String = "script") throws -> Data {
        do {
            return try ScriptFile.read(script)
        } catch {
            printError("cannot read \(what) '\(script)': \(error.reason)")
            throw ExitCode(ExitStatus.noInput)
        }
    }

    /// Runs `source` with the fota module of `runtime` installed, to its end. A wall-clock limit
    /// ends the process here, after `beforeWallClockExit`: the interpreter may be stuck in C code.
    static func run(_ source: Data, scriptPath: String, arguments: [String], libraryPaths: [String], limits: LimitOptions,
                    runtime: FotaRuntime, readsResults: Bool = false,
                    beforeWallClockExit: () -> Void = {}) -> ScriptOutcome {
        var run = ScriptRun(
            scriptPath: scriptPath, arguments: arguments,
            libraryPaths: libraryPaths + RunCommand.folders(fromEnvironment: "FOTA_PATH"),
            limits: limits.luaLimits, timeoutSeconds: limits.timeout)
        run.source = source
        run.readsResults = readsResults
        run.prepare = { state in try FotaModule.install(in: state, runtime: runtime) }
        LuaProcess.installInterruptHandler()
        let outcome = ScriptRunner.run(run)
        LuaProcess.flushStandardOutput()
        if case .limitExceeded(.wallClock) = outcome {
            printError(limits.explain(.wallClock(seconds: limits.timeout)))
            beforeWallClockExit()
            Foundation.exit(ExitStatus.limitExceeded)
        }
        return outcome
    }

    /// Prints how the run ended to stderr and returns the exit status.
    static func report(_ outcome: ScriptOutcome, limits: LimitOptions, debug: Bool) -> Int32 {
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
}
