import Hummingbird
import NIOCore

extension RouterMiddleware {
    /// The `/_sim` control API is neither logged nor subject to latency or faults.
    static func isControlPath(_ path: String) -> Bool {
        path == "/_sim" || path.hasPrefix("/_sim/")
    }
}

/// Thrown after a fault closed the connection, so the outer middleware logs it as dropped.
struct ConnectionDropped: Error {}

/// Outermost middleware: turns every refusal into the documented wire shape (unknown paths become the
/// gateway's 900906 fault, anything unexpected a plain 500) and logs ThingSpace traffic.
struct TrafficMiddleware: RouterMiddleware {
    typealias Context = SimRequestContext
    let log: RequestLog

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let logged = !Self.isControlPath(path)
        if logged { log.arrive(method: request.method.rawValue) }
        let response: Response
        let status: Int
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
        if logged {
            let bytes = request.headers[.contentLength].flatMap { Int($0) } ?? 0
            log.record(method: request.method.rawValue, path: path, status: status, bodyBytes: bytes)
        }
        return response
    }
}
