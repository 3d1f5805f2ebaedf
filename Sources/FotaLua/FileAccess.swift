import Foundation
import LuaHost
import Synchronization

/// The only file access scripts have: read files the operator named on the
/// command line (`@path`) or placed under `--in DIR`, and write reports under
/// `--out DIR`. Below those folders no symbolic link is followed and no
/// hidden name is accepted (ContainedFolder); an existing file is replaced
/// only if this run wrote it or the script passes `{overwrite = true}`.
struct FileAccess: Sendable {
    let settings: FotaSettings
    /// Names under --out this run has written: it may write them again.
    private let written = WrittenNames()

    /// json.null and the json.object/json.array marks, for files.writejson.
    let jsonMarkers: JSONText.Markers?

    init(settings: FotaSettings, jsonMarkers: JSONText.Markers? = nil) {
        self.settings = settings
        self.jsonMarkers = jsonMarkers
    }

    typealias Refused = ContainedFolder.Refused

    private var inputFolder: ContainedFolder? { settings.inputFolder.map { ContainedFolder(root: $0, flag: settings.hints.inputFolder) } }
    private var outputFolder: ContainedFolder? { settings.outputFolder.map { ContainedFolder(root: $0, flag: settings.hints.outputFolder) } }

    func contents(_ arguments: borrowing LuaArguments) throws -> (name: String, data: Data) {
        let name = try arguments.requiredString(1, what: "file name")
        if settings.inputFiles.contains(name) {
            // Named by the operator: read as given, links and pipes included.
            let fd = open(name, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw Refused(description: "cannot read '\(name)': \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            do { return (name, Data(try ContainedFolder.readAll(fd))) } catch {
                throw Refused(description: "cannot read '\(name)': \(String(cString: strerror(error.code)))")
            }
        }
        guard let folder = inputFolder else {
            throw Refused(description: "the script may not read '\(name)': \(settings.hints.readFile.replacingOccurrences(of: "NAME", with: name))")
        }
        return (name, Data(try folder.read(name)))
    }

    func read(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let (_, data) = try contents(arguments)
        try results.push(.string(data.withUnsafeBytes { LuaString(bytes: $0) }))
    }

    /// Text of an input file without a leading byte order mark (spreadsheet exports add one).
    func text(_ arguments: borrowing LuaArguments) throws -> String {
        let (_, data) = try contents(arguments)
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let body = data.starts(with: bom) ? data.dropFirst(3) : data[...]
        return String(decoding: body, as: UTF8.self)
    }

    /// Splits the file's bytes on "\n" (dropping a "\r" before it, and a byte order mark at the
    /// start) and writes the lines straight into the results: no `String` or `LuaValue` per line,
    /// and the bytes reach Lua as they are in the file, like `files.read`.
    func lines(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let (_, data) = try contents(arguments)
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
            let body = raw.starts(with: bom) ? UnsafeRawBufferPointer(rebasing: raw.dropFirst(3)) : raw
            let newline = UInt8(ascii: "\n")
            // A final line end does not start another (empty) line.
            let count = body.reduce(0) { $1 == newline ? $0 + 1 : $0 } + (body.last == newline || body.isEmpty ? 0 : 1)
            results.pushArray(count: count)
            var start = 0
            var pushed = 0
            while pushed < count {
                var end = start
                while end < body.count, body[end] != newline { end += 1 }
                var last = end
                if last > start, body[last - 1] == UInt8(ascii: "\r") { last -= 1 }
                results.push(bytes: UnsafeRawBufferPointer(rebasing: body[start..<last]))
                pushed += 1
                start = end + 1
            }
        }
    }

