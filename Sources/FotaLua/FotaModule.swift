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
        func add(_ name: String, _ function: @escaping LuaHostFunction) {
            fota[.string(LuaString(name))] = state.register(calls.guarded(name, function), doc: FotaDocs.fota[name], name: "fota." + name)
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
        add("__devicesWalk") { try calls.openWalk(.devices, $0, &$1) }
        add("__upgradesWalk") { try calls.openWalk(.upgrades, $0, &$1) }
        add("__nextPage") { try calls.nextPage($0, &$1) }
        add("now") { try calls.now($0, &$1) }
        add("sleep") { try calls.sleep($0, &$1) }
        // Taken by the prelude's fota.wait (and os.time/os.date) and removed from `fota` too.
        add("__jump") { try calls.jump($0, &$1) }
        add("__fail") { try calls.fail($0, &$1) }
        add("busy") { try calls.busy($0, &$1) }
        add("histories") { try calls.histories($0, &$1) }
        // Taken by the prelude's fota.rollout and removed from `fota`.
        add("__note") { try calls.note($0, &$1) }
        fota["state"] = .map([
            "get": state.register(calls.guarded("state.get") { try calls.stateGet($0, &$1) },
                                  doc: FotaDocs.fota["state.get"], name: "fota.state.get"),
            "put": state.register(calls.guarded("state.put") { try calls.statePut($0, &$1) },
                                  doc: FotaDocs.fota["state.put"], name: "fota.state.put"),
            "__name": "fota.state",
        ])
        if let account = runtime.settings.defaultAccount { fota["account"] = .string(account) }
        fota["mode"] = .string(runtime.settings.mode == .live ? "live" : runtime.settings.mode == .dryRun ? "dry-run" : "read-only")
        fota["__name"] = .string("fota")
        try state.setGlobal("fota", .map(fota))
        try UtilityModules.install(in: state, runtime: runtime)
        _ = try state.run(Prelude.iterators, chunkName: "=(fota)")
        _ = try state.run(Prelude.time(minimumEvery: runtime.settings.minimumWaitEvery), chunkName: "=(fota)")
        _ = try state.run(Prelude.rollout, chunkName: "=(fota.rollout)")
        for name in ["fota", "json", "log", "files"] { try state.protectGlobal(name) }
    }
}

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

    /// What one change (append, remove, schedule, cancel) does at each step of `perform`.
    struct Change<Outcome> {
        var call: String
        /// The intent line's fields (the outcome line repeats them).
        var intent: [String: LuaValue]
        /// Dry run: check what can be checked, plan the step; the outcome line's extra fields and the result.
        var dryRun: () throws -> (fields: [String: LuaValue], result: LuaValue)
        /// Live: send the request.
        var send: () throws -> Outcome
        /// The outcome line's extra fields, and what was sent in words (for when that line cannot be written).
        var outcome: (Outcome) -> (fields: [String: LuaValue], sent: String)
        /// The result for the script; raises when ThingSpace refused the call as a whole.
        var result: (Outcome) throws -> LuaValue
    }

    /// Every change goes: refuse if read-only → journal the intent → dry-run branch or send →
    /// journal the outcome → result. A failure after the intent is journaled as the outcome.
    func perform<Outcome>(_ change: Change<Outcome>, _ results: inout LuaResults) throws {
        let call = change.call
        try refuseIfReadOnly(call)
        try runtime.record(call, phase: .intent, change.intent)
        let result: LuaValue
        do {
            if runtime.settings.mode == .dryRun {
                let planned = try change.dryRun()
                try runtime.record(call, phase: .outcome, change.intent.merging(planned.fields) { $1 })
                result = planned.result
            } else {
                let outcome = try change.send()
                let recorded = change.outcome(outcome)
                try runtime.record(call, phase: .outcome, change.intent.merging(recorded.fields) { $1 }, sent: recorded.sent)
                // The outcome is journaled: a refusal raised from here is not journaled twice.
                do { result = try change.result(outcome) } catch let error as FotaCallError { throw Journaled(error: error) }
            }
        } catch let journaled as Journaled {
            throw journaled.error
        } catch let error as FotaCallError where error.code == "JOURNAL" {
            throw error
        } catch {
            try? runtime.record(call, phase: .outcome, change.intent.merging(["error": .string("\(error)")]) { $1 })
            throw error
        }
        try results.push(result)
    }

    /// An error raised after the outcome line was written.
    private struct Journaled: Error { var error: FotaCallError }
}
