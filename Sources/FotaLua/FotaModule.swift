import Foundation
import LuaHost
import ThingSpace

/// Installs `fota`, `json`, `log` and `files` in a sandboxed state. Host
/// tables are read-only; their functions are documented in `FotaDocs`
/// (the same text as docs/lua-api.md and fota.d.lua).
public enum FotaModule {
    public static func install(in state: LuaState, runtime: FotaRuntime) throws {
        _ = try state.run(Prelude.errorMetatable, chunkName: "=(fota)")
        let calls = FotaCalls(runtime: runtime, errorMetatable: try state.reference(global: "__fota_error_mt"))
        try state.setGlobal("__fota_error_mt", .nil)

        var fota: [LuaKey: LuaValue] = [:]
        /// `shownAs`: the name errors give a hidden function, that of the call scripts make.
        func add(_ name: String, shownAs: String? = nil, _ function: @escaping LuaHostFunction) {
            fota[.string(LuaString(name))] = state.register(
                calls.guarded(name, function), doc: FotaDocs.fota[name], name: "fota." + (shownAs ?? name))
        }
        add("append") { try calls.change(.append, $0, &$1) }
        add("remove") { try calls.change(.remove, $0, &$1) }
        add("upgrade") { try calls.upgrade($0, &$1) }
        add("schedule") { try calls.schedule($0, &$1) }
        add("cancel") { try calls.cancel($0, &$1) }
        add("firmware") { try calls.firmware($0, &$1) }
        add("history") { try calls.history($0, &$1) }
        add("devicesPage") { try calls.devicesPage($0, &$1) }
        add("upgradesPage") { try calls.upgradesPage($0, &$1) }
        // Taken by the prelude's iterators and removed from `fota` before the script runs.
        add("__devicesWalk", shownAs: "devices") { try calls.openWalk(.devices, $0, &$1) }
        add("__upgradesWalk", shownAs: "upgrades") { try calls.openWalk(.upgrades, $0, &$1) }
        add("__nextPage") { try calls.nextPage($0, &$1) }
        add("subscription") { try calls.subscription($0, &$1) }
        add("licenses") { try calls.licenses($0, &$1) }
        add("assignLicenses") { try calls.changeLicences(assign: true, $0, &$1) }
        add("removeLicenses") { try calls.changeLicences(assign: false, $0, &$1) }
        add("licensesToRemove") { try calls.licensesToRemove($0, &$1) }
        add("setLicensesToRemove") { try calls.setLicencesToRemove($0, &$1) }
        add("clearLicensesToRemove") { try calls.clearLicencesToRemove($0, &$1) }
        add("callbacks") { try calls.callbacks($0, &$1) }
        add("registerCallback") { try calls.registerCallback($0, &$1) }
        add("deleteCallback") { try calls.deleteCallback($0, &$1) }
        add("now") { try calls.now($0, &$1) }
        add("sleep") { try calls.sleep($0, &$1) }
        // Taken by the prelude's fota.wait (and os.time/os.date) and removed from `fota` too.
        add("__jump") { try calls.jump($0, &$1) }
        add("__fail") { try calls.fail($0, &$1) }
        // Taken by the prelude's fota.args (its usage text goes to stderr) and removed from `fota` too.
        add("__stderr") { try calls.standardError($0, &$1) }
        add("busy") { try calls.busy($0, &$1) }
        add("histories") { try calls.histories($0, &$1) }
        // Taken by the prelude's fota.rollout and removed from `fota`.
        add("__note") { try calls.note($0, &$1) }
        fota["state"] = .map([
            "get": state.register(calls.guarded("state.get") { try calls.stateGet($0, &$1) },
                                  doc: FotaDocs.fota["state.get"], name: "fota.state.get"),
            "put": state.register(calls.guarded("state.put") { try calls.statePut($0, &$1) },
                                  doc: FotaDocs.fota["state.put"], name: "fota.state.put"),
        ])
        if let account = runtime.settings.defaultAccount { fota["account"] = .string(account) }
        fota["mode"] = .string(runtime.settings.mode == .live ? "live" : runtime.settings.mode == .dryRun ? "dry-run" : "read-only")
        try state.setGlobal("fota", .map(fota))
        try UtilityModules.install(in: state, runtime: runtime)
        _ = try state.run(Prelude.iterators, chunkName: "=(fota)")
        _ = try state.run(Prelude.time(minimumEvery: runtime.settings.minimumWaitEvery), chunkName: "=(fota)")
        _ = try state.run(Prelude.helpers, chunkName: "=(fota)")
        // Each proxy is named after its global (in its metatable, not among its fields).
        _ = try state.run(Prelude.rollout, chunkName: "=(fota.rollout)")
        for name in ["fota", "json", "log", "files"] { try state.protectGlobal(name) }
    }
}

extension FotaCalls.Change {
    /// A change sent as one request (no batch lines).
    init(call: String, intent: [String: LuaValue], dryRun: @escaping () throws -> (fields: [String: LuaValue], result: any CallResult),
         send: @escaping () throws -> Outcome, outcome: @escaping (Outcome) -> (fields: [String: LuaValue], sent: String),
         result: @escaping (Outcome) throws -> any CallResult) {
        self.init(call: call, intent: intent, dryRun: dryRun, send: { _ in try send() }, outcome: outcome, result: result)
    }
}

