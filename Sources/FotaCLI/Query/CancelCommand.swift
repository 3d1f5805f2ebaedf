import ArgumentParser
import Foundation
import FotaLua
import LuaHost
import ThingSpace

/// `fota cancel ID`: cancels an upgrade that has not started. The one change among the one-shot
/// commands, so it takes the one change path: it runs `fota.cancel(id)` in the sandbox with the
/// session's runtime, and the journal, --dry-run and the rehearsal journal apply as in any script.
struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel an upgrade that has not started (a change: journaled).",
        discussion: """
            Runs fota.cancel(id) as a script would: the change is journaled (--journal; rehearsals \
            in a journal of their own) and --dry-run validates and records it without sending it. \
            On a terminal it shows the upgrade and asks first, unless --yes; without a terminal \
            nobody can answer, so it refuses (status 64) unless --yes, as fota apply does. Exit status 0 when ThingSpace cancelled the upgrade (or, with \
            --dry-run, would be asked to), 1 when it did not or the answer was no.
            """)

    @Argument(help: ArgumentHelp("The upgrade's id (a UUID).", valueName: "id"))
    var upgradeId: String

    @Flag(name: .customLong("dry-run"), help: "Validate and record the cancellation without sending it; print the plan.")
    var dryRun = false

    @Flag(name: [.customShort("y"), .customLong("yes")], help: "Do not ask on a terminal.")
    var yes = false

    @Option(help: ArgumentHelp("Journal file (JSON Lines) of every change (as fota run --journal).", valueName: "path"))
    var journal: String?

    @OptionGroup(title: "Output") var output: OutputOptions
    @OptionGroup(title: "ThingSpace") var connection: ConnectionOptions

    static let columns = ["id", "success", "dryRun"]

    func validate() throws {
        do { try Validators.upgradeId(upgradeId) } catch { throw ValidationError("'\(upgradeId)' is not an upgrade id: a UUID like 3f2b6c1e-9a4d-4f7e-8b2a-1c5d6e7f8a9b") }
    }

    func run() throws {
        var safety = dryRun ? ["--dry-run"] : []
        if let journal { safety += ["--journal", journal] }
        let session = try QueryRun.open("cancel", connection: connection, safety: safety)
        defer { session.close() }
        if !yes && !dryRun {
            guard try confirm(session) else {
                printError("cancel: not cancelled")
                throw ExitCode.failure
            }
        }
        // The id travels as the chunk's argument, never spliced into its text.
        var run = ScriptRun(scriptPath: "fota cancel", arguments: [upgradeId], limits: LuaLimits(), timeoutSeconds: 600)
        run.source = Data("local id = ...\nreturn fota.cancel(id)\n".utf8)
        let runtime = session.runtime
        run.prepare = { state in try FotaModule.install(in: state, runtime: runtime) }
        LuaProcess.installInterruptHandler()
        let outcome = ScriptRunner.run(run)
        LuaProcess.uninstallInterruptHandler()
        if let plan = runtime.dryRunReport { printError(plan, prefixed: false) }
        let result: LuaValue
        switch outcome {
        case .finished(let values):
            result = values.first ?? .nil
        case .failed(let error):
            // The chunk is fota's own: its position ("fota cancel:2:") tells the operator nothing.
            var message = error.message
            if message.hasPrefix("fota cancel:"), let position = message.range(of: ": ") {
                message = String(message[position.upperBound...])
            }
            printError("cancel: \(message)")
            throw ExitCode.failure
        case .interrupted:
            printError("interrupted")
            throw ExitCode(ExitStatus.interrupted)
        case .limitExceeded(let limit):
            printError("cancel: \(limit)")
            throw ExitCode.failure
        case .exited(let status):
            throw ExitCode(status)
        }
        let record = Self.record(result)
        try writeAnswer(QueryAnswer(json: record, columns: Self.columns, records: [record]).render(output.format))
        if record["success"] != .boolean(true) { throw ExitCode.failure }
    }

    /// Shows the upgrade and asks on the terminal (the one rule: `Confirmation`); false unless the answer is yes.
    private func confirm(_ session: FotaSession) throws -> Bool {
        guard isatty(STDIN_FILENO) == 1, isatty(STDERR_FILENO) == 1 else {
            return try Confirmation.ask("", accepting: [], yes: false, action: "cancel the upgrade")
        }
        let (client, account) = try QueryRun.connect("cancel", session: session)
        let upgradeId = self.upgradeId
        let upgrade: FirmwareUpgrade
        do {
            upgrade = try blockOn { try await client.upgrade(account: account, upgradeId: upgradeId) }
        } catch {
            printError("cancel: \(error)")
            throw ExitCode.failure
        }
        let what = "upgrade \(upgrade.id) to \(upgrade.firmwareTo ?? "?") (\(upgrade.status?.rawValue ?? "no status"), "
            + "\(upgrade.deviceList.count) devices, from \(upgrade.startDate ?? "?")) on \(session.endpointDescription)"
        return try Confirmation.ask("cancel \(what)? [y/N] ", accepting: ["y", "yes"], yes: false, action: "cancel the upgrade")
    }

    /// fota.cancel's result table (`{success, id}`, `dryRun` under --dry-run) as a record.
    static func record(_ value: LuaValue) -> QueryValue {
        guard case .map(let fields) = value else { return .object([:]) }
        var object: [String: QueryValue] = [:]
        for (key, value) in fields {
            guard case .string(let name) = key else { continue }
            switch value {
            case .boolean(let b): object[name.description] = .boolean(b)
            case .string(let s): object[name.description] = .string(s.description)
            case .integer(let i): object[name.description] = .integer(i)
            default: continue // the result has only these kinds of field
            }
        }
        return .object(object)
    }
}
