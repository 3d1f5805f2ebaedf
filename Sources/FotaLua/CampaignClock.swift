import Foundation
import LuaHost
import Synchronization

/// ThingSpace's clock as a run sees it: the wall clock live; the simulator's clock in a rehearsal
/// (`--simulate`, or an endpoint that answers the simulator's `GET /_sim/clock`, probed once per
/// run on first need). A rehearsal moves the simulated clock instead of waiting, so days of a
/// campaign take seconds.
public final class CampaignClock: Sendable {
    /// How the run finds out whether it is a rehearsal.
    public enum Kind: Sendable, Equatable {
        /// `--simulate`: the endpoint is the built-in simulator.
        case simulator(endpoint: String)
        /// Ask the endpoint once (`GET /_sim/clock`) when it first matters.
        case probe(endpoint: String)
        /// No endpoint to ask (no credentials): live.
        case live
    }

    private let kind: Kind
    private struct State {
        var decided: SimControl?? = nil
        /// Fractions of a second a rehearsal's sleeps have not moved the whole-second clock by yet.
        var carry: Double = 0
    }
    private let state = Mutex(State())

    public init(_ kind: Kind) {
        self.kind = kind
    }

    /// The simulator's control API when this run is a rehearsal, nil when it is live.
    public var rehearsal: SimControl? {
        if let decided = state.withLock({ $0.decided }) { return decided }
        let found: SimControl?
        switch kind {
        case .simulator(let endpoint): found = SimControl(baseURL: endpoint)
        case .live: found = nil
        case .probe(let endpoint):
            let isSimulator = (try? runBlocking { await SimControl.probe(endpoint) }) ?? false
            found = isSimulator == true ? SimControl(baseURL: endpoint) : nil
        }
        state.withLock { $0.decided = .some(found) }
        return found
    }

    public var isRehearsal: Bool { rehearsal != nil }

    /// Seconds since the epoch (UTC), with fractions when live.
    func now(_ stop: LuaStopSignal, call: String) throws -> Double {
        guard let control = rehearsal else { return Date.now.timeIntervalSince1970 }
        return Double(try simulator(stop, call: call) { try await control.now() })
    }

    /// Live: blocks the interpreter thread (no CPU) until `seconds` have passed, or raises when the
    /// run is stopping (Ctrl-C, --timeout). Rehearsal: moves the simulated clock at once; fractions
    /// of a second are carried to the next sleep, as the simulator keeps whole seconds.
    func sleep(_ seconds: Double, _ stop: LuaStopSignal, call: String) throws {
        guard let control = rehearsal else {
            let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
            while true {
                if stop.isRequested { throw CallInterrupted(call: "fota." + call) }
                let now = DispatchTime.now().uptimeNanoseconds
                if now >= deadline { return }
                // Short slices: Ctrl-C and the watchdog are noticed within 20 ms.
                usleep(useconds_t(min(deadline - now, 20_000_000) / 1000))
            }
        }
        let whole = state.withLock { state -> Int64 in
            let total = state.carry + seconds
            let whole = total.rounded(.down)
            state.carry = total - whole
            return Int64(whole)
        }
        guard whole > 0 else { return }
        _ = try simulator(stop, call: call) { try await control.advance(seconds: whole) }
    }

    /// Why a rehearsal's jump through simulated time stopped.
    enum Jump: String {
        /// The upgrade changed (its status, or with `statusOnly` false anything about it).
        case changed
        /// The simulated clock reached the deadline first.
        case deadline
        /// Nothing more will change on its own, and there is no deadline.
        case never
    }

    /// Rehearsal: moves the simulated clock from one scheduled change of the upgrade to the next
    /// (`GET /_sim/next-change`) until it changes as asked, never past `deadline` (simulated epoch
    /// seconds). Runs in Swift, without reading the whole upgrade at each step, so a campaign of
    /// thousands of devices, each ending at its own time, still rehearses in seconds. nil when live.
    func jump(upgradeId: String, deadline: Double?, statusOnly: Bool, _ stop: LuaStopSignal, call: String) throws -> Jump? {
        guard let control = rehearsal else { return nil }
        let limit = deadline ?? .infinity
        return try simulator(stop, call: call) {
            var cursor = try await control.events(upgradeId: upgradeId).next
            while true {
                try Task.checkCancellation()
                let (at, now) = try await control.nextChange(upgradeId: upgradeId)
                if Double(now) >= limit { return .deadline }
                guard let target = at.map({ min(Double($0), limit) }) ?? deadline else { return .never }
                // At least a second, so a change that is due but not yet seen cannot make this spin.
                _ = try await control.advance(seconds: max(1, Int64((target - Double(now)).rounded(.up))))
                let (events, next) = try await control.events(since: cursor, upgradeId: upgradeId)
                cursor = next
                if events.contains(where: { !statusOnly || $0.kind == "upgrade" }) { return .changed }
                if target >= limit { return .deadline }
            }
        }
    }

    private func simulator<T: Sendable>(
        _ stop: LuaStopSignal, call: String, _ operation: @escaping @Sendable () async throws -> T
    ) throws -> T {
        do {
            return try waitFor(stop, call: "fota." + call, operation)
        } catch let failure as SimControl.Failure {
            throw FotaCallError(call: call, code: "SIMULATOR", message: failure.description)
        }
    }
}
