import Foundation
import LuaHost

/// `json`, `log` and `files`: what campaign scripts need besides the API,
/// and all they may do outside Lua (read named inputs, write under --out).
enum Helpers {
    static func install(in state: LuaState, runtime: FotaRuntime) throws {
        func table(_ name: String, _ functions: [(String, LuaHostFunction)], docs: [String: FunctionDoc]) -> LuaValue {
            var entries: [LuaKey: LuaValue] = [.string("__name"): .string(name)]
            for (key, function) in functions {
                entries[.string(LuaString(key))] = state.register(function, doc: docs[key], name: "\(name).\(key)")
            }
            return .map(entries)
        }
        try state.setGlobal("json", table("json", [("encode", jsonEncode), ("decode", jsonDecode)], docs: FotaDocs.json))
        try state.setGlobal("log", table("log", ["info", "warn", "error"].map { level in
            (level, { arguments, _ in log(level, try message(arguments)) })
        }, docs: FotaDocs.log))
        let files = FileAccess(settings: runtime.settings)
        try state.setGlobal("files", table("files", [
            ("read", { try files.read($0, &$1) }), ("lines", { try files.lines($0, &$1) }), ("csv", { try files.csv($0, &$1) }),
            ("write", { try files.write($0, &$1) }), ("writecsv", { try files.writeCSV($0, &$1) }),
            ("writejson", { try files.writeJSON($0, &$1) }),
        ], docs: FotaDocs.files))
    }

    // The value read, the text and the decoded values are all charged to the
    // script's memory limit (arguments.budget); the results tape is charged by the host.
    static func jsonEncode(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let value = try arguments.value(1)
        do { results.push(string: try JSONText.encode(value, budget: arguments.budget)) } catch {
            throw LuaArgumentError(1, error.description)
        }
    }

    static func jsonDecode(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let text = try arguments.string(1)
        try arguments.budget.charge(text.count) // the byte array handed to the parser
        let value: LuaValue
        do { value = try JSONText.decode(text.bytes, budget: arguments.budget) } catch {
            throw LuaArgumentError(1, error.description)
        }
        try results.push(value)
    }

    /// How many times the message's size the log line may take while it is
    /// escaped and written (an escaped control character is 4 bytes).
    static let logTextCopies = 2

    /// The arguments of log.* joined by spaces, as print would show them.
    /// Each part and the joined text are charged to the script's memory
    /// limit, and so is room for escaping and writing the line.
    static func message(_ arguments: borrowing LuaArguments) throws -> String {
        let budget = arguments.budget
        var parts: [String] = []
        var length = 0
        for position in 1...max(arguments.count, 1) {
            let part: String
            switch try arguments.value(position) {
            case .string(let s): part = s.description
            case .integer(let i): part = String(i)
            case .number(let n): part = String(n)
            case .boolean(let b): part = String(b)
            case .nil: part = "nil"
            case let other:
                do { part = try JSONText.encode(other, budget: budget) } catch { part = other.typeName }
            }
            try budget.charge(LuaMemoryBudget.stringBytes(part.utf8.count))
            length += part.utf8.count + 1
            parts.append(part)
        }
        try budget.charge(length * (1 + logTextCopies))
        return parts.joined(separator: " ")
    }

    /// One line on stderr, escaped by the same rule as print (TerminalText),
    /// newlines too: a message stays one line and cannot fake another.
    static func log(_ level: String, _ message: String) {
        FileHandle.standardError.write(Data(line(level, message).utf8))
    }

    /// The line log(level, message) writes.
    static func line(_ level: String, _ message: String) -> String {
        "[\(level)] \(TerminalText.escape(message, singleLine: true))\n"
    }
}
