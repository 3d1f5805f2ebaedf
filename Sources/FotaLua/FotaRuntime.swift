import Foundation
import LuaHost
import Synchronization
import ThingSpace

/// Everything the `fota` module needs for one run: the client, the settings,
/// the journal and the dry-run plan. Shared with the interpreter thread.
public final class FotaRuntime: Sendable {
    public let settings: FotaSettings
    /// nil when no credentials are configured: reads and live changes then fail with a clear error.
    public let client: ThingSpaceClient?
    public let journal: Journal?
    /// Where a rehearsal's lines go instead (nil: to `journal`), so a rehearsal never writes
    /// into the production journal.
    public let rehearsalJournal: Journal?
    /// ThingSpace's clock as this run sees it, and whether the run is a rehearsal.
    public let clock: CampaignClock
    let plan = DryRunPlan()
    /// What the run's changes asked for and did: the device limit and the end-of-run summary.
    public let ledger: ChangeLedger
    /// Ties the journal lines of one run together.
    public let runId: String
    /// Numbers the changes of this run (1, 2, …): `change` ties a call's lines and its batches' lines.
    private let changes = Mutex(0)
    /// fota.state's folder, and the one a rehearsal uses instead (nil: `state`), like the journals.
    public let state: CampaignState
    public let rehearsalState: CampaignState?
    /// fota.schedule's idempotency keys, indexed from the journal once per run.
    let scheduleKeys = ScheduleKeys()

    public init(settings: FotaSettings, client: ThingSpaceClient?, journal: Journal?, rehearsalJournal: Journal? = nil,
                clock: CampaignClock? = nil, state: CampaignState = CampaignState(folder: nil),
                rehearsalState: CampaignState? = nil) {
        self.settings = settings
        self.client = client
        self.journal = journal
        self.rehearsalJournal = rehearsalJournal
        self.state = state
        self.rehearsalState = rehearsalState
        self.clock = clock ?? CampaignClock(client == nil ? .live : .probe(endpoint: client!.configuration.endpoint))
        runId = UUID().uuidString.lowercased()
        ledger = ChangeLedger(maxDevices: settings.maxDevices)
    }

    /// The journal this run writes to: the rehearsal journal in a rehearsal (when there is one).
    public var activeJournal: Journal? {
        guard let rehearsalJournal, clock.isRehearsal else { return journal }
        return rehearsalJournal
    }

    /// True when the dry run planned a change to the account (licences, callbacks), which saved plans do not hold.
    public var plannedAccountChanges: Bool { plan.steps.contains { $0.call == "account" } }
    /// The state folder this run uses: the rehearsal one in a rehearsal (when there is one).
    public var activeState: CampaignState {
        guard let rehearsalState, clock.isRehearsal else { return state }
        return rehearsalState
    }

    /// The dry-run plan as text, or nil when this is not a dry run.
    public var dryRunReport: String? { settings.mode == .dryRun ? plan.render() : nil }

    /// The endpoint as journal lines name it (and schedule keys are scoped by).
    var journalEndpoint: String { Self.shownEndpoint(client?.configuration.endpoint ?? settings.endpoint) }

    /// The endpoint without user info, query or fragment: a journal line never carries a secret.
    public static func shownEndpoint(_ endpoint: String) -> String {
        guard var parts = URLComponents(string: endpoint) else { return "(unparseable endpoint)" }
        parts.user = nil
        parts.password = nil
        parts.query = nil
        parts.fragment = nil
        return parts.string ?? "(unparseable endpoint)"
    }

    func requireClient(_ call: String) throws -> ThingSpaceClient {
        guard let client else {
            let hint = settings.hints.credentials.map { ": " + $0 } ?? ""
            throw FotaCallError(call: call, code: "NO_CREDENTIALS", message: "no ThingSpace credentials" + hint)
        }
        return client
    }

    /// The next change number of this run.
    func nextChange() -> Int {
        changes.withLock { count in
            count += 1
            return count
        }
    }

