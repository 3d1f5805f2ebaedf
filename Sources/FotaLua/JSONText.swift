import LuaHost
import ThingSpace

/// JSON for scripts (`json.encode`/`json.decode`) and the journal.
///
/// Integers stay integers both ways; an empty Lua table encodes as `[]` unless marked
/// json.object; `null` decodes to nil in objects (the key disappears) and, for scripts, to
/// json.null in arrays (see `Markers`). Keys are written
/// sorted, so output is stable across runs.
///
/// With a script's `budget`, the text and values built are charged to its
/// memory limit as they grow, so a huge value or text fails with the memory
/// error instead of taking memory outside the limit.
enum JSONText {
    /// json.null, and the marks json.object()/json.array() put in a table's `__json` field:
    /// host functions of the script's state, told apart by id.
    struct Markers: Sendable {
        var null: LuaValue
        var object: LuaValue
        var array: LuaValue
        static let field: LuaKey = .string("__json")
    }

    struct EncodeError: Error, CustomStringConvertible {
        var description: String
    }

    struct DecodeError: Error, CustomStringConvertible {
        var offset: Int
        var reason: String
        var description: String { "invalid JSON at byte \(offset + 1): \(reason)" }
    }

    static func encode(_ value: LuaValue, budget: LuaMemoryBudget = .unlimited, markers: Markers? = nil) throws(EncodeError) -> String {
        var writer = Writer(budget: budget, markers: markers)
        writer.out.reserveCapacity(256)
        try writer.write(value, depth: 0)
        try writer.chargeGrowth()
        // the String is a second copy of the text while both exist
        do { try budget.charge(writer.out.count) } catch { throw EncodeError(description: error.description) }
        return String(decoding: writer.out, as: UTF8.self)
    }

    /// The text being written, charged to the budget in steps as it grows.
    private struct Writer {
        var out: [UInt8] = []
        let budget: LuaMemoryBudget
        let markers: Markers?
        var charged = 0

        init(budget: LuaMemoryBudget, markers: Markers?) {
            self.budget = budget
            self.markers = markers
        }

        mutating func chargeGrowth() throws(EncodeError) {
            guard out.count > charged else { return }
            let step = max(out.count - charged, 64 << 10)
            do { try budget.charge(step) } catch { throw EncodeError(description: error.description) }
            charged += step
        }

