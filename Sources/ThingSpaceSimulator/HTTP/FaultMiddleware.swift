import Foundation
import Hummingbird
import NIOCore

/// Injects latency and faults into ThingSpace requests; the `/_sim` control API is never affected.
struct FaultMiddleware: RouterMiddleware {
    typealias Context = SimRequestContext
    let faults: FaultInjector
    let latency: Duration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard !Self.isControlPath(path) else { return try await next(request, context) }
        if latency > .zero { try await Task.sleep(for: latency) }
        switch faults.decide(method: request.method.rawValue, path: path) {
        case nil:
            return try await next(request, context)
        case .drop:
            try? await context.channel.close()
            throw ConnectionDropped()
        case .dropAnswer:
            // The route runs to completion (the world changes), then the answer is lost.
            _ = try? await next(request, context)
            try? await context.channel.close()
            throw ConnectionDropped()
        case .status(let code, let retryAfter):
            return Self.faultResponse(code, retryAfter: retryAfter)
        case .canned(let code, let body):
            return Reply.raw(Data(body.utf8), status: .init(code: code), contentType: "application/json")
        }
    }

    static func faultResponse(_ code: Int, retryAfter: Int?) -> Response {
        if code == 403 {
            // The gateway's XML shape for a 403 (docs/thingspace-api.md E32).
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
