import Foundation
import LuaHost

/// One value of a one-shot command's answer, as JSON writes it.
indirect enum QueryValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case number(Double)
    case boolean(Bool)
    case list([QueryValue])
    case object([String: QueryValue])

    /// Indented JSON with sorted keys: the same answer is the same text, so diffs and jq
    /// pipelines stay stable; empty lists and objects stay on one line (`[]`, `{}`).
    func jsonText(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .string(let s): return Self.jsonString(s)
        case .integer(let i): return String(i)
        case .number(let n): return n.isFinite ? String(n) : "null" // JSON has no infinity or NaN
        case .boolean(let b): return b ? "true" : "false"
        case .list(let items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { inner + $0.jsonText(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let fields):
            if fields.isEmpty { return "{}" }
            let members = fields.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                .map { inner + Self.jsonString($0.key) + ": " + $0.value.jsonText(indent: inner) }
            return "{\n" + members.joined(separator: ",\n") + "\n" + indent + "}"
        }
    }

    /// `text` as a JSON string: quote, backslash and control characters escaped.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value):
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// The value in a table or CSV cell; a list shows how many items it has.
    var cell: String {
        switch self {
        case .string(let s): s
        case .integer(let i): String(i)
        case .number(let n): String(n)
        case .boolean(let b): b ? "true" : "false"
        case .list(let items): String(items.count)
        case .object: "{…}"
        }
    }

    /// An object of the fields that have a value: absent fields are left out, as in the Lua tables.
    static func record(_ fields: [(String, QueryValue?)]) -> QueryValue {
        var object: [String: QueryValue] = [:]
        for (name, value) in fields { if let value { object[name] = value } }
        return .object(object)
    }

    static func text(_ value: String?) -> QueryValue? { value.map(QueryValue.string) }
    static func flag(_ value: Bool?) -> QueryValue? { value.map(QueryValue.boolean) }

    subscript(field: String) -> QueryValue? {
        if case .object(let fields) = self { return fields[field] }
        return nil
    }
}

/// What a one-shot command answers: the JSON document, and the same records as rows of
/// `columns` for table and CSV output.
struct QueryAnswer {
    var json: QueryValue
    var columns: [String]
    var rows: [[String]]

    /// Rows of `records`, one cell per column (empty where a record has no such field).
    init(json: QueryValue, columns: [String], records: [QueryValue]) {
        self.json = json
        self.columns = columns
        rows = records.map { record in columns.map { record[$0]?.cell ?? "" } }
    }

    /// The answer as `format` writes it, ending with a line break.
    func render(_ format: OutputFormat) -> String {
        switch format {
        case .json:
            return json.jsonText() + "\n"
        case .csv:
            return ([CSVText.line(columns)] + rows.map(CSVText.line)).joined(separator: "\n") + "\n"
        case .table:
            return table()
        }
    }

    /// Columns padded to their widest cell; cells escaped for the terminal on one line each.
    private func table() -> String {
        let header = columns
        let cells = rows.map { $0.map { TerminalText.escape($0, singleLine: true) } }
        var widths = header.map(\.count)
        for row in cells { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        func line(_ row: [String]) -> String {
            var text = ""
            for (index, cell) in row.enumerated() {
                let last = index == row.count - 1
                text += last ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 2)
            }
            return text
        }
        return ([line(header)] + cells.map(line)).joined(separator: "\n") + "\n"
    }
}
