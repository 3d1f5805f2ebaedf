import ArgumentParser
import CLineEdit
import Foundation
import LuaHost

struct ReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "An interactive Lua prompt in the same sandbox as `fota run`.",
        discussion: """
            Expressions print their value (tables pretty-printed); `_` holds the last result. \
            Tab completes globals, fields and paths, through indexes too (fw[1].firm), reading \
            tables raw. Ctrl-C clears the line, or stops \
            the running chunk and returns to the prompt with everything defined so far intact. \
            Ctrl-D on an empty line exits with status 0. help() at the prompt says more; \
            help(fota) lists the module and help(fota.append) describes a function.

            The prompt has the same `fota` module, options and sandbox as `fota run`: try \
            `fota repl --simulate`, and --dry-run or --read-only before touching real upgrades.

            History is kept in $XDG_STATE_HOME/fota/history (or ~/.local/state/fota/history), \
            capped at 1000 lines.

            When standard input is not a terminal there is no prompt, banner or line editing: \
            chunks are read and run one after another, so `fota repl < session.lua` works, and \
            the exit status is 1 if any chunk failed.
            """
    )

    @OptionGroup(title: "Limits (per chunk)") var limits: LimitOptions
    @OptionGroup(title: "ThingSpace") var connection: ConnectionOptions
    @OptionGroup(title: "Safety and files") var safety: SafetyOptions

    @Option(name: .customLong("lib-path"), help: ArgumentHelp("A folder searched by require (repeatable).", valueName: "folder"))
    var libraryPaths: [String] = []

    static let historyLimit = 1000

    mutating func run() throws {
        let session: FotaSession
        do {
            session = try FotaSession.open(connection: connection, safety: safety, scriptPath: "(repl)", inputFiles: [])
        } catch {
            printError(error.description)
            throw ExitCode(error.status)
        }
        let settings = ReplSettings(
            limits: limits, libraryPaths: libraryPaths + RunCommand.folders(fromEnvironment: "FOTA_PATH"),
            interactive: isatty(STDIN_FILENO) == 1, session: session)
        let done = DispatchSemaphore(value: 0)
        let status = StatusBox()
        // The prompt runs on a thread with the interpreter's ample stack.
        let thread = Thread {
            status.value = ReplLoop(settings: settings).run()
            done.signal()
        }
        thread.stackSize = ScriptRunner.interpreterStackBytes
        thread.start()
        done.wait()
        if let plan = session.runtime.dryRunReport { printError(plan, prefixed: false) }
        session.close()
        throw ExitCode(status.value)
    }
}

struct ReplSettings: Sendable {
    var limits: LimitOptions
    var libraryPaths: [String]
    var interactive: Bool
    var session: FotaSession
}

// @unchecked Sendable: written by the prompt thread before it signals, read after the wait.
private final class StatusBox: @unchecked Sendable {
    var value: Int32 = 0
}
