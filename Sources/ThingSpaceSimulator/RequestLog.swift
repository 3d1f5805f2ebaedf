import Synchronization

/// One ThingSpace request as the simulator saw it (control requests under `/_sim` are not logged).
struct LoggedRequest: Codable, Sendable {
    var seq: Int
    var method: String
    var path: String
    /// 0 when the connection was dropped by a fault.
    var status: Int
    var bodyBytes: Int
}

/// Counters and a bounded log of recent requests, so a test can assert "nothing was sent", count the
/// mutating calls a client made, or wait until a request has arrived (before latency and faults).
final class RequestLog: Sendable {
    static let capacity = 10_000

    struct Counts: Codable, Sendable {
        var total = 0
        /// POST/PUT/DELETE under /api/fota/v1, i.e. calls that could change a campaign or the account.
        var fotaMutating = 0
        var fota = 0
        var byMethod: [String: Int] = [:]
        var byStatus: [String: Int] = [:]
        /// Requests by method counted when they arrive, before latency, faults or handling.
        var arrivedByMethod: [String: Int] = [:]
        /// Requests arrived and not yet answered (a gauge: reset leaves it alone).
        var inFlight = 0
    }

    private struct State {
        var entries: [LoggedRequest] = []
        var counts = Counts()
        var nextSeq = 1
    }

    private let state = Mutex(State())

    /// A request has arrived; `record` follows when it has been answered (or dropped).
    func arrive(method: String) {
        state.withLock { state in
            state.counts.arrivedByMethod[method, default: 0] += 1
            state.counts.inFlight += 1
        }
    }

    func record(method: String, path: String, status: Int, bodyBytes: Int) {
        state.withLock { state in
            // A request that arrived before a reset still leaves; never below zero.
            state.counts.inFlight = max(0, state.counts.inFlight - 1)
            let isFota = path.hasPrefix("/api/fota/")
            state.counts.total += 1
            state.counts.byMethod[method, default: 0] += 1
            state.counts.byStatus[String(status), default: 0] += 1
            if isFota { state.counts.fota += 1 }
            if isFota, method != "GET", method != "HEAD" { state.counts.fotaMutating += 1 }
            state.entries.append(LoggedRequest(seq: state.nextSeq, method: method, path: path, status: status, bodyBytes: bodyBytes))
            state.nextSeq += 1
            if state.entries.count > Self.capacity + Self.capacity / 4 {
                state.entries.removeFirst(state.entries.count - Self.capacity)
            }
        }
    }

    func entries(since seq: Int) -> [LoggedRequest] {
        state.withLock { state in Array(state.entries.drop { $0.seq <= seq }.suffix(Self.capacity)) }
    }

    var counts: Counts { state.withLock { $0.counts } }

    func reset() {
        state.withLock { state in
            state.entries.removeAll()
            state.counts = Counts(inFlight: state.counts.inFlight)
        }
    }
}
