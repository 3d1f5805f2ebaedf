#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One parsed INI-like profile file (`config` or `credentials`), remembering where each value came
/// from so errors can name the file and line.
struct ProfileFile: Sendable {
    enum Kind: Sendable {
        /// `[default]` and `[profile NAME]` sections (aws `config` style).
        case config
        /// `[NAME]` sections (aws `credentials` style); `[profile NAME]` is accepted too.
        case credentials
    }

    struct Entry: Sendable {
        var value: String
        var line: Int
    }

    struct Section: Sendable {
        var line: Int
        var entries: [String: Entry] = [:]
    }

    static let knownKeys: Set<String> = ["endpoint", "account", "client_id", "client_secret", "username", "password", "ca_file"]
    static let secretKeys: Set<String> = ["client_secret", "password"]

    let path: String
    let sections: [String: Section]
    let holdsSecrets: Bool

    /// Reads and parses `path`; nil when the file does not exist.
    static func load(path: String, kind: Kind) throws(ThingSpaceError) -> ProfileFile? {
        guard let text = try readFile(path) else { return nil }
        let file = try parse(text, path: path, kind: kind)
        if file.holdsSecrets || kind == .credentials {
            try checkPrivate(path)
        }
        return file
    }

    /// The lines of `text`: split on `\n` and `\r\n` (a Swift `Character` holds `\r\n` as one
    /// grapheme, so splitting on "\n" would keep a Windows file as one line), with a leading
    /// UTF-8 byte order mark removed.
    static func lines(_ text: String) -> [Substring] {
        var body = Substring(text)
        if body.unicodeScalars.first == "\u{FEFF}" { body = body.dropFirst() }
        var lines: [Substring] = []
        var start = body.startIndex
        var index = body.startIndex
        let scalars = body.unicodeScalars
        while index < body.endIndex {
            if scalars[index] == "\n" {
                var end = index
                if end > start, scalars[scalars.index(before: end)] == "\r" { end = scalars.index(before: end) }
                lines.append(body[start..<end])
                start = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        lines.append(body[start..<body.endIndex])
        return lines
    }

    /// Profile names like `work` or `prod-eu` may be repeated in errors; other text may not.
    static func looksLikeName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64 && text.utf8.allSatisfy {
            ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2D || $0 == 0x2E
        }
    }

    /// A key is named in errors only when it looks like a key; anything else may be a value
    /// (a secret) typed on the wrong line.
    static func shownKey(_ key: String) -> String {
        let looksLikeKey = !key.isEmpty && key.utf8.count <= 32
            && key.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2D }
        return looksLikeKey ? "key \"\(key)\"" : "a key that is not a known name"
    }

    /// Errors name the file, the line number and at most the key: never the line itself, which
    /// may hold a client secret or password.
    static func parse(_ text: String, path: String, kind: Kind) throws(ThingSpaceError) -> ProfileFile {
        var sections: [String: Section] = [:]
        var current: String?
        var holdsSecrets = false
        var lineNumber = 0
        for rawLine in lines(text) {
            lineNumber += 1
            let line = rawLine.trimmedOf(" \t\r")
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            func fail(_ message: String) -> ThingSpaceError {
                .configuration(ConfigurationError(.badFile, file: path, line: lineNumber, message: message))
            }
            if line.hasPrefix("[") {
                let expected = kind == .config ? "[default] or [profile NAME]" : "[NAME] or [profile NAME]"
                guard line.hasSuffix("]"), line.count > 2 else { throw fail("malformed section header; expected \(expected)") }
                let inner = String(line.dropFirst().dropLast()).trimmedOf(" \t")
                let name: String
                if inner == "default" {
                    name = "default"
                } else if inner.hasPrefix("profile ") || inner.hasPrefix("profile\t") {
                    name = String(inner.dropFirst("profile".count)).trimmedOf(" \t")
                } else if kind == .credentials {
                    name = inner
                } else {
                    let suggestion = looksLikeName(inner) ? "[default] or [profile \(inner)]" : expected
                    throw fail("malformed section header; expected \(suggestion) (in the config file a named profile needs the word profile)")
                }
                guard !name.isEmpty, !name.contains(where: { $0 == " " || $0 == "\t" || $0 == "[" || $0 == "]" }) else {
                    throw fail("malformed profile name in the section header; expected \(expected) with a name without spaces or brackets")
                }
                if sections[name] == nil { sections[name] = Section(line: lineNumber) }
                current = name
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw fail("malformed line; expected key = value")
            }
            let key = String(line[..<equals]).trimmedOf(" \t").lowercased()
            var value = String(line[line.index(after: equals)...]).trimmedOf(" \t")
            if value.count >= 2, (value.hasPrefix("\"") && value.hasSuffix("\"")) || (value.hasPrefix("'") && value.hasSuffix("'")) {
                value = String(value.dropFirst().dropLast())
            }
            guard let section = current else { throw fail("\(shownKey(key)) appears before any [profile NAME] section") }
            guard knownKeys.contains(key) else {
                throw fail("unknown \(shownKey(key)); known keys: \(knownKeys.sorted().joined(separator: ", "))")
            }
            if secretKeys.contains(key) { holdsSecrets = true }
            sections[section]?.entries[key] = Entry(value: value, line: lineNumber)
        }
        return ProfileFile(path: path, sections: sections, holdsSecrets: holdsSecrets)
    }

    /// Files with secrets must not be readable by group or others (like ssh and the aws CLI).
    static func checkPrivate(_ path: String) throws(ThingSpaceError) {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        let mode = info.st_mode & 0o777
        if mode & 0o077 != 0 {
            throw .configuration(ConfigurationError(
                .badFile, file: path,
                message: "holds secrets but has mode \(octal(mode)); it must be readable only by you (mode 0600). Run: chmod 600 \(path)"))
        }
    }

    static func octal(_ mode: mode_t) -> String {
        let text = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }

    private static func readFile(_ path: String) throws(ThingSpaceError) -> String? {
        guard let handle = fopen(path, "r") else {
            if errno == ENOENT { return nil }
            throw .configuration(ConfigurationError(.badFile, file: path, message: "cannot be read: \(String(cString: strerror(errno)))"))
        }
        defer { fclose(handle) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, handle)
            if count > 0 { bytes.append(contentsOf: buffer[0..<count]) }
            if count < buffer.count { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
