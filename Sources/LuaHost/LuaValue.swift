/// A Lua string: bytes, which are usually but not always UTF-8 text.
///
/// Valid UTF-8 is kept as a Swift `String` (short ones need no heap memory);
/// anything else keeps its exact bytes, so embedded zeros and invalid UTF-8
/// survive a round trip.
public struct LuaString: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    enum Storage: Sendable {
        case text(String)
        case bytes([UInt8])
    }

    let storage: Storage

    public init(_ text: String) { storage = .text(text) }

    public init(stringLiteral value: String) { storage = .text(value) }

    /// Keeps the bytes exactly; valid UTF-8 is stored as text.
    public init(bytes: UnsafeRawBufferPointer) {
        let units = bytes.bindMemory(to: UInt8.self)
        if Self.isASCII(units) {
            storage = .text(String(decoding: units, as: UTF8.self)) // ASCII decodes exactly
        } else if let text = String(validating: units, as: UTF8.self) {
            storage = .text(text)
        } else {
            storage = .bytes(Array(bytes.bindMemory(to: UInt8.self)))
        }
    }

    /// Eight bytes at a time: most strings crossing the bridge are ASCII ids.
    @inline(__always)
    static func isASCII(_ units: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = units.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var i = 0
        var bits: UInt64 = 0
        while i + 8 <= units.count {
            bits |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < units.count {
            bits |= UInt64(units[i])
            i += 1
        }
        return bits & 0x8080_8080_8080_8080 == 0
    }

    public init(bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { LuaString(bytes: $0) }
    }

    /// The text, or nil when the bytes are not valid UTF-8.
    public var text: String? {
        if case .text(let text) = storage { return text }
        return nil
    }

    public var bytes: [UInt8] {
        switch storage {
        case .text(let text): return Array(text.utf8)
        case .bytes(let bytes): return bytes
        }
    }

    public var count: Int {
        switch storage {
        case .text(let text): return text.utf8.count
        case .bytes(let bytes): return bytes.count
        }
    }

    /// Text with invalid sequences replaced, for messages.
    public var description: String {
        switch storage {
        case .text(let text): return text
        case .bytes(let bytes): return String(decoding: bytes, as: UTF8.self)
        }
    }

    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch storage {
        case .text(var text): return try text.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
        case .bytes(let bytes): return try bytes.withUnsafeBytes(body)
        }
    }

    // Byte equality: Swift's String == compares canonical equivalence, Lua compares bytes.
    public static func == (lhs: LuaString, rhs: LuaString) -> Bool {
        switch (lhs.storage, rhs.storage) {
        case (.text(let a), .text(let b)): return a.utf8.elementsEqual(b.utf8)
        case (.bytes(let a), .bytes(let b)): return a == b
        default: return false // storage is canonical: valid UTF-8 is always text
        }
    }

    public func hash(into hasher: inout Hasher) {
        withBytes { hasher.combine(bytes: $0) }
    }
}

/// A key of a Lua table that can cross to Swift. Lua turns float keys with
/// integral values into integers, so `.number` keys are never integral.
public enum LuaKey: Hashable, Sendable {
    case integer(Int64)
    case number(Double)
    case string(LuaString)
    case boolean(Bool)

    public var value: LuaValue {
        switch self {
        case .integer(let i): return .integer(i)
        case .number(let n): return .number(n)
        case .string(let s): return .string(s)
        case .boolean(let b): return .boolean(b)
        }
    }
}

/// A Lua value that can cross between Lua and Swift.
///
/// Tables become `.array` when their keys are exactly 1…n and `.map`
/// otherwise; an empty table reads as an empty array. Integers and floats
/// stay distinct, as in Lua 5.4.
public enum LuaValue: Hashable, Sendable {
    case `nil`
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    case string(LuaString)
    case array([LuaValue])
    case map([LuaKey: LuaValue])
    /// A host function registered with `LuaState.register`, by id. Read back from Lua too (a
    /// table may hold one, e.g. a marker value); other functions cannot be read.
    case hostFunction(Int64)

    public static func string(_ text: String) -> LuaValue { .string(LuaString(text)) }

    /// The Lua type name, as `type()` would say it.
    public var typeName: String {
        switch self {
        case .nil: return "nil"
        case .boolean: return "boolean"
        case .integer, .number: return "number"
        case .string: return "string"
        case .array, .map: return "table"
        case .hostFunction: return "function"
        }
    }
}

extension LuaValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(LuaString(value)) }
}

extension LuaKey: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(LuaString(value)) }
}
