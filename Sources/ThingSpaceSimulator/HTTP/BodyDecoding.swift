import Foundation
import Hummingbird

/// Reads request bodies defensively: capped size, and anything empty, non-UTF-8, unparsable or of the
/// wrong JSON types becomes the documented `Input binding error` instead of a crash or a 500.
enum BodyDecoding {
    static let tooLarge = APIError(status: 413, shape: .service(code: "INVALID_PARAMETER", message: "Request body too large"))

    static func bytes(of request: Request, limit: Int) async throws(APIError) -> Data {
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Data(buffer.readableBytesView)
        } catch {
            throw tooLarge
        }
    }

    /// `strictKeys`: read request keys only in their documented spelling (see `RequestKeys`).
    static func json<T: Decodable>(_ type: T.Type, from request: Request, limit: Int, strictKeys: Bool = false) async throws(APIError) -> T {
        try decode(T.self, from: try await bytes(of: request, limit: limit), strictKeys: strictKeys)
    }

    /// Types with a single-pass reader (`FastReadableRequest`) try it first; it reads only what
    /// `decodeWithFoundation` would read the same way, and leaves everything else to it.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, strictKeys: Bool = false) throws(APIError) -> T {
        if let reader = T.self as? any FastReadableRequest.Type,
           let value = data.withUnsafeBytes({ reader.fastRead($0) }) as? T {
            return value
        }
        return try decodeWithFoundation(T.self, from: data, strictKeys: strictKeys)
    }

    /// The reference reading of every body, and the only one that reports errors.
    static func decodeWithFoundation<T: Decodable>(_ type: T.Type, from data: Data, strictKeys: Bool = false) throws(APIError) -> T {
        guard !data.isEmpty else { throw .inputBinding }
        do {
            let decoder = JSONDecoder()
            decoder.userInfo[RequestKey.strict] = strictKeys
            return try decoder.decode(T.self, from: data)
        } catch {
            throw .inputBinding
        }
    }

    /// Parses `application/x-www-form-urlencoded` (OAuth endpoints).
    static func form(_ data: Data) -> [String: String] {
        guard let text = String(data: data, encoding: .utf8) else { return [:] }
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (part: Substring) in
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }
}