    /// Writes a journal record (no-op without a journal). A failure to write stops the call: at
    /// the intent, before anything is sent (an unrecorded change must not be sent); at the
    /// outcome, after the request was sent, so the error says what was sent (`sent`).
    func record(_ call: String, phase: JournalPhase, _ fields: [String: LuaValue], sent: String? = nil) throws {
        try record(call, phase: phase.rawValue, fields, sent: sent)
    }

    /// `record` with any phase name: `reconcile` (what a key's read-back found), `decision` (fota.rollout).
    func record(_ call: String, phase: String, _ fields: [String: LuaValue], sent: String? = nil) throws {
        guard let journal = activeJournal else { return }
        var record = fields
        record["time"] = .string(Date.now.formatted(.iso8601))
        record["runId"] = .string(runId)
        record["endpoint"] = .string(journalEndpoint)
        record["rehearsal"] = .boolean(clock.isRehearsal)
        record["script"] = .string(settings.scriptPath)
        record["call"] = .string(call)
        record["phase"] = .string(phase)
        record["dryRun"] = .boolean(settings.mode == .dryRun)
        do {
            try journal.append(record)
        } catch {
            let consequence: String
            switch (phase, sent) {
            case ("intent", _), ("batchIntent", _), (_, nil):
                consequence = sent.map { "this request was not sent (\($0))" } ?? "nothing was sent"
            case (_, let sent?):
                consequence = "the request WAS sent (\(sent)) but the journal has no outcome line for it"
            }
            throw FotaCallError(call: call, code: "JOURNAL", message: "\(error); \(consequence)")
        }
    }
}

/// The two lines every change writes: the intent before the request, the outcome after it; a
/// bulk append/remove also writes both for each batch (one request) in between.
enum JournalPhase: String, Sendable {
    case intent
    case outcome
    case batchIntent
    case batchOutcome
}

/// An error raised into Lua as a table: `code`, `message`, `status` (HTTP, when
/// there was an answer), `call`, with a readable `tostring`.
struct FotaCallError: Error, LuaErrorValue, CustomStringConvertible {
    var call: String
    var code: String
    var message: String
    var status: Int?
    /// Registry reference of the error metatable of the state it is raised in.
    var metatable: Int32 = 0

    init(call: String, code: String, message: String, status: Int? = nil) {
        self.call = call
        self.code = code
        self.message = message
        self.status = status
    }

    init(call: String, _ error: ThingSpaceError) {
        switch error {
        case .api(let e):
            self.init(call: call, code: e.errorCode ?? "HTTP_\(e.httpStatus)", message: e.errorMessage ?? e.description, status: e.httpStatus)
        case .gatewayAuth(let e):
            self.init(call: call, code: "GATEWAY_\(e.code)", message: e.message ?? e.description, status: e.httpStatus)
        case .transport(let e):
            self.init(call: call, code: "TRANSPORT_\(e.kind.rawValue.uppercased())", message: e.description)
        case .validation(let e):
            self.init(call: call, code: "INVALID_ARGUMENT", message: e.description)
        case .loginRejected(let e):
            self.init(call: call, code: "LOGIN_REJECTED", message: e.description, status: e.httpStatus)
        case .configuration(let e):
            self.init(call: call, code: "CONFIGURATION", message: e.description)
        case .unexpectedResponse(let e):
            self.init(call: call, code: "UNEXPECTED_RESPONSE", message: e.description)
        case .scheduleOutcomeUnknown(let e):
            self.init(call: call, code: "OUTCOME_UNKNOWN", message: e.description)
        }
    }

    var summary: String {
        "fota.\(call): \(code): \(message)" + (status.map { " (HTTP \($0))" } ?? "")
    }

    var description: String { summary }

    var luaErrorValue: LuaValue {
        LuaModels.table([
            ("call", .string("fota." + call)), ("code", .string(code)), ("message", .string(message)),
            ("status", status.map { .integer(Int64($0)) } ?? .nil), (LuaErrorValueText.field, .string(summary)),
        ])
    }

    var luaErrorMetatable: Int32? { metatable == 0 ? nil : metatable }
}
