#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import NIOHTTP1

/// OAuth2 client-credentials access token (`POST /api/ts/v1/oauth2/token`), cached until shortly
/// before it expires.
struct TokenProvider: Sendable {
    let cache: CredentialCache

    init(transport: HTTPTransport, credentials: Credentials, redactor: SecretRedactor) {
        cache = CredentialCache { try await Self.fetch(transport: transport, credentials: credentials, redactor: redactor) }
    }

    func token() async throws -> String {
        if let token = cache.currentIfValid() { return token }
        return try await cache.current()
    }
    func invalidate(_ token: String) async { await cache.invalidate(token) }

    static let path = "/api/ts/v1/oauth2/token"

    private static func fetch(transport: HTTPTransport, credentials: Credentials, redactor: SecretRedactor) async throws
        -> CredentialCache.Credential
    {
        let basic = Base64.encode(Array("\(credentials.clientId):\(credentials.clientSecret)".utf8))
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: "Basic \(basic)")
        headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        headers.add(name: "Accept", value: "application/json")
        let body = ByteBuffer(string: "grant_type=client_credentials")
        let response = try await transport.send(TransportRequest(
            method: .POST, path: path, headers: headers, body: body, safety: .idempotent))
        guard (200..<300).contains(response.status) else {
            let error = ErrorBody.error(for: response, method: "POST", path: path, redactor: redactor)
            if [400, 401, 403].contains(response.status) {
                let (code, message): (String?, String?) = switch error {
                case .api(let e): (e.errorCode, e.errorMessage)
                case .gatewayAuth(let e): (e.code, e.message)
                default: (nil, nil)
                }
                throw ThingSpaceError.loginRejected(LoginRejected(
                    stage: .accessToken, httpStatus: response.status, errorCode: code, errorMessage: message,
                    principal: credentials.clientId))
            }
            throw error
        }
        struct TokenBody: Decodable {
            var access_token: String
            var expires_in: Int?
        }
        guard let decoded = try? JSONDecoder().decode(TokenBody.self, from: Data(response.body.readableBytesView)),
              !decoded.access_token.isEmpty
        else {
            throw ThingSpaceError.unexpectedResponse(UnexpectedResponse(
                method: "POST", path: path, httpStatus: response.status, detail: "no access_token in the answer"))
        }
        redactor.add(decoded.access_token)
        // Renew a minute early so a token never expires between check and use.
        let lifetime = max(30, (decoded.expires_in ?? 3600) - 60)
        return .init(value: decoded.access_token, expiresAt: .now + .seconds(lifetime))
    }
}

/// Base64 without Foundation's Data dependency on the hot path.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output = [UInt8]()
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 2 < bytes.count {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            output += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            index += 3
        }
        let rest = bytes.count - index
        if rest == 1 {
            let n = UInt32(bytes[index]) << 16
            output += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
        } else if rest == 2 {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            output += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], UInt8(ascii: "=")]
        }
        return String(decoding: output, as: UTF8.self)
    }
}
