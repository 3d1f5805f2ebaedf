import FotaLua
import LuaHost

/// The lines a live `fota run` prints on stderr around the script: where its changes go,
/// before it starts, and what it changed, when it ends. Never a secret: the endpoint is
/// shown as the journal shows it (no user info, query or fragment).
enum RunReport {
    static func banner(_ runtime: FotaRuntime) -> String {
        let settings = runtime.settings
        let endpoint = FotaRuntime.shownEndpoint(runtime.client?.configuration.endpoint ?? settings.endpoint)
        let profile = runtime.client.map { $0.configuration.profile ?? "(none: credentials from the environment)" } ?? "(none: no credentials)"
        let mode: String
        switch settings.mode {
        case .readOnly: mode = "read-only"
        case .dryRun: mode = "dry-run"
        case .live: mode = runtime.clock.isRehearsal ? "live (rehearsal: the endpoint is a fota sim)" : "live"
        }
        return "run against \(endpoint), account \(settings.defaultAccount ?? "(none)"), profile \(profile), mode \(mode), "
            + "journal \(runtime.activeJournal?.path ?? "(none)")"
    }

    /// One line: what the run's changes did, and the run id to find them in the journal.
    static func summary(_ runtime: FotaRuntime, status: Int32) -> String {
        let tally = runtime.ledger.tally
        let ended = status == ExitStatus.success ? "Run complete" : "Run ended with exit status \(status)"
        let unchanged = tally.unchanged > 0 ? "\(tally.unchanged) unchanged, " : ""
        let lookUp = runtime.activeJournal.map {
            " (fota journal show \(runtime.runId.prefix(8)) --journal \(TerminalText.escape($0.path, singleLine: true)))"
        } ?? ""
        return "\(ended): \(tally.added) added, \(tally.removed) removed, \(tally.scheduled) scheduled, "
            + "\(tally.cancelled) cancelled, \(unchanged)\(tally.failed) failed. Run id \(runtime.runId)\(lookUp)."
    }
}