    /// Rows of fields; quoted fields may hold the delimiter, quotes ("") and newlines.
    /// `{delimiter = ";"}` reads other separators; `{header = true}` gives rows keyed by the
    /// first row's column names. The rows are charged to the script's memory limit as they are built.
    func csv(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let name = try arguments.requiredString(1, what: "file name")
        let options = try arguments.options(2, allowed: ["delimiter", "header"])
        var delimiter: Unicode.Scalar = ","
        switch options["delimiter"] {
        case nil, .nil?: break
        case .string(let s)?:
            let scalars = Array(s.description.unicodeScalars)
            guard scalars.count == 1, let only = scalars.first, only != "\"", only != "\n", only != "\r" else {
                throw LuaArgumentError(2, "opts.delimiter must be one character other than a quote or a line break, got \(quoted(s.description))")
            }
            delimiter = only
        case let other?: throw LuaArgumentError(2, "opts.delimiter must be a one-character string, got \(other.typeName)")
        }
        let header: Bool
        switch options["header"] {
        case nil, .nil?: header = false
        case .boolean(let b)?: header = b
        case let other?: throw LuaArgumentError(2, "opts.header must be a boolean, got \(other.typeName)")
        }
        let text = try text(arguments)
        try arguments.budget.charge(LuaMemoryBudget.stringBytes(text.utf8.count))
        let rows = try CSV.parse(text, name: name, delimiter: delimiter, budget: arguments.budget)
        guard header else {
            try results.push(.array(rows.map { .array($0.fields.map { .string($0) }) }))
            return
        }
        guard let names = rows.first?.fields else {
            try results.push(.array([]))
            return
        }
        for (index, column) in names.enumerated() {
            if column.isEmpty { throw Refused(description: "\(name):\(rows[0].line): column #\(index + 1) of the header has no name") }
            if names[..<index].contains(column) {
                throw Refused(description: "\(name):\(rows[0].line): the header names column \(quoted(column)) twice")
            }
        }
        var keyed: [LuaValue] = []
        keyed.reserveCapacity(rows.count)
        for row in rows.dropFirst() {
            guard row.fields.count == names.count else {
                throw Refused(description: "\(name):\(row.line): the row has \(row.fields.count) field\(row.fields.count == 1 ? "" : "s"), the header \(names.count)")
            }
            try arguments.budget.charge(LuaMemoryBudget.tableBytes + names.count * LuaMemoryBudget.valueBytes)
            keyed.append(.map(Dictionary(uniqueKeysWithValues: zip(names, row.fields).map { (LuaKey.string(LuaString($0)), LuaValue.string($1)) })))
        }
        try results.push(.array(keyed))
    }

    func write(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let name = try arguments.requiredString(1, what: "file name")
        let text = try arguments.string(2)
        try save(name, text.bytes, overwrite: try overwrite(arguments), &results)
    }

    /// `opts.overwrite` (argument 3): replace a file this run did not write.
    private func overwrite(_ arguments: borrowing LuaArguments) throws -> Bool {
        let options = try arguments.options(3, allowed: ["overwrite"])
        switch options["overwrite"] {
        case nil, .nil?: return false
        case .boolean(let b)?: return b
        case let other?: throw LuaArgumentError(3, "option 'overwrite' must be a boolean, got \(other.typeName)")
        }
    }

    func writeCSV(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let name = try arguments.requiredString(1, what: "file name")
        guard case .array(let rows) = try arguments.value(2) else {
            throw LuaArgumentError(2, "array of rows (arrays of values) expected, got \(arguments.typeName(2))")
        }
        var out = ""
        for (index, row) in rows.enumerated() {
            guard let fields = Self.fields(of: row) else {
                throw LuaArgumentError(2, "row #\(index + 1) is a \(row.typeName), not an array of values")
            }
            out += try fields.enumerated().map { column, field in
                switch field {
                case .string(let s): return CSV.quote(s.description)
                case .integer(let i): return String(i)
                case .number(let n): return String(n)
                case .boolean(let b): return String(b)
                case .nil: return ""
                default: throw LuaArgumentError(2, "row #\(index + 1), column #\(column + 1) is a \(field.typeName)")
                }
            }.joined(separator: ",") + "\n"
        }
        try save(name, Array(out.utf8), overwrite: try overwrite(arguments), &results)
    }