        mutating func write(_ value: LuaValue, depth: Int) throws(EncodeError) {
            guard depth < 200 else { throw EncodeError(description: "value is nested too deeply for JSON") }
            if out.count > charged { try chargeGrowth() }
            switch value {
            case .nil: out += Array("null".utf8)
            case .boolean(let b): out += Array((b ? "true" : "false").utf8)
            case .integer(let i): out += Array(String(i).utf8)
            case .number(let n):
                guard n.isFinite else { throw EncodeError(description: "\(n) cannot be written as JSON") }
                if n == n.rounded(), abs(n) < 1e15 { out += Array(String(Int64(n)).utf8) + Array(".0".utf8) }
                else { out += Array("\(n)".utf8) }
            case .string(let s): JSONText.writeString(s, into: &out)
            case .array(let elements):
                out.append(UInt8(ascii: "["))
                for (i, element) in elements.enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    try write(element, depth: depth + 1)
                }
                out.append(UInt8(ascii: "]"))
            case .map(var entries):
                if let markers, let mark = entries[Markers.field], mark == markers.object || mark == markers.array {
                    entries[Markers.field] = nil
                    if mark == markers.array {
                        try write(.array(try Self.elements(entries)), depth: depth)
                        return
                    }
                }
                var keyed: [(String, LuaValue)] = []
                for (key, element) in entries {
                    switch key {
                    case .string(let s): keyed.append((s.description, element))
                    case .integer(let i): keyed.append((String(i), element))
                    default: throw EncodeError(description: "a JSON object key must be a string or an integer, not \(key.value.typeName)")
                    }
                }
                keyed.sort { $0.0 < $1.0 }
                out.append(UInt8(ascii: "{"))
                for (i, (key, element)) in keyed.enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    JSONText.writeString(LuaString(key), into: &out)
                    out.append(UInt8(ascii: ":"))
                    try write(element, depth: depth + 1)
                }
                out.append(UInt8(ascii: "}"))
            case .hostFunction:
                guard let markers, value == markers.null else { throw EncodeError(description: "a function cannot be written as JSON") }
                out += Array("null".utf8)
            }
        }

        /// The entries of a table marked json.array, in order: its keys must be 1…n.
        static func elements(_ entries: [LuaKey: LuaValue]) throws(EncodeError) -> [LuaValue] {
            var elements = [LuaValue](repeating: .nil, count: entries.count)
            for (key, element) in entries {
                guard case .integer(let i) = key, i >= 1, i <= Int64(entries.count) else {
                    let shown: String
                    switch key {
                    case .string(let s): shown = "'\(s.description)'"
                    case .integer(let i): shown = "[\(i)]"
                    case .number(let n): shown = "[\(n)]"
                    case .boolean(let b): shown = "[\(b)]"
                    }
                    throw EncodeError(description: "a table marked json.array has the key \(shown): its keys must be 1…n (use json.null for a missing element)")
                }
                elements[Int(i - 1)] = element
            }
            return elements
        }
    }

    fileprivate static func writeString(_ s: LuaString, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Printable ASCII without a quote or backslash is valid UTF-8 that needs no escape (IMEIs,
        // ids, most text): copied whole, where a journal line of 1,000 IMEIs went a byte at a time.
        let plain = s.withBytes { bytes in
            guard bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
            else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if plain {
            out.append(UInt8(ascii: "\""))
            return
        }
        let text = s.description // invalid UTF-8 becomes U+FFFD: JSON text is Unicode
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [92, 34]
            case UInt8(ascii: "\\"): out += [92, 92]
            case 0x0A: out += [92, UInt8(ascii: "n")]
            case 0x0D: out += [92, UInt8(ascii: "r")]
            case 0x09: out += [92, UInt8(ascii: "t")]
            case 0..<0x20, 0x7F:
                let hex = Array("0123456789abcdef".utf8)
                out += [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// With `markers`, a null inside an array decodes to json.null (positions and `#` stay
    /// right) and an empty object to a table marked json.object (it encodes back as `{}`).
    static func decode(_ text: [UInt8], budget: LuaMemoryBudget = .unlimited, markers: Markers? = nil) throws(DecodeError) -> LuaValue {
        var parser = Parser(bytes: text, budget: budget, markers: markers)
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.index == text.count else { throw DecodeError(offset: parser.index, reason: "unexpected text after the value") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        let budget: LuaMemoryBudget
        let markers: Markers?
        var index = 0

        init(bytes: [UInt8], budget: LuaMemoryBudget, markers: Markers?) {
            self.bytes = bytes
            self.budget = budget
            self.markers = markers
        }

        /// Charges what one decoded value costs in Swift (see `LuaMemoryBudget`).
        func charge(_ bytes: Int) throws(DecodeError) {
            do { try budget.charge(bytes) } catch { throw fail(error.description) }
        }

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        func fail(_ reason: String) -> DecodeError { DecodeError(offset: index, reason: reason) }

        mutating func value(depth: Int) throws(DecodeError) -> LuaValue {
            guard depth < 200 else { throw fail("nested too deeply") }
            guard index < bytes.count else { throw fail("unexpected end of text") }
            try charge(LuaMemoryBudget.valueBytes)
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(LuaString(bytes: try string()))
            case UInt8(ascii: "t"): try literal("true"); return .boolean(true)
            case UInt8(ascii: "f"): try literal("false"); return .boolean(false)
            case UInt8(ascii: "n"): try literal("null"); return .nil
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw fail("unexpected character '\(Character(Unicode.Scalar(bytes[index])))'")
            }
        }

        mutating func literal(_ word: String) throws(DecodeError) {
            let w = Array(word.utf8)
            guard index + w.count <= bytes.count, Array(bytes[index..<index + w.count]) == w else { throw fail("expected \(word)") }
            index += w.count
        }

        mutating func object(depth: Int) throws(DecodeError) -> LuaValue {
            try charge(LuaMemoryBudget.tableBytes)
            index += 1
            var entries: [LuaKey: LuaValue] = [:]
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                if let markers { entries[Markers.field] = markers.object }
                return .map(entries)
            }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                try charge(LuaMemoryBudget.entryBytes)
                let key = LuaString(bytes: try string())
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                index += 1
                skipSpace()
                let element = try value(depth: depth + 1)
                if element != .nil { entries[.string(key)] = element }
                skipSpace()
                guard index < bytes.count else { throw fail("unexpected end of text in an object") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .map(entries) }
                throw fail("expected ',' or '}'")
            }
        }

        mutating func array(depth: Int) throws(DecodeError) -> LuaValue {
            try charge(LuaMemoryBudget.tableBytes)
            index += 1
            var elements: [LuaValue] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
            while true {
                skipSpace()
                elements.append(try value(depth: depth + 1))
                skipSpace()
                guard index < bytes.count else { throw fail("unexpected end of text in an array") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; break }
                throw fail("expected ',' or ']'")
            }
            // A null inside an array is json.null; without markers it leaves a hole: keep positions
            // by turning the array into a map.
            if let markers, elements.contains(.nil) {
                return .array(elements.map { $0 == .nil ? markers.null : $0 })
            }
            if elements.contains(.nil) {
                var entries: [LuaKey: LuaValue] = [:]
                for (i, element) in elements.enumerated() where element != .nil { entries[.integer(Int64(i + 1))] = element }
                return .map(entries)
            }
            return .array(elements)
        }

        mutating func string() throws(DecodeError) -> [UInt8] {
            index += 1
            var out: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    try charge(LuaMemoryBudget.stringBytes(out.count))
                    return out
                case UInt8(ascii: "\\"):
                    do {
                        try JSONStringEscape.decode(bytes, at: &index, into: &out)
                    } catch {
                        throw DecodeError(offset: error.offset, reason: error.reason)
                    }
                case 0..<0x20: throw fail("control character in a string")
                default: out.append(byte)
                }
            }
            throw fail("unfinished string")
        }

        mutating func number() throws(DecodeError) -> LuaValue {
            let start = index
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            var isInteger = true
            while index < bytes.count {
                let c = bytes[index]
                if c >= 48 && c <= 57 { index += 1; continue }
                if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") || c == UInt8(ascii: "+")
                    || (c == UInt8(ascii: "-") && index > start)
                {
                    isInteger = false
                    index += 1
                    continue
                }
                break
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if isInteger, let i = Int64(text) { return .integer(i) }
            guard let n = Double(text) else { throw DecodeError(offset: start, reason: "bad number '\(text)'") }
            return .number(n)
        }
    }
}