/// What a change call returns to the script, written into its results at the end of `perform`.
protocol CallResult {
    func write(into results: inout LuaResults) throws
}

extension LuaValue: CallResult {
    func write(into results: inout LuaResults) throws { try results.push(self) }
}

extension LuaModels.ChangeTable: CallResult {}

/// The host functions behind `fota.*`.
final class FotaCalls {
    let runtime: FotaRuntime
    let errorMetatable: Int32
    /// Open page walks of `fota.devices`/`fota.upgrades` loops, by handle (see `openWalk`).
    var walks = PageWalks()

    init(runtime: FotaRuntime, errorMetatable: Int32) {
        self.runtime = runtime
        self.errorMetatable = errorMetatable
    }

    /// Gives API errors this state's error metatable, and client errors a Lua shape.
    func guarded(_ call: String, _ body: @escaping LuaHostFunction) -> LuaHostFunction {
        let metatable = errorMetatable
        return { arguments, results in
            do {
                try body(arguments, &results)
            } catch var error as FotaCallError {
                error.metatable = metatable
                throw error
            } catch let error as ThingSpaceError {
                var wrapped = FotaCallError(call: call, error)
                wrapped.metatable = metatable
                throw wrapped
            }
        }
    }

    func refuseIfReadOnly(_ call: String) throws {
        if runtime.settings.mode == .readOnly {
            throw FotaCallError(call: call, code: "READ_ONLY", message: "fota.\(call) changes ThingSpace and this run is \(runtime.settings.hints.readOnly)")
        }
    }

    // MARK: - The one path of every change

    /// What one change (append, remove, schedule, cancel, licences, callbacks) does at each step of `perform`.
    struct Change<Outcome> {
        var call: String
        /// The intent line's fields (the outcome line repeats them).
        var intent: [String: LuaValue]
        /// Dry run: check what can be checked, plan the step; the outcome line's extra fields and the result.
        var dryRun: () throws -> (fields: [String: LuaValue], result: any CallResult)
        /// Live: send the request(s); a change sent in batches journals each through the `ChangeJournal`.
        var send: (ChangeJournal) throws -> Outcome
        /// The outcome line's extra fields, and what was sent in words (for when that line cannot be written).
        var outcome: (Outcome) -> (fields: [String: LuaValue], sent: String)
        /// The result for the script; raises when ThingSpace refused the call as a whole.
        var result: (Outcome) throws -> any CallResult

        /// Devices the change names (its intent's `deviceCount` or `devices`), for the run's device limit.
        var devices: Int {
            if case .integer(let count)? = intent["deviceCount"] { return Int(count) }
            if case .array(let list)? = intent["devices"] { return list.count }
            return 0
        }
    }

    /// Every change goes: refuse if read-only → refuse above the device limit → journal the intent →
    /// dry-run branch or send (tallied in the ledger) → journal the outcome → result. A failure after
    /// the intent is journaled as the outcome.
    func perform<Outcome>(_ change: Change<Outcome>, _ results: inout LuaResults) throws {
        let call = change.call
        try refuseIfReadOnly(call)
        // The device limit (--max-devices) refuses before the intent is journaled: nothing is sent.
        try runtime.ledger.admit(call, devices: change.devices, limitName: runtime.settings.hints.maxDevices)
        let journal = ChangeJournal(
            runtime: runtime, call: call, number: runtime.nextChange(),
            base: change.intent.filter { $0.key == "account" || $0.key == "upgradeId" })
        try journal.record(.intent, change.intent)
        let result: any CallResult
        do {
            if runtime.settings.mode == .dryRun {
                let planned = try change.dryRun()
                try journal.record(.outcome, change.intent.merging(planned.fields) { $1 })
                result = planned.result
            } else {
                let outcome: Outcome
                do { outcome = try change.send(journal) } catch {
                    runtime.ledger.fail(call, devices: change.devices) // for the end-of-run summary
                    throw error
                }
                runtime.ledger.settle(call, outcome: outcome)
                let recorded = change.outcome(outcome)
                try journal.record(.outcome, change.intent.merging(recorded.fields) { $1 }, sent: recorded.sent)
                // The outcome is journaled: a refusal raised from here is not journaled twice.
                do { result = try change.result(outcome) } catch let error as FotaCallError { throw Journaled(error: error) }
            }
        } catch let journaled as Journaled {
            throw journaled.error
        } catch var error as FotaCallError where error.code == "JOURNAL" {
            if journal.sentBatches { error.message += "; " + journal.batchStanding }
            throw error
        } catch {
            var fields = change.intent.merging(["error": .string("\(error)")]) { $1 }
            if journal.sentBatches { fields["batchStanding"] = .string(journal.batchStanding) }
            try? journal.record(.outcome, fields)
            if var interrupted = error as? CallInterrupted, journal.sentBatches {
                interrupted.standing = journal.batchStanding
                throw interrupted
            }
            throw error
        }
        try result.write(into: &results)
    }

    /// An error raised after the outcome line was written.
    private struct Journaled: Error { var error: FotaCallError }
}
