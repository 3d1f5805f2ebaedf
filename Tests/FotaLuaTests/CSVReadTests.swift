import Foundation
@testable import FotaLua
import LuaHost
import Testing

/// Runs the script `source(folder)` with the fota module, `files` allowed to read `inputs`
/// (name → bytes) written in `folder`.
func runReading(_ inputs: [String: [UInt8]], limits: LuaLimits = LuaLimits(),
                _ source: (String) -> String) throws -> (outcome: ScriptOutcome, output: String) {
    let folder = try TempFolder()
    var settings = FotaSettings()
    for (name, bytes) in inputs { settings.inputFiles.insert(try folder.write(name, bytes: bytes)) }
    let path = try folder.write("script.lua", source(folder.path))
    settings.scriptPath = path
    let runtime = FotaRuntime(settings: settings, client: nil, journal: nil)
    let output = OutputCollector()
    var run = ScriptRun(scriptPath: path, limits: limits, timeoutSeconds: 60)
    run.output = { output.append($0) }
    run.prepare = { state in try FotaModule.install(in: state, runtime: runtime) }
    return (ScriptRunner.run(run), output.text)
}

@Suite("files.csv")
struct CSVReadTests {
    @Test("{header = true} gives rows keyed by column name; a BOM, CRLF and quoted fields are read as a spreadsheet writes them")
    func header() throws {
        let file = [0xEF, 0xBB, 0xBF] + Array("imei,site,note\r\n350000000000018,north,\"a, b\"\r\n350000000000026,south,\"say \"\"hi\"\"\r\nnext line\"\r\n".utf8)
        let (outcome, output) = try runReading(["d.csv": file]) { folder in """
            local rows = files.csv("\(folder)/d.csv", {header = true})
            print(#rows, rows[1].imei, rows[1].site, rows[1].note, rows[2].site)
            print(rows[2].note == 'say "hi"\\r\\nnext line', rows[1][1])
            """
        }
        guard case .finished = outcome else { Issue.record("\(outcome)"); return }
        #expect(output == "2\t350000000000018\tnorth\ta, b\tsouth\ntrue\tnil\n")
    }

    @Test("{delimiter = \";\"} splits on semicolons and keeps commas inside fields")
    func delimiter() throws {
        let (outcome, output) = try runReading(["s.csv": Array("imei;note\n350000000000018;1,5\n".utf8)]) { folder in """
            local rows = files.csv("\(folder)/s.csv", {delimiter = ";"})
            print(#rows, #rows[2], rows[2][2])
            local keyed = files.csv("\(folder)/s.csv", {delimiter = ";", header = true})
            print(keyed[1].note)
            """
        }
        guard case .finished = outcome else { Issue.record("\(outcome)"); return }
        #expect(output == "2\t2\t1,5\n1,5\n")
    }

    @Test("a malformed file is an error naming the file and the line", arguments: [
        ("a,b\nc,d\"e\n", "x.csv:2: a quote inside a field that does not start with one"),
        ("a,b\n\"c\"d,e\n", "x.csv:2: text after the closing quote of a field"),
        ("a,b\nc,\"d\ne\n", "x.csv:2: a quoted field opened on this line is never closed"),
        ("a,b\nc,d\ne\n", "x.csv:3: the row has 1 field, the header 2"),
        ("a,a\nc,d\n", "x.csv:1: the header names column 'a' twice"),
    ])
    func malformed(_ text: String, _ message: String) throws {
        let (outcome, output) = try runReading(["x.csv": Array(text.utf8)]) { folder in """
            print(pcall(files.csv, "\(folder)/x.csv", {header = true}))
            """
        }
        guard case .finished = outcome else { Issue.record("\(outcome)"); return }
        #expect(output.hasPrefix("false\t"))
        #expect(output.contains(message), "\(output)")
    }

    @Test("bad options are bad arguments", arguments: [
        ("{delimiter = ';;'}", "bad argument #2 to 'files.csv' (opts.delimiter must be one character other than a quote or a line break, got ';;')"),
        ("{delimiter = '\"'}", "opts.delimiter must be one character other than a quote"),
        ("{header = 'yes'}", "bad argument #2 to 'files.csv' (opts.header must be a boolean, got string)"),
        ("{headers = true}", "bad argument #2 to 'files.csv' (unknown option \"headers\" (known: delimiter, header))"),
    ])
    func badOptions(_ options: String, _ message: String) throws {
        let (outcome, output) = try runReading(["x.csv": Array("a\n".utf8)]) { folder in """
            print(pcall(files.csv, "\(folder)/x.csv", \(options)))
            """
        }
        guard case .finished = outcome else { Issue.record("\(outcome)"); return }
        #expect(output.contains(message), "\(output)")
    }

    @Test("the rows count against the script's memory limit")
    func memoryLimit() throws {
        let big = Array(String(repeating: "350000000000018,north,a longer note to make the rows weigh\n", count: 60_000).utf8)
        var limits = LuaLimits()
        limits.memoryBytes = 2 << 20
        let (outcome, _) = try runReading(["big.csv": big], limits: limits) { folder in """
            local rows = files.csv("\(folder)/big.csv")
            print(#rows)
            """
        }
        guard case .limitExceeded(.memory) = outcome else { Issue.record("expected the memory limit, got \(outcome)"); return }
    }
}

extension CSVReadTests {
    @Test("S34 attack: one huge quoted field (a row without end) hits the memory limit instead of growing the host")
    func hugeField() throws {
        let big = Array(("imei,note\n350000000000018,\"" + String(repeating: "x,\"\"\n", count: 1_000_000) + "\"\n").utf8)
        var limits = LuaLimits()
        limits.memoryBytes = 2 << 20
        for header in ["false", "true"] {
            let (outcome, _) = try runReading(["big.csv": big], limits: limits) { folder in """
                local rows = files.csv("\(folder)/big.csv", {header = \(header)})
                print(#rows)
                """
            }
            guard case .limitExceeded(.memory) = outcome else { Issue.record("header \(header): expected the memory limit, got \(outcome)"); continue }
        }
    }
}
