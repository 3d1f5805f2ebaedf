import NIOConcurrencyHelpers
import NIOHTTP1

/// Keeps secrets out of logs and error messages. Header values are replaced wholesale; any
/// other text that might echo a secret (server error messages, underlying error descriptions)
/// goes through `redact(_:limit:)`, the one function that removes every known form of every
/// secret and only then shortens the text.
final class SecretRedactor: Sendable {
    static let placeholder = "<redacted>"

    /// Headers whose value is always a credential.
    static let sensitiveHeaders: Set<String> = ["authorization", "vz-m2m-token", "proxy-authorization", "cookie", "set-cookie"]

    private struct Known {
        /// Every form of every secret, longest first (so a form containing another is replaced whole).
        var forms: [String] = []
        var longest = 0
    }

    private let known = NIOLockedValueBox(Known())

    init(_ initial: [String] = []) {
        for secret in initial { add(secret) }
    }

    /// Remember a secret (client secret, password, token) so it is scrubbed from text from now on,
    /// in the forms a server may echo it: as is, URL-encoded (form bodies, query strings),
    /// JSON-escaped (echoed login bodies) and XML-escaped (gateway faults). Very short values are
    /// ignored: scrubbing "a" would mangle every message.
    func add(_ secret: String?) {
        guard let secret, secret.utf8.count >= 4 else { return }
        addForms(Self.forms(of: secret))
    }

    /// Remember the HTTP Basic credentials `id:secret`, which travel base64-encoded: an endpoint
    /// echoing the Authorization header shows the encoded form, not the secret.
    func addBasic(id: String, secret: String) {
        guard secret.utf8.count >= 4 else { return }
        let encoded = Base64.encode(Array("\(id):\(secret)".utf8))
        addForms([encoded, "Basic " + encoded])
    }

    private func addForms(_ forms: [String]) {
        known.withLockedValue { known in
            var all = Set(known.forms)
            for form in forms where form.utf8.count >= 4 { all.insert(form) }
            known.forms = all.sorted { $0.utf8.count > $1.utf8.count }
            known.longest = known.forms.first?.utf8.count ?? 0
        }
    }

    static func forms(of secret: String) -> [String] {
        var forms: Set<String> = [secret, percentEncoded(secret, spaceAsPlus: false), percentEncoded(secret, spaceAsPlus: true)]
        var json = ""
        var xml = ""
        for scalar in secret.unicodeScalars {
            switch scalar {
            case "\"": json += "\\\""; xml += "&quot;"
            case "\\": json += "\\\\"; xml.unicodeScalars.append(scalar)
            case "/": json.unicodeScalars.append(scalar); xml.unicodeScalars.append(scalar)
            case "&": json.unicodeScalars.append(scalar); xml += "&amp;"
            case "<": json.unicodeScalars.append(scalar); xml += "&lt;"
            case ">": json.unicodeScalars.append(scalar); xml += "&gt;"
            case "'": json.unicodeScalars.append(scalar); xml += "&apos;"
            default: json.unicodeScalars.append(scalar); xml.unicodeScalars.append(scalar)
            }
        }
        forms.insert(json)
        forms.insert(json.replacing("/", with: "\\/"))
        forms.insert(xml)
        return Array(forms)
    }

    /// RFC 3986 unreserved characters stay; everything else is %XX (upper-case hex).
    static func percentEncoded(_ text: String, spaceAsPlus: Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x2E, 0x5F, 0x7E: out.append(byte)
            case 0x20 where spaceAsPlus: out.append(0x2B)
            default: out += [0x25, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `text` without any form of any known secret, then cut to `limit` characters (with "…").
    /// Scrubbing comes first so that no secret survives in part across the cut.
    func redact(_ text: String, limit: Int? = nil) -> String {
        let state = known.withLockedValue { $0 }
        var result = text
        if let limit {
            // Only the first `limit` characters are kept; a secret that starts among them ends
            // within `longest` more, so that much is enough to scrub correctly.
            let window = limit + state.longest + 1
            if result.count > window { result = String(result.prefix(window)) }
        }
        for form in state.forms where result.contains(form) {
            result = result.replacing(form, with: Self.placeholder)
        }
        if let limit, result.count > limit {
            result = String(result.prefix(limit)) + "…"
        }
        return result
    }

    /// `redact(text)` with no length limit.
    func scrub(_ text: String) -> String { redact(text) }

    /// `name: value` pairs for logging, with credential headers redacted.
    func describe(_ headers: HTTPHeaders) -> String {
        headers.map { name, value in
            Self.sensitiveHeaders.contains(name.lowercased()) ? "\(name): \(Self.placeholder)" : "\(name): \(scrub(value))"
        }.joined(separator: ", ")
    }
}
