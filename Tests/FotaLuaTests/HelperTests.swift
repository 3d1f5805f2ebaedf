import Foundation
@testable import FotaLua
import LuaHost
import TestSupport
import Testing

/// Runs `source` with the fota module and no ThingSpace client (helpers need none).
func runWithFota(_ source: String, arguments: [String] = []) throws -> (outcome: ScriptOutcome, output: String) {
    let path = NSTemporaryDirectory() + "fota-helpers-\(UUID().uuidString).lua"
    try Data(source.utf8).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    var settings = FotaSettings()
    settings.scriptPath = path
    let runtime = FotaRuntime(settings: settings, client: nil, journal: nil)
    let output = OutputCollector()
    var run = ScriptRun(scriptPath: path, limits: LuaLimits(), timeoutSeconds: 60)
    run.arguments = arguments
    run.output = { output.append($0) }
    run.prepare = { state in try FotaModule.install(in: state, runtime: runtime) }
    let outcome = ScriptRunner.run(run)
    return (outcome, output.text)
}

@Suite("fota.time")
struct TimeHelperTests {
    @Test("parse reads RFC 3339 with Z, offsets and fractions, ThingSpace's Go-style stamps and dates, all in UTC", arguments: [
        ("2026-03-10T01:00:00Z", "1773104400"),
        ("2026-03-10t01:00:00z", "1773104400"),
        ("2026-03-10 01:00:00Z", "1773104400"),
        ("2026-03-10T03:00:00+02:00", "1773104400"),
        ("2026-03-09T20:30:00-04:30", "1773104400"),
        ("2026-03-10T01:00:00.250Z", "1773104400.25"),
        ("2021-06-03 00:03:56.079 +0000 UTC", "1622678636.079"),
        ("2021-06-03 02:03:56 +0200 CEST", "1622678636"),
        ("2026-03-10", "1773100800"),
        ("1970-01-01", "0"),
        ("2024-02-29T00:00:00Z", "1709164800"),
        ("1969-12-31T23:59:59Z", "-1"),
    ])
    func parses(_ text: String, _ expected: String) throws {
        let (outcome, output) = try runWithFota("print(fota.time.parse('\(text)'))")
        guard case .finished = outcome else { Issue.record("\(text): \(outcome)"); return }
        #expect(output == expected + "\n", "\(text)")
    }

    @Test("parse refuses anything else with a bad-argument error saying what is wrong", arguments: [
        ("'2026-03-10T01:00:00'", "'2026-03-10T01:00:00' is not a timestamp: it has no time zone (add Z or an offset such as +00:00)"),
        ("'2026-13-01'", "'2026-13-01' is not a timestamp: month 13 is not 01 to 12"),
        ("'2026-02-29'", "'2026-02-29' is not a timestamp: 2026-02 has no day 29"),
        ("'2026-03-10T24:00:00Z'", "'2026-03-10T24:00:00Z' is not a timestamp: 24:00:00 is not a time of day"),
        ("'10/03/2026'", "'10/03/2026' is not a timestamp: expected RFC 3339"),
        ("'2026-03-10T01:00:00+0200'", "'2026-03-10T01:00:00+0200' is not a timestamp: expected RFC 3339"),
        ("'2026-03-10T01:00:00Z junk'", "is not a timestamp: expected RFC 3339"),
        ("1773104400", "timestamp string expected, got number"),
    ])
    func refuses(_ argument: String, _ message: String) throws {
        let (outcome, _) = try runWithFota("local x = 1\nfota.time.parse(\(argument))")
        guard case .failed(let error) = outcome else { Issue.record("\(argument) must fail, got \(outcome)"); return }
        #expect(error.description.contains(":2: bad argument #1 to 'fota.time.parse' ("), "\(error.description)")
        #expect(error.description.contains(message), "\(error.description)")
    }

    @Test("format writes UTC, RFC 3339 by default, and round-trips with parse")
    func formats() throws {
        let (outcome, output) = try runWithFota("""
            print(fota.time.format(1773104400))
            print(fota.time.format(1773104400.9, "%Y-%m-%d"))
            print(fota.time.format(fota.time.parse("2021-06-03 00:03:56.079 +0000 UTC")))
            print(pcall(fota.time.format, "x"))
            print(pcall(fota.time.format, 0, "%Q"))
            """)
        guard case .finished = outcome else { Issue.record("\(outcome)"); return }
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.prefix(3) == ["2026-03-10T01:00:00Z", "2026-03-10", "2021-06-03T00:03:56Z"])
        #expect(lines[3].contains("bad argument #1 to 'fota.time.format' (seconds since 1970 expected, got string)"))
        #expect(lines[4].contains("bad argument #2 to 'fota.time.format' (") && lines[4].contains("'%Q'"))
    }
}

@Suite("fota.args")
struct ArgsHelperTests {
    static let spec = """
        local opts, usage = fota.args{
          {"count", type = "number", default = 5, help = "devices in the canary"},
          {"model", help = "device model"},
          {"device", type = "list", help = "IMEIs"},
          {"yes", type = "boolean", help = "do not ask"},
          {"firmware", required = true, help = "image name"},
        }
        """

    @Test("--name value, --name=value, flags, lists, numbers and defaults")
    func parses() throws {
        let (outcome, output) = try runWithFota(Self.spec + """
            print(opts.count, math.type(opts.count), opts.model, table.concat(opts.device, "|"), opts.yes, opts.firmware)
            """, arguments: ["--count=12", "--firmware", "FW_1", "--device", "1,2", "--device=3", "--yes"])
        guard case .finished = outcome else { Issue.record("\(outcome)"); return }
        #expect(output == "12\tinteger\tnil\t1|2|3\ttrue\tFW_1\n")
        let (_, defaults) = try runWithFota(Self.spec + "print(opts.count, #opts.device, opts.yes, opts.firmware)", arguments: ["--firmware=x", "--yes=false"])
        #expect(defaults == "5\t0\tfalse\tx\n")
    }

