/// Why a value could not cross between Lua and Swift. `path` says where in a
/// nested table the problem is, e.g. `[3].name`.
public struct LuaBridgeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String = "", _ reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}

/// An error raised by Lua code: its message, where it was raised, and a traceback.
public struct LuaScriptError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The error value as text (a string error as Lua formatted it, with its position).
    public var message: String
    /// `file:line` of the innermost Lua function when the error was raised, if known.
    public var location: String?
    public var traceback: String?

    public init(message: String, location: String? = nil, traceback: String? = nil) {
        self.message = message
        self.location = location
        self.traceback = traceback
    }

    /// The message with a position in front, unless Lua already put one there,
    /// for a terminal: escaped by `TerminalText`, as `print` is, so an error
    /// message cannot drive the terminal.
    public var description: String {
        guard let location, !message.hasPrefix(location), !Self.startsWithPosition(message) else {
            return TerminalText.escape(message)
        }
        return TerminalText.escape("\(location): \(message)")
    }

    static func startsWithPosition(_ message: String) -> Bool {
        // "name:123: ..." as luaL_where writes it
        guard let colon = message.firstIndex(of: ":") else { return false }
        let rest = message[message.index(after: colon)...]
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        return !digits.isEmpty && rest.dropFirst(digits.count).first == ":"
    }
}

/// A host function refuses argument `position` (1-based): Lua reports it as
/// `bad argument #position to 'name' (message)`.
public struct LuaArgumentError: Error, Sendable, Equatable {
    public var position: Int
    public var message: String

    public init(_ position: Int, _ message: String) {
        self.position = position
        self.message = message
    }
}

/// An error a host function raises with a Lua value, e.g. a table with fields
/// that scripts can inspect after `pcall`. A table should carry its own text in
/// the raw field `LuaErrorValueText.field`: that is what the host shows when the
/// error ends the script (it reads values raw, so it cannot call `__tostring`).
public protocol LuaErrorValue: Error {
    var luaErrorValue: LuaValue { get }
    /// Registry reference of a metatable for the error value (a map), e.g.
    /// one with `__tostring`; nil for none.
    var luaErrorMetatable: Int32? { get }
}

extension LuaErrorValue {
    public var luaErrorMetatable: Int32? { nil }
}

/// Where an error table keeps its text, as the host reads it when the error ends the
/// script: the raw `summary` field (host functions' error tables, see `LuaErrorValue`),
/// else the raw `message` field (the usual shape of tables scripts raise themselves).
public enum LuaErrorValueText {
    public static let field = "summary"
    static let fields = [field, "message"]
}

/// Setting up or driving the interpreter failed (not the script's fault).
public struct LuaHostFailure: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
