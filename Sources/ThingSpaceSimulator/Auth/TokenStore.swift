import Foundation
import Synchronization

/// OAuth2 client-credentials tokens (docs/thingspace-api.md K1, T1): one live token at a time, handed out again until it expires
/// or is revoked. Lifetimes use wall time (`WallClock`), not the simulated clock (see SimClock).
final class TokenStore: Sendable {
    private struct Live {
        var token: String
        var expires: ContinuousClock.Instant
    }

    private let clientId: String
    private let clientSecret: String
    private let ttl: Duration
    private let clock: WallClock
    private let live = Mutex<Live?>(nil)

    init(clientId: String, clientSecret: String, ttl: Duration, clock: WallClock = .system) {
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.ttl = ttl
        self.clock = clock
    }

    /// Checks `Authorization: Basic …`; a missing or undecodable header is the gateway's 900902 fault.
    func checkClient(authorization: String?) throws(APIError) {
        guard let authorization, authorization.lowercased().hasPrefix("basic "),
              let data = Data(base64Encoded: String(authorization.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let pair = String(data: data, encoding: .utf8)
        else { throw .missingCredentials("oauth2") }
        guard pair == "\(clientId):\(clientSecret)" else {
            throw APIError(status: 401, shape: .oauth(error: "invalid_client", description: "Client authentication failed"))
        }
    }

    /// Returns the live token, minting a new one when there is none or it has expired.
    func issue() -> OAuthTokenJSON {
        let now = clock.now()
        let current = live.withLock { live -> Live in
            if let existing = live, existing.expires > now { return existing }
            let fresh = Live(token: Self.randomToken(), expires: now + ttl)
            live = fresh
            return fresh
        }
        let remaining = current.expires - now
        return OAuthTokenJSON(
            access_token: current.token, token_type: "Bearer",
            expires_in: max(Int(remaining.components.seconds), 0), scope: "ts.fota"
        )
    }

    func revoke(_ token: String) {
        live.withLock { live in
            if live?.token == token { live = nil }
        }
    }

    func isValid(_ token: String) -> Bool {
        let now = clock.now()
        return live.withLock { live in
            guard let live else { return false }
            return live.token == token && live.expires > now
        }
    }

    /// Control API: the current token stops working immediately.
    func expireNow() {
        live.withLock { $0 = nil }
    }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let digits = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
    }
}
