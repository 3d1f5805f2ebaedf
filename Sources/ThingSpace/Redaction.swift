import NIOConcurrencyHelpers
import NIOHTTP1

/// Keeps secrets out of logs and error messages. Header values are replaced wholesale; any
/// other text that might echo a secret (server error messages, underlying error descriptions)
/// has every known secret value replaced.
final class SecretRedactor: Sendable {
    static let placeholder = "<redacted>"

    /// Headers whose value is always a credential.
    static let sensitiveHeaders: Set<String> = ["authorization", "vz-m2m-token", "proxy-authorization", "cookie", "set-cookie"]

    private let secrets = NIOLockedValueBox<Set<String>>([])

    init(_ initial: [String] = []) {
        for secret in initial { add(secret) }
    }

    /// Remember a secret (client secret, password, token) so it is scrubbed from text from now on.
    /// Very short values are ignored: scrubbing "a" would mangle every message.
    func add(_ secret: String?) {
        guard let secret, secret.utf8.count >= 4 else { return }
        secrets.withLockedValue { _ = $0.insert(secret) }
    }

    func scrub(_ text: String) -> String {
        let known = secrets.withLockedValue { $0 }
        var result = text
        // Longest first, so a secret containing another is replaced whole.
        for secret in known.sorted(by: { $0.utf8.count > $1.utf8.count }) where result.contains(secret) {
            result = result.replacing(secret, with: Self.placeholder)
        }
        return result
    }

    /// `name: value` pairs for logging, with credential headers redacted.
    func describe(_ headers: HTTPHeaders) -> String {
        headers.map { name, value in
            Self.sensitiveHeaders.contains(name.lowercased()) ? "\(name): \(Self.placeholder)" : "\(name): \(scrub(value))"
        }.joined(separator: ", ")
    }
}
