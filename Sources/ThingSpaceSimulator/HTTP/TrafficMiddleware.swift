import Foundation
import Hummingbird
import NIOCore

/// Thrown after a fault closed the connection, so the outer middleware logs it as dropped.
struct ConnectionDropped: Error {}

/// Outermost middleware: turns every refusal into the documented wire shape (unknown paths become the
/// gateway's 900906 fault, anything unexpected a plain 500) and logs ThingSpace traffic.
struct TrafficMiddleware: RouterMiddleware {
    typealias Context = SimRequestContext
    let log: RequestLog

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let response: Response
        var status: Int
        do {
            response = try await next(request, context)
            status = response.status.code
        } catch let error as APIError {
            response = Reply.error(error)
            status = error.status
        } catch let error as HTTPError where error.status == .notFound {
            response = Reply.error(.noMatchingResource)
            status = 400
        } catch is ConnectionDropped {
            response = Response(status: .internalServerError)
            status = 0
        } catch {
            response = Reply.error(APIError(status: 500, shape: .service(code: "REQUEST_FAILED.UnexpectedError", message: "Unexpected error")))
            status = 500
        }
        if !path.hasPrefix("/_sim") {
            let bytes = request.headers[.contentLength].flatMap { Int($0) } ?? 0
            log.record(method: request.method.rawValue, path: path, status: status, bodyBytes: bytes)
        }
        return response
    }
}

/// Injects latency and faults into ThingSpace requests; the `/_sim` control API is never affected.
struct FaultMiddleware: RouterMiddleware {
    typealias Context = SimRequestContext
    let faults: FaultInjector
    let latency: Duration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard !path.hasPrefix("/_sim") else { return try await next(request, context) }
        if latency > .zero { try await Task.sleep(for: latency) }
        switch faults.decide(method: request.method.rawValue, path: path) {
        case nil:
            return try await next(request, context)
        case .drop:
            try? await context.channel.close()
            throw ConnectionDropped()
        case .status(let code, let retryAfter):
            return Self.faultResponse(code, retryAfter: retryAfter)
        }
    }

    static func faultResponse(_ code: Int, retryAfter: Int?) -> Response {
        if code == 403 {
            // The gateway's XML shape for a 403 (§6.3).
            let xml = #"<am:fault xmlns:am="http://wso2.org/apimanager"><am:code>404</am:code><am:type>Status report</am:type><am:message>Not Found</am:message><am:description>Simulated gateway fault</am:description></am:fault>"#
            return Reply.raw(Data(xml.utf8), status: .forbidden, contentType: "application/xml")
        }
        let shape: APIError.Shape = code == 429
            ? .gatewayFault(code: "900800", message: "Message throttled out", description: "Simulated rate limit")
            : .service(code: "REQUEST_FAILED.UnexpectedError", message: "Simulated fault \(code)")
        var response = Reply.error(APIError(status: code, shape: shape))
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }
}

/// Every FOTA call needs a live Bearer token and a live M2M session (§2.3); a valid call refreshes the
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
