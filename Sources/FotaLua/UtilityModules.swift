import Foundation
import LuaHost

/// `json`, `log` and `files`: what campaign scripts need besides the API,
/// and all they may do outside Lua (read named inputs, write under --out).
enum UtilityModules {
    static func install(in state: LuaState, runtime: FotaRuntime) throws {
        func table(_ name: String, _ functions: [(String, LuaHostFunction)], docs: [String: FunctionDoc]) -> LuaValue {
            var entries: [LuaKey: LuaValue] = [:]
            for (key, function) in functions {
                entries[.string(LuaString(key))] = state.register(function, doc: docs[key], name: "\(name).\(key)")
            }
            return .map(entries)
        }
        // json.null and the marks of json.object()/json.array() (Prelude.helpers): host functions
        // so that they cross into Swift as themselves, recognised by id.
        func marker(_ name: String) -> LuaValue {
            state.register({ _, _ in throw MarkerCalled(name: name) }, doc: FotaDocs.json[String(name.dropFirst(5))], name: name)
        }
        let markers = JSONText.Markers(null: marker("json.null"), object: marker("json.object"), array: marker("json.array"))
        guard case .map(var json) = table("json", [("encode", jsonEncode(markers)), ("decode", jsonDecode(markers))], docs: FotaDocs.json)
        else { return }
        json["null"] = markers.null
        json["__object"] = markers.object
        json["__array"] = markers.array
        try state.setGlobal("json", .map(json))
        try state.setGlobal("log", table("log", ["info", "warn", "error"].map { level in
            (level, { arguments, _ in try log(level, arguments) })
        }, docs: FotaDocs.log))
        let files = FileAccess(settings: runtime.settings, jsonMarkers: markers)
        try state.setGlobal("files", table("files", [
            ("read", { try files.read($0, &$1) }), ("lines", { try files.lines($0, &$1) }), ("csv", { try files.csv($0, &$1) }),
            ("write", { try files.write($0, &$1) }), ("writecsv", { try files.writeCSV($0, &$1) }),
            ("writejson", { try files.writeJSON($0, &$1) }),
        ], docs: FotaDocs.files))
    }

    // The value read, the text and the decoded values are all charged to the
    // script's memory limit (arguments.budget); the results tape is charged by the host.
    static func jsonEncode(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        try jsonEncode(nil)(arguments, &results)
    }

    static func jsonDecode(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        try jsonDecode(nil)(arguments, &results)
    }

    /// json.encode, writing json.null and tables marked json.object/json.array as such.
    static func jsonEncode(_ markers: JSONText.Markers?) -> LuaHostFunction {
        { arguments, results in
            let value = try arguments.value(1)
            do { results.push(string: try JSONText.encode(value, budget: arguments.budget, markers: markers)) } catch {
                throw LuaArgumentError(1, "\(error)")
            }
        }
    }

    /// json.decode, giving json.null for a null in an array and a json.object table for `{}`.
    static func jsonDecode(_ markers: JSONText.Markers?) -> LuaHostFunction {
        { arguments, results in
            let text = try arguments.string(1)
            try arguments.budget.charge(text.count) // the byte array handed to the parser
            let value: LuaValue
            do { value = try JSONText.decode(text.bytes, budget: arguments.budget, markers: markers) } catch {
                throw LuaArgumentError(1, "\(error)")
            }
            try results.push(value)
        }
    }

    /// Calling json.null (a value, not a function).
    struct MarkerCalled: Error, CustomStringConvertible {
        var name: String
        var description: String { "\(name) is a marker for json.encode, not a function to call" }
    }

    /// log.*: the arguments joined by spaces as print would show them, on one
    /// line of stderr, escaped by print's rule (newlines too, so a message cannot
    /// fake a line of its own). String arguments are escaped in place and
    /// streamed, so a huge message is never copied; other values are converted
    /// first (tables as JSON), charged to the script's memory limit, so a bad
    /// argument fails the call before anything is written.
    static func log(_ level: String, _ arguments: borrowing LuaArguments) throws {
        let budget = arguments.budget
        var converted: [Int: String] = [:]
        let positions = 1...max(arguments.count, 1)
        for position in positions where arguments.withStringBytes(position, { _ in true }) == nil {
            let part: String
            switch try arguments.value(position) {
            case .integer(let i): part = String(i)
            case .number(let n): part = String(n)
            case .boolean(let b): part = String(b)
            case .nil: part = "nil"
            case .string(let s): part = s.description
            case let other:
                do { part = try JSONText.encode(other, budget: budget) } catch { part = other.typeName }
            }
            try budget.charge(LuaMemoryBudget.stringBytes(part.utf8.count))
            converted[position] = part
        }
        let writer = StandardError()
        writer.write("[\(level)] ")
        for position in positions {
            if position > 1 { writer.write(" ") }
            if var part = converted[position] {
                part.withUTF8 { TerminalText.stream(bytes: UnsafeRawBufferPointer($0), singleLine: true, emit: writer.write) }
            } else {
                arguments.withStringBytes(position) { TerminalText.stream(bytes: $0, singleLine: true, emit: writer.write) }
            }
        }
        writer.write("\n")
    }

    /// One line on stderr from the host itself, escaped like log.*.
    static func log(_ level: String, _ message: String) {
        let writer = StandardError()
        var line = line(level, message)
        line.withUTF8 { writer.write(UnsafeRawBufferPointer($0)) }
    }

    /// The line log(level, message) writes.
    static func line(_ level: String, _ message: String) -> String {
        "[\(level)] \(TerminalText.escape(message, singleLine: true))\n"
    }
}

/// Writes straight to file descriptor 2, without a copy into Data.
struct StandardError {
    func write(_ text: String) {
        var text = text
        text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) {
        guard var next = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let written = Foundation.write(2, next, left)
            if written < 0 {
                if errno == EINTR { continue }
                return // stderr closed or full: nothing sensible to report it on
            }
            next += written
            left -= written
        }
    }
}
