#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore

/// Turns a non-2xx answer into the matching `ThingSpaceError`. Three shapes exist: the service's
/// `{errorCode, errorMessage}`, the gateway's `{"fault": {code, message, description}}` (or its XML
/// variant) and the OAuth server's `{error, error_description}`.
enum ErrorBody {
    /// Longest excerpt of a server's text kept in an error.
    static let excerptLimit = 200

    /// Every text taken from the answer goes through `redactor.redact`, whatever the shape: an
    /// endpoint that echoes the request may put a secret anywhere.
    static func error(for response: TransportResponse, method: String, path: String, redactor: SecretRedactor) -> ThingSpaceError {
        let status = response.status
        let bytes = Array(response.body.readableBytesView)
        func clean(_ text: String?) -> String? {
            text.map { redactor.redact($0, limit: excerptLimit) }
        }
        if let object = try? JSONSerializationLite.object(bytes) {
            if let fault = object["fault"] as? [String: Any] {
                let code = clean(text(fault["code"])) ?? "unknown"
                return .gatewayAuth(GatewayFault(httpStatus: status, code: code, message: clean(text(fault["message"])),
                                                 method: method, path: path))
            }
            let code = text(object["errorCode"]) ?? text(object["error"])
            let message = text(object["errorMessage"]) ?? text(object["error_description"]) ?? text(object["message"])
            if code != nil || message != nil {
                return .api(APIError(httpStatus: status, errorCode: clean(code), errorMessage: clean(message),
                                     method: method, path: path))
            }
        }
        let raw = String(decoding: bytes, as: UTF8.self)
        if raw.contains("<am:fault"), let code = xmlElement("am:code", in: raw) {
            return .gatewayAuth(GatewayFault(httpStatus: status, code: clean(code) ?? "unknown",
                                             message: clean(xmlElement("am:message", in: raw)), method: method, path: path))
        }
        let excerpt = redactor.redact(raw, limit: excerptLimit).split(whereSeparator: \.isNewline).joined(separator: " ")
        return .api(APIError(httpStatus: status, errorCode: nil, errorMessage: excerpt.isEmpty ? nil : excerpt,
                             method: method, path: path))
    }

    private static func text(_ value: Any?) -> String? {
        switch value {
        case let string as String: return string
        case let number as Int: return String(number)
        case let number as Double: return number.rounded() == number ? String(Int(number)) : String(number)
        default: return nil
        }
    }

    private static func xmlElement(_ name: String, in text: String) -> String? {
        guard let open = text.firstRange(of: "<\(name)>"), let close = text.firstRange(of: "</\(name)>"),
              open.upperBound <= close.lowerBound else { return nil }
        return String(text[open.upperBound..<close.lowerBound])
    }
}

/// Minimal untyped JSON object decoding through `Decodable`, enough for error bodies (flat
/// objects with string/number/bool/object values) without pulling in JSONSerialization.
enum JSONSerializationLite {
    static func object(_ bytes: [UInt8]) throws -> [String: Any] {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        guard case .object(let object) = value else { throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not an object")) }
        return object.mapValues(\.any)
    }
}

enum JSONValue: Decodable {
    case string(String), number(Double), bool(Bool), object([String: JSONValue]), array([JSONValue]), null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([String: JSONValue].self) { self = .object(value) }
        else { self = .array(try container.decode([JSONValue].self)) }
    }

    var any: Any {
        switch self {
        case .string(let value): return value
        case .number(let value): return value.rounded() == value && abs(value) < 1e15 ? Int(value) : value
        case .bool(let value): return value
        case .object(let value): return value.mapValues(\.any)
        case .array(let value): return value.map(\.any)
        case .null: return NSNullLite()
        }
    }
}

struct NSNullLite {}
