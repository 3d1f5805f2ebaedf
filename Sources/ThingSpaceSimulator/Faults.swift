import Synchronization

/// What a fault does to a request instead of serving it.
enum FaultAction: Sendable, Equatable {
    /// Answer with this HTTP status (429 carries `Retry-After`).
    case status(Int, retryAfter: Int?)
    /// Answer with this status and JSON body instead of serving the request (e.g. a page whose
    /// cursor does not move).
    case canned(Int, body: String)
    /// Close the connection without answering.
    case drop
    /// Serve the request (its effect happens), then close the connection instead of answering:
    /// a timeout after the work was done, as the client sees it.
    case dropAnswer
}

/// A targeted fault from the control API: applies to the next `remaining` requests matching it.
struct FaultRule: Codable, Sendable {
    var method: String?
    var pathPrefix: String?
    var remaining: Int
    var status: Int?
    var retryAfter: Int?
    var drop: Bool?
    /// Apply the request, then drop its answer.
    var dropAnswer: Bool?
    /// Answer with this JSON body (and `status`, default 200) instead of serving the request.
    var body: String?

    func matches(method: String, path: String) -> Bool {
        (self.method.map { $0.uppercased() == method } ?? true) && (pathPrefix.map { path.hasPrefix($0) } ?? true)
    }

    var action: FaultAction {
        if dropAnswer == true { return .dropAnswer }
        if let body { return .canned(status ?? 200, body: body) }
        return drop == true ? .drop : .status(status ?? 503, retryAfter: retryAfter)
    }
}

/// Decides, per ThingSpace request, whether to inject a fault: targeted rules first (in the order they were
/// added), then the random `faultRate`, drawn from a seeded generator so a run is reproducible.
final class FaultInjector: Sendable {
    private struct State {
        var rules: [FaultRule] = []
        var random: SeededGenerator
        var injected = 0
    }

    private let rate: Double
    private let state: Mutex<State>

    init(rate: Double, seed: UInt64) {
        self.rate = rate
        state = Mutex(State(random: SeededGenerator(seed: seed ^ 0xFA17)))
    }

    func add(_ rule: FaultRule) {
        state.withLock { $0.rules.append(rule) }
    }

    func clear() {
        state.withLock { $0.rules.removeAll() }
    }

    var rules: [FaultRule] { state.withLock { $0.rules } }
    var injectedCount: Int { state.withLock { $0.injected } }

    func decide(method: String, path: String) -> FaultAction? {
        state.withLock { state -> FaultAction? in
            if let index = state.rules.firstIndex(where: { $0.matches(method: method, path: path) }) {
                let action = state.rules[index].action
                state.rules[index].remaining -= 1
                if state.rules[index].remaining <= 0 { state.rules.remove(at: index) }
                state.injected += 1
                return action
            }
            guard rate > 0 else { return nil }
            let draw = Double(state.random.next() >> 11) / Double(1 << 53)
            guard draw < rate else { return nil }
            state.injected += 1
            // The four failure kinds of the brief, equally likely.
            switch state.random.below(4) {
            case 0: return .status(500, retryAfter: nil)
            case 1: return .status(503, retryAfter: nil)
            case 2: return .status(429, retryAfter: 1)
            default: return .drop
            }
        }
    }
}
