#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import NIOHTTP1

/// VZ-M2M session (`POST /api/m2m/v1/session/login`), cached and reused. A refused login is
/// never retried: ThingSpace locks the account after 5 failed logins.
struct SessionProvider: Sendable {
    let cache: CredentialCache
    private let transport: HTTPTransport
    private let tokens: TokenProvider

    static let loginPath = "/api/m2m/v1/session/login"
    static let logoutPath = "/api/m2m/v1/session/logout"
    /// ThingSpace ends a session after 20 idle minutes; renew a little before that.
    static let idleLifetime: Duration = .seconds(19 * 60)

    init(transport: HTTPTransport, tokens: TokenProvider, credentials: Credentials, redactor: SecretRedactor) {
        self.transport = transport
        self.tokens = tokens
        cache = CredentialCache(slidingLifetime: Self.idleLifetime) {
            try await Self.login(transport: transport, tokens: tokens, credentials: credentials, redactor: redactor)
        }
    }

    func session() async throws -> String {
        if let session = cache.currentIfValid() { return session }
        return try await cache.current()
    }
    func invalidate(_ session: String) async { await cache.invalidate(session) }

    private static func login(transport: HTTPTransport, tokens: TokenProvider, credentials: Credentials,
                              redactor: SecretRedactor) async throws -> CredentialCache.Credential {
        var refreshedToken = false
        while true {
            let token = try await tokens.token()
            var headers = HTTPHeaders()
            headers.add(name: "Authorization", value: "Bearer \(token)")
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Accept", value: "application/json")
            struct LoginBody: Encodable { var username: String; var password: String }
            let json = try JSONEncoder().encode(LoginBody(username: credentials.username, password: credentials.password))
            let response = try await transport.send(TransportRequest(
                method: .POST, path: loginPath, headers: headers, body: ByteBuffer(bytes: json), safety: .idempotent))
            if (200..<300).contains(response.status) {
                struct SessionBody: Decodable { var sessionToken: String }
                guard let decoded = try? JSONDecoder().decode(SessionBody.self, from: Data(response.body.readableBytesView)),
                      !decoded.sessionToken.isEmpty
                else {
                    throw ThingSpaceError.unexpectedResponse(UnexpectedResponse(
                        method: "POST", path: loginPath, httpStatus: response.status, detail: "no sessionToken in the answer"))
                }
                redactor.add(decoded.sessionToken)
                return .init(value: decoded.sessionToken, expiresAt: .now + idleLifetime)
            }
            let error = ErrorBody.error(for: response, method: "POST", path: loginPath, redactor: redactor)
            switch error {
            case .gatewayAuth(let fault) where fault.isTokenRejection && !refreshedToken:
                // The access token was refused, not the user's password: fetch a new token once.
                refreshedToken = true
                await tokens.invalidate(token)
                continue
            case .gatewayAuth:
                throw error
            case .api(let api) where [400, 401, 403].contains(api.httpStatus):
                throw ThingSpaceError.loginRejected(LoginRejected(
                    stage: .session, httpStatus: api.httpStatus, errorCode: api.errorCode, errorMessage: api.errorMessage,
                    principal: credentials.username))
            default:
                throw error
            }
        }
    }

    /// Ends the session if one was opened. Best effort, one attempt: a run must not fail at exit.
    func logout(redactor: SecretRedactor) async {
        guard let session = await cache.peek() else { return }
        await cache.clear()
        var headers = HTTPHeaders()
        if let token = await tokens.cache.peek() { headers.add(name: "Authorization", value: "Bearer \(token)") }
        headers.add(name: "VZ-M2M-Token", value: session)
        headers.add(name: "Accept", value: "application/json")
        do {
            let response = try await transport.send(TransportRequest(
                method: .POST, path: Self.logoutPath, headers: headers, body: nil, safety: .notIdempotent))
            if !(200..<300).contains(response.status) {
                let error = ErrorBody.error(for: response, method: "POST", path: Self.logoutPath, redactor: redactor)
                transport.logger.debug("logout: \(error.description)")
            }
        } catch {
            transport.logger.debug("logout: \(redactor.scrub(String(describing: error)))")
        }
    }
}
