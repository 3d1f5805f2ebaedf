import Foundation
import Synchronization

/// M2M sessions (docs/thingspace-api.md K3, T2, T3): sliding idle expiry, and a lockout after five consecutive bad passwords that
/// keeps refusing even the right password until unlocked through the control API.
final class SessionStore: Sendable {
    static let lockoutThreshold = 5

    private struct State {
        var lastUsed: [String: ContinuousClock.Instant] = [:]
        var consecutiveFailures = 0
        var locked = false
    }

    private let username: String
    private let password: String
    private let idle: Duration
    private let clock: WallClock
    private let state = Mutex(State())

    init(username: String, password: String, idle: Duration, clock: WallClock = .system) {
        self.username = username
        self.password = password
        self.idle = idle
        self.clock = clock
    }

    static func failure(_ code: String, _ message: String) -> APIError {
        APIError(status: 400, shape: .service(code: "UnifiedWebService.\(code)", message: message))
    }

    func login(username: String?, password: String?) throws(APIError) -> SessionTokenJSON {
        guard let username, let password, !username.isEmpty else {
            throw Self.failure("INPUT_INVALID.RequestUndefined", "username and password are required.")
        }
        let now = clock.now()
        return try state.withLock { state throws(APIError) -> SessionTokenJSON in
            guard username == self.username else {
                throw Self.failure("REQUEST_FAILED.InvalidCredentials", "Invalid username or password.")
            }
            guard !state.locked else {
                throw Self.failure("REQUEST_FAILED.UserLocked", "The user is locked. Contact Verizon support.")
            }
            guard password == self.password else {
                state.consecutiveFailures += 1
                if state.consecutiveFailures >= Self.lockoutThreshold { state.locked = true }
                throw Self.failure("REQUEST_FAILED.InvalidCredentials", "Invalid username or password.")
            }
            state.consecutiveFailures = 0
            // Clients that log in over and over without logging out would otherwise grow this forever.
            if state.lastUsed.count >= 10_000 {
                state.lastUsed = state.lastUsed.filter { now - $0.value < idle }
            }
            let token = UUID().uuidString.lowercased()
            state.lastUsed[token] = now
            return SessionTokenJSON(sessionToken: token)
        }
    }

    /// True when the session is alive; using it restarts its idle timer.
    func touch(_ token: String) -> Bool {
        let now = clock.now()
        return state.withLock { state in
            guard let last = state.lastUsed[token] else { return false }
            guard now - last < idle else {
                state.lastUsed[token] = nil
                return false
            }
            state.lastUsed[token] = now
            return true
        }
    }

    func logout(_ token: String?) throws(APIError) -> SessionTokenJSON {
        guard let token, touch(token) else { throw .sessionExpired }
        state.withLock { _ = $0.lastUsed.removeValue(forKey: token) }
        return SessionTokenJSON(sessionToken: token)
    }

    /// Control API: every session is dropped.
    func expireAll() {
        state.withLock { $0.lastUsed.removeAll() }
    }

    /// Control API: clears the lockout and the failure count.
    func unlock() {
        state.withLock {
            $0.locked = false
            $0.consecutiveFailures = 0
        }
    }

    var isLocked: Bool { state.withLock { $0.locked } }
    var sessionCount: Int { state.withLock { $0.lastUsed.count } }
}
