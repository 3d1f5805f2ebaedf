import Foundation
import Hummingbird

/// Every FOTA call needs a live Bearer token and a live M2M session (docs/thingspace-api.md C2, K5); a valid call refreshes the
/// session's idle timer.
struct FotaAuthMiddleware: RouterMiddleware {
    typealias Context = SimRequestContext
    let tokens: TokenStore
    let sessions: SessionStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try Self.requireBearer(request, tokens: tokens, api: "fota")
        guard let session = request.header("VZ-M2M-Token"), sessions.touch(session) else {
            throw APIError.sessionExpired
        }
        return try await next(request, context)
    }

    static func requireBearer(_ request: Request, tokens: TokenStore, api: String) throws(APIError) {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw .missingCredentials(api)
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard tokens.isValid(token) else { throw .invalidCredentials(api) }
    }
}
