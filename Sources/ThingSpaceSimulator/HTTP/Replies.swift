import Foundation
import Hummingbird

/// Builds responses in the service's wire shapes.
enum Reply {
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        // Encoding our own Codable values cannot fail; an empty object keeps the answer well-formed anyway.
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return raw(data, status: status, contentType: "application/json")
    }

    static func raw(_ data: Data, status: HTTPResponse.Status, contentType: String, extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// An empty 200, which A16 sends when no listener is registered.
    static func emptyOK() -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init())
    }

    private struct ServiceBody: Encodable {
        let errorCode: String
        let errorMessage: String
    }

    private struct FaultBody: Encodable {
        struct Fault: Encodable {
            let code: String
            let message: String
            let description: String
        }
        let fault: Fault
    }

    private struct OAuthBody: Encodable {
        let error: String
        let error_description: String
    }

    static func error(_ error: APIError) -> Response {
        let status = HTTPResponse.Status(code: error.status)
        switch error.shape {
        case .service(let code, let message):
            return json(ServiceBody(errorCode: code, errorMessage: message), status: status)
        case .gatewayFault(let code, let message, let description):
            return json(FaultBody(fault: .init(code: code, message: message, description: description)), status: status)
        case .oauth(let code, let description):
            return json(OAuthBody(error: code, error_description: description), status: status)
        }
    }
}
