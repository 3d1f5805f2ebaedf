import Foundation
import LuaHost
import Testing

@Suite("Limits, exit, arguments")
struct LimitTests {
    @Test("each tripped limit is reported as its own LuaLimit with the configured value")
    func limits() throws {
        let memory = try runScript("local t = {} for i = 1, 1e8 do t[i] = i end", limits: LuaLimits(memoryBytes: 12 << 20))
        #expect(memory.limit == .memory(bytes: 12 << 20))
        let cpu = try runScript("local x = 0 while true do x = x + 1 end", limits: LuaLimits(cpuSeconds: 0.25))
        #expect(cpu.limit == .cpu(seconds: 0.25))
        let wallClock = try runScript("while true do end", limits: LuaLimits(cpuSeconds: 0), timeout: 0.5)
        #expect(wallClock.limit == .wallClock(seconds: 0.5))
        // under the limits, the same kind of work finishes
        let fine = try runScript("local t = {} for i = 1, 1000 do t[i] = i end return #t", limits: LuaLimits(memoryBytes: 12 << 20, cpuSeconds: 5), timeout: 30)
        expectValues(fine.values, [.integer(1000)])
    }

    @Test("the memory limit also holds for a LuaState used directly")
    func stateMemoryLimit() throws {
        let state = try LuaState(limits: LuaLimits(memoryBytes: 4 << 20))
        let error = #expect(throws: LuaScriptError.self) { try state.run("return string.rep('x', 8 << 20)") }
        #expect(error?.message == "not enough memory")
        guard case .number(let kilobytes) = try state.run("return collectgarbage('count')").first else {
            Issue.record("collectgarbage('count') gave no number"); return
        }
        #expect(kilobytes * 1024 <= Double(4 << 20))
        expectValues(try state.run("return #string.rep('x', 1 << 20)"), [.integer(1 << 20)])
    }

    @Test("os.exit(n) ends the run with n, also inside pcall, coroutines and tail calls")
    func exit() throws {
        let output = OutputCollector()
        let cases: [(String, Int32)] = [
            ("os.exit(7) print('not reached')", 7),
            ("os.exit()", 0),
            ("os.exit(true)", 0),
            ("os.exit(false)", 1),
            ("os.exit(125)", 125),
            ("pcall(os.exit, 4) print('not reached')", 4),
            ("local ok = pcall(function() os.exit(5) end) while true do end", 5),
            ("return pcall(os.exit, 6)", 6),
            ("coroutine.wrap(function() pcall(os.exit, 8) end)() print('not reached')", 8),
            ("return coroutine.resume(coroutine.create(function() os.exit(9) end))", 9),
        ]
        for (source, status) in cases {
            let outcome = try runScript(source, limits: LuaLimits(cpuSeconds: 5), timeout: 30, output: output)
            #expect(outcome.exitStatus == status, "\(source) ended with \(outcome)")
        }
        #expect(output.text == "")
        let invalid = try runScript("os.exit(126)")
        #expect(invalid.error?.message.hasSuffix("bad argument #1 to 'exit' (exit status must be from 0 to 125)") == true)
    }

    @Test("arg and ... carry the script's arguments, flags included; arg[0] is the script")
    func arguments() throws {
        let folder = try TempFolder()
        let script = try folder.write("args.lua", """
            return arg[0], #arg, arg[1], arg[2], arg[3], select('#', ...), ...
            """)
        let outcome = ScriptRunner.run(ScriptRun(scriptPath: script, arguments: ["--count", "5", ""]))
        expectValues(outcome.values, [
            .string(script), .integer(3), .string("--count"), .string("5"), .string(""), .integer(3),
            .string("--count"), .string("5"), .string(""),
        ])
        let none = try runScript("return #arg, select('#', ...), type(arg[0])")
        expectValues(none.values, [.integer(0), .integer(0), .string("string")])
    }

    @Test("a #! first line is allowed and error lines stay right")
    func shebang() throws {
        let outcome = try runScript("#!/usr/bin/env -S fota run --cpu-limit 5\nlocal x = 1\nerror('line three')\n")
        #expect(outcome.error?.message.hasSuffix("script.lua:3: line three") == true, "ended with \(outcome)")
        let fine = try runScript("#!/usr/bin/env fota\nreturn 'ran'")
        expectValues(fine.values, [.string("ran")])
        let state = try LuaState()
        let error = #expect(throws: LuaScriptError.self) { try state.run("# comment line\n\nerror('x')", chunkName: "@s.lua") }
        #expect(error?.message == "s.lua:3: x")
    }

    @Test("a UTF-8 byte order mark before the first line is skipped, as lua does")
    func byteOrderMark() throws {
        let folder = try TempFolder()
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let plain = try folder.write("plain.lua", bytes: bom + Array("return 'ok'".utf8))
        #expect(ScriptRunner.run(ScriptRun(scriptPath: plain)).values == [.string("ok")])
        let hashed = try folder.write("hashed.lua", bytes: bom + Array("#!/usr/bin/env fota\n\nerror('x')".utf8))
        #expect(ScriptRunner.run(ScriptRun(scriptPath: hashed)).error?.message.hasSuffix("hashed.lua:3: x") == true)
        try folder.write("mod.lua", bytes: bom + Array("return 7".utf8))
        let main = try folder.write("main.lua", "return require 'mod'")
        #expect(ScriptRunner.run(ScriptRun(scriptPath: main)).values == [.integer(7)])
    }

    @Test("prepare runs before the script and can install host functions")
    func prepare() throws {
        let outcome = try runScript("return greet('ops'), version", prepare: { state in
            try state.setGlobal("greet", state.register { args, results in
                results.push(string: "hello " + (try args.string(1).description))
            })
            try state.setGlobal("version", .string("1.2"))
        })
        expectValues(outcome.values, [.string("hello ops"), .string("1.2")])
    }

    @Test("a script that cannot be read is a clear failure")
    func unreadable() throws {
        let outcome = ScriptRunner.run(ScriptRun(scriptPath: "/nonexistent/fota/missing.lua"))
        #expect(outcome.error?.message == "cannot read script '/nonexistent/fota/missing.lua': No such file or directory")
    }
}