    @Test("positional arguments are refused unless the spec allows them, and are then the result's 1…n")
    func positional() throws {
        let (outcome, output) = try runWithFota("""
            local opts = fota.args({positional = "FILE…", {"n", type = "number"}})
            print(opts.n, opts[1], opts[2], opts[3])
            """, arguments: ["a.csv", "--n", "2", "--", "--b"])
        guard case .finished = outcome else { Issue.record("\(outcome)"); return }
        #expect(output == "2\ta.csv\t--b\tnil\n")
    }

    @Test("a bad argument ends the run with status 64", arguments: [
        ["--firmware"], ["--count", "many", "--firmware", "x"], ["--colour", "red", "--firmware", "x"], [],
        ["--firmware", "x", "extra"], ["--yes=maybe", "--firmware", "x"],
    ])
    func badArgument(_ arguments: [String]) throws {
        let (outcome, output) = try runWithFota(Self.spec + "print('ran')", arguments: arguments)
        guard case .exited(let status) = outcome else { Issue.record("\(arguments): \(outcome)"); return }
        #expect(status == 64)
        #expect(output == "")
    }

    @Test("S36 attack: fota.args' exit cannot be caught by pcall or a coroutine, nor redirected by replacing os.exit first")
    func exitCannotBeCaught() throws {
        let hijack = "os.exit = function() print('hijacked') end\n"
        for call in ["pcall(fota.args, spec)", "coroutine.wrap(function() pcall(fota.args, spec) end)()"] {
            let source = "local spec = {{\"count\", type = \"number\"}}\n" + hijack + call + "\nprint('ran')"
            let (outcome, output) = try runWithFota(source, arguments: ["--count", "many"])
            guard case .exited(let status) = outcome else { Issue.record("\(call): \(outcome)"); continue }
            #expect(status == 64, "\(call)")
            #expect(output == "", "\(call)")
        }
    }

    @Test("type = 'integer' takes whole numbers only and min refuses smaller values, with status 64 and the reason", arguments: [
        (["--count", "2.5"], "--count must be a whole number, got '2.5'"), (["--count", "0"], "--count must be at least 1, got '0'"),
        (["--share=-0.5"], "--share must be at least 0, got '-0.5'"),
    ])
    func integerAndMin(_ arguments: [String], _ message: String) throws {
        let spec = "local o = fota.args{{'count', type = 'integer', min = 1, default = 5}, {'share', type = 'number', min = 0}}\n"
        let (outcome, output) = try runWithFota(spec + "print(math.type(o.count), o.count, o.share)", arguments: arguments)
        guard case .exited(let status) = outcome else { Issue.record("\(arguments): \(outcome)"); return }
        #expect(status == 64, "\(arguments)")
        #expect(output == "", "\(arguments)")
        let good = try runWithFota(spec + "print(math.type(o.count), o.count, o.share)", arguments: ["--count", "3.0", "--share", "0"])
        guard case .finished = good.0 else { Issue.record("\(good.0)"); return }
        #expect(good.1 == "integer\t3\t0\n")
        // The reason reaches the operator on stderr with the usage, which shows the bound.
        let folder = try TempFolder()
        try folder.write("x.lua", spec)
        let run = try Subprocess(fotaBinary, ["run", "x.lua"] + arguments, in: folder.path).wait()
        #expect(run.stderr.hasPrefix("x.lua: \(message)\n"), "\(run.stderr)")
        #expect(run.stderr.contains("--count N"), "\(run.stderr)")
        #expect(run.stderr.contains("(at least 1) (default 5)"), "\(run.stderr)")
    }

    @Test("--help prints the generated usage on stdout and ends the run with status 0")
    func help() throws {
        let (outcome, output) = try runWithFota(Self.spec + "print('ran')", arguments: ["--help"])
        guard case .exited(let status) = outcome else { Issue.record("\(outcome)"); return }
        #expect(status == 0)
        #expect(output.hasPrefix("usage: fota run "))
        let lines = output.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(lines.contains("--count N devices in the canary (default 5)"))
        #expect(lines.contains("--firmware VALUE image name (required)"))
        #expect(lines.contains("--yes do not ask"))
        #expect(lines.contains("--help show this text"))
        #expect(!output.contains("ran"))
    }

    @Test("a bad spec is the script's own bad-argument error", arguments: [
        ("{{'count', type = 'int'}}", "option 'count': type 'int' is not string, number, integer, boolean or list"),
        ("{{'count', type = 'integer', default = 2.5}}", "option 'count': default must be an integer, got 2.5"),
        ("{{'name', min = 1}}", "option 'name': min is for number and integer options, and must be a number"),
        ("{{'count', type = 'integer', min = '1'}}", "option 'count': min is for number and integer options, and must be a number"),
        ("{{'count', type = 'number', default = '5'}}", "option 'count': default must be a number, got string"),
        ("{{1}}", "option #1 must be a table whose first item is its name"),
        ("{{'a'}, {'a'}}", "option 'a' is given twice"),
        ("{colour = 1}", "unknown field 'colour'"),
        ("'count'", "table of options expected, got string"),
    ])
    func badSpec(_ spec: String, _ message: String) throws {
        let (outcome, _) = try runWithFota("local x = 1\nfota.args(\(spec))")
        guard case .failed(let error) = outcome else { Issue.record("\(spec) must fail, got \(outcome)"); return }
        #expect(error.description.contains(":2: bad argument #1 to 'fota.args' ("), "\(error.description)")
        #expect(error.description.contains(message), "\(error.description)")
    }
}