    /// A row's fields; a row with holes ({1, nil, 3}) reads as a map of positions, its holes empty.
    static func fields(of row: LuaValue) -> [LuaValue]? {
        switch row {
        case .array(let fields): return fields
        case .map(let entries):
            var positions: [Int64: LuaValue] = [:]
            for (key, value) in entries {
                guard case .integer(let i) = key, i >= 1, i <= 100_000 else { return nil }
                positions[i] = value
            }
            let last = positions.keys.max() ?? 0
            return (1...max(last, 1)).map { positions[$0] ?? .nil }.prefix(Int(last)).map { $0 }
        default: return nil
        }
    }

    func writeJSON(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let name = try arguments.requiredString(1, what: "file name")
        let value = try arguments.value(2)
        let text: String
        do { text = try JSONText.encode(value, markers: jsonMarkers) } catch { throw LuaArgumentError(2, error.description) }
        try save(name, Array((text + "\n").utf8), overwrite: try overwrite(arguments), &results)
    }

    private func save(_ name: String, _ bytes: [UInt8], overwrite: Bool, _ results: inout LuaResults) throws {
        guard let folder = outputFolder else {
            throw Refused(description: "the script may not write '\(name)': \(settings.hints.writeFiles)")
        }
        try written.writing(name) { wroteBefore in
            try folder.write(name, bytes, replacing: overwrite || wroteBefore)
        }
        results.push(string: folder.path(name))
    }
}

/// The names a run has written under --out (shared by the interpreter's calls).
private final class WrittenNames: Sendable {
    private let names = Mutex<Set<String>>([])

    /// Runs `write` (told whether this run wrote `name` before) and records `name` if it succeeds.
    func writing(_ name: String, _ write: (Bool) throws -> Void) throws {
        try names.withLock { names in
            try write(names.contains(name))
            names.insert(name)
        }
    }
}

/// Comma-separated values as spreadsheets write them (RFC 4180).
public enum CSV {
    /// One row and the line it starts on.
    struct Row {
        var line: Int
        var fields: [String]
    }

    /// Rows of `text` split on `delimiter`; a line ends with LF or CRLF. A quote may only open a
    /// field or close it (doubled inside it): anything else is an error naming the line.
    static func parse(_ text: String, name: String, delimiter: Unicode.Scalar = ",",
                      budget: LuaMemoryBudget = .unlimited) throws -> [Row] {
        var rows: [Row] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var closedQuote = false
        var line = 1
        var rowLine = 1
        var quoteLine = 1
        var scalars = Array(text.unicodeScalars)[...]
        func endField() throws {
            try budget.charge(LuaMemoryBudget.valueBytes + LuaMemoryBudget.stringBytes(field.utf8.count))
            row.append(field)
            field = ""
            closedQuote = false
        }
        func endRow() throws {
            try endField()
            try budget.charge(LuaMemoryBudget.tableBytes)
            rows.append(Row(line: rowLine, fields: row))
            row = []
        }
        while let c = scalars.popFirst() {
            if inQuotes {
                if c == "\"" {
                    if scalars.first == "\"" {
                        scalars.removeFirst()
                        field.unicodeScalars.append("\"")
                    } else {
                        inQuotes = false
                        closedQuote = true
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case delimiter: try endField()
            case "\r" where scalars.first == "\n" || scalars.isEmpty: continue
            case "\n":
                try endRow()
                line += 1
                rowLine = line
            case "\"":
                guard field.isEmpty, !closedQuote else {
                    throw FileAccess.Refused(description: "\(name):\(line): a quote inside a field that does not start with one (quote the whole field and double the quote: \"say \"\"hi\"\"\")")
                }
                inQuotes = true
                quoteLine = line
            default:
                if closedQuote {
                    throw FileAccess.Refused(description: "\(name):\(line): text after the closing quote of a field (expected the delimiter or the end of the line)")
                }
                field.unicodeScalars.append(c)
            }
        }
        if inQuotes { throw FileAccess.Refused(description: "\(name):\(quoteLine): a quoted field opened on this line is never closed") }
        if !field.isEmpty || !row.isEmpty || closedQuote { try endRow() }
        return rows
    }

    /// `field` as one CSV field (RFC 4180): quoted, with quotes doubled, when it holds a comma,
    /// quote or line break. The one quoting rule: files.writecsv, timelines and `-o csv` use it.
    public static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
