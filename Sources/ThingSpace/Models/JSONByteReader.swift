/// The scanning steps of the hand-written readers for large ThingSpace answers (a 1,000-device
/// page), which skip what they do not need and build only the strings they keep.
///
/// Every step returns nil (or false) on anything unexpected, so a reader built on it can decline
/// and let its caller fall back to the lenient `Decodable` path: on well-formed input a reader
/// never decides differently from that path, and on bad input the `Decodable` path's error is the
/// one reported.
struct JSONByteReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var index = 0
    /// Values that repeat on every device ("AddDeviceSucceed", a firmware name, an upgrade time):
    /// reusing the last few strings longer than 15 bytes saves a heap string each (15 bytes or
    /// fewer are stored inline, without an allocation).
    private var recent: [(bytes: [UInt8], text: String)] = []
    private static let recentLimit = 8

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    var atEnd: Bool { index == bytes.count }

    mutating func consume(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    mutating func skipSpace() {
        while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        index += count
        return true
    }

    /// The elements of an object: calls `member` with each key, the reader at its value (after
    /// the colon); `member` must consume the value. False on malformed input or when `member`
    /// declines.
    mutating func object(_ member: (inout JSONByteReader, String) -> Bool) -> Bool {
        skipSpace()
        guard consume(UInt8(ascii: "{")) else { return false }
        skipSpace()
        if consume(UInt8(ascii: "}")) { return true }
        while true {
            skipSpace()
            guard let key = string() else { return false }
            skipSpace()
            guard consume(UInt8(ascii: ":")) else { return false }
            skipSpace()
            guard member(&self, key) else { return false }
            skipSpace()
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "}"))
        }
    }

    /// The elements of an array: calls `element` with the reader at each one, which it must consume.
    mutating func array(_ element: (inout JSONByteReader) -> Bool) -> Bool {
        skipSpace()
        guard consume(UInt8(ascii: "[")) else { return false }
        skipSpace()
        if consume(UInt8(ascii: "]")) { return true }
        while true {
            skipSpace()
            guard element(&self) else { return false }
            skipSpace()
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "]"))
        }
    }

    /// A string value. Nil on a malformed string and on invalid UTF-8 (which `JSONDecoder` refuses).
    mutating func string() -> String? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = index
        var ascii = true
        while let byte = peek {
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                index += 1
                if !ascii { return String(validating: raw, as: UTF8.self) }
                guard raw.count > 15 else { return String(decoding: raw, as: UTF8.self) }
                for entry in recent where entry.bytes.count == raw.count && entry.bytes.elementsEqual(raw) {
                    return entry.text
                }
                let text = String(decoding: raw, as: UTF8.self)
                if recent.count == Self.recentLimit { recent.removeFirst() }
                recent.append((Array(raw), text))
                return text
            }
            if byte == UInt8(ascii: "\\") { return escapedString(from: start) }
            if byte < 0x20 { return nil }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        return nil
    }

    /// Slow path for strings with escapes (rare in these answers).
    private mutating func escapedString(from start: Int) -> String? {
        var utf8 = Array(bytes[start..<index])
        while let byte = peek {
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(validating: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                do { try JSONStringEscape.decode(bytes, at: &index, into: &utf8) } catch { return nil }
            default:
                if byte < 0x20 { return nil }
                utf8.append(byte)
            }
        }
        return nil
    }

    /// What `lenientString` makes of a value: a string; an integer that fits 18 digits as its
    /// text; `true`/`false` as text; `null` as `.some(nil)`. Nil (decline) for anything else:
    /// fractions, exponents, larger integers and containers take the `Decodable` path.
    mutating func lenientText() -> String?? {
        guard let first = peek else { return nil }
        switch first {
        case UInt8(ascii: "\""): return string().map { .some($0) }
        case UInt8(ascii: "n"): return literal("null") ? .some(nil) : nil
        case UInt8(ascii: "t"): return literal("true") ? .some("true") : nil
        case UInt8(ascii: "f"): return literal("false") ? .some("false") : nil
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = index
            if peek == UInt8(ascii: "-") { index += 1 }
            let digits = index
            while let byte = peek, byte >= 0x30 && byte <= 0x39 { index += 1 }
            let count = index - digits
            // "-0" would read back as "0", a leading zero is not JSON: let the Decodable path decide.
            guard count > 0, count <= 18, bytes[digits] != UInt8(ascii: "0") || count == 1 && digits == start else {
                return nil
            }
            if let byte = peek, byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { return nil }
            return .some(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
        default:
            return nil
        }
    }

    /// What `lenientBool` makes of a value: `true`/`false`, or a string saying so in any case;
    /// `.some(nil)` for `null` or another string (the next spelling is tried). Nil (decline) for
    /// numbers and containers.
    mutating func lenientFlag() -> Bool?? {
        guard let first = peek else { return nil }
        switch first {
        case UInt8(ascii: "t"): return literal("true") ? .some(true) : nil
        case UInt8(ascii: "f"): return literal("false") ? .some(false) : nil
        case UInt8(ascii: "n"): return literal("null") ? .some(nil) : nil
        case UInt8(ascii: "\""):
            guard let text = string() else { return nil }
            switch text.lowercased() {
            case "true": return .some(true)
            case "false": return .some(false)
            default: return .some(nil)
            }
        default:
            return nil
        }
    }

    /// Skips any JSON value, checking its grammar (not its meaning). Declines past `maxDepth`
    /// nested containers, which the `Decodable` path then reports, instead of recursing without end.
    mutating func skipValue(depth: Int = 0) -> Bool {
        guard depth < Self.maxDepth else { return false }
        skipSpace()
        guard let byte = peek else { return false }
        switch byte {
        case UInt8(ascii: "\""):
            return string() != nil
        case UInt8(ascii: "{"):
            return object { reader, _ in reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            return array { reader in reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return skipNumber()
        }
    }

    static let maxDepth = 64

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func skipNumber() -> Bool {
        _ = consume(UInt8(ascii: "-"))
        guard let first = peek, first >= 0x30 && first <= 0x39 else { return false }
        index += 1
        if first != 0x30 { skipDigits() }
        if consume(UInt8(ascii: ".")) {
            guard skipDigits() > 0 else { return false }
        }
        if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
            if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
            guard skipDigits() > 0 else { return false }
        }
        return true
    }

    @discardableResult
    private mutating func skipDigits() -> Int {
        let start = index
        while let byte = peek, byte >= 0x30 && byte <= 0x39 { index += 1 }
        return index - start
    }
}
