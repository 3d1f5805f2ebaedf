import Foundation
import LuaHost
import Testing

/// One test per item of docs/sandbox.md (S1–S19): each tries the attack,
/// checks that it fails, and that the host is healthy afterwards.
@Suite("Sandbox attacks")
struct SandboxTests {
    @Test("S1: package.loadlib and C modules (.so) are unreachable")
    func nativeCode() throws {
        let elf = "\u{7F}ELF\u{02}\u{01}\u{01} not really a library"
        let outcome = try runScript("""
            local r = {}
            r[1] = package == nil
            r[2] = select(2, pcall(function() return package.loadlib('libc.so.6', 'system') end))
            r[3] = select(2, pcall(require, 'evil'))
            r[4] = select(2, pcall(require, 'native.so'))
            r[5] = select(2, pcall(require, 'luasocket.core'))
            return table.unpack(r)
            """, files: ["evil.so": elf, "native.so": elf, "luasocket/core.so": elf, "evil/init.so": elf])
        let values = try #require(outcome.values)
        try #require(values.count == 5)
        #expect(values[0] == .boolean(true))
        guard case .string(let loadlib) = values[1] else { Issue.record("\(values[1])"); return }
        #expect(loadlib.description.hasSuffix("attempt to index a nil value (global 'package')"))
        #expect(values[2] == .string("module 'evil' not found in the script's folder or the library path"))
        #expect(values[3] == .string("module 'native.so' not found in the script's folder or the library path"))
        #expect(values[4] == .string("module 'luasocket.core' not found in the script's folder or the library path"))
        try expectHealthy()
    }

    @Test("S2: io, dofile, loadfile and os.execute/remove/rename/tmpname/getenv/setlocale are absent")
    func filesProcessesEnvironment() throws {
        let state = try LuaState()
        let results = try state.run("""
            local keys = {}
            for k in pairs(os) do keys[#keys + 1] = k end
            table.sort(keys)
            return io == nil, dofile == nil, loadfile == nil, os.execute == nil, os.remove == nil,
              os.rename == nil, os.tmpname == nil, os.getenv == nil, os.setlocale == nil,
              table.concat(keys, ','), select(2, pcall(require, 'io')),
              type(os.time()), type(os.clock()), type(os.date('%Y')), os.difftime(10, 4)
            """)
        expectValues(results, Array(repeating: .boolean(true), count: 9) + [
            .string("clock,date,difftime,exit,time"),
            .string("module 'io' not found in the script's folder or the library path"),
            .string("number"), .string("number"), .string("string"), .number(6),
        ])
        let attempt = #expect(throws: LuaScriptError.self) {
            try state.run("return os.execute('touch /tmp/fota-sandbox-escape')", chunkName: "@x.lua")
        }
        #expect(attempt?.message == "x.lua:1: attempt to call a nil value (field 'execute')")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/fota-sandbox-escape"))
        try expectHealthy()
    }

    @Test("S3: binary chunks are refused by load, by the host and as a script file")
    func binaryChunks() throws {
        let header = "\u{1B}Lua\u{54}\u{00}\u{19}\u{93}\r\n\u{1A}\n\u{04}\u{08}\u{08}xV\u{00}\u{00}"
        let state = try LuaState()
        try state.setGlobal("bin", .string(header))
        let results = try state.run("""
            local f1, e1 = load(bin)
            local f2, e2 = load(bin, 'x', 'b')
            local f3, e3 = load(bin, 'x', 'bt', {})
            local parts, i = {bin:sub(1, 3), bin:sub(4)}, 0
            local f4, e4 = load(function() i = i + 1 return parts[i] end, 'r', 'b')
            return f1 == nil and f2 == nil and f3 == nil and f4 == nil, e1, e2, e3, e4
            """)
        let refused = LuaValue.string("attempt to load a binary chunk (mode is 't')")
        expectValues(results, [.boolean(true), refused, refused, refused, refused])
        let direct = #expect(throws: LuaScriptError.self) { try state.run(header) }
        #expect(direct?.message == "attempt to load a binary chunk (mode is 't')")

        let folder = try TempFolder()
        let path = try folder.write("compiled.lua", bytes: Array(header.utf8) + [0, 0, 0, 0, 0])
        let outcome = ScriptRunner.run(ScriptRun(scriptPath: path))
        #expect(outcome.error?.message == "attempt to load a binary chunk (mode is 't')")
        // a bytecode file behind a "#!" line is refused too
        let hashed = try folder.write("hashed.lua", bytes: Array("#!/usr/bin/env fota\n".utf8) + Array(header.utf8))
        #expect(ScriptRunner.run(ScriptRun(scriptPath: hashed)).error != nil)
        try expectHealthy()
    }

    @Test("S4: string.dump is removed")
    func stringDump() throws {
        let state = try LuaState()
        let results = try state.run("""
            local ok, e = pcall(function() return string.dump(print) end)
            return string.dump == nil, ("").dump == nil, ok, e
            """, chunkName: "@dump.lua")
        expectValues(results, [.boolean(true), .boolean(true), .boolean(false), .string("dump.lua:1: attempt to call a nil value (field 'dump')")])
        try expectHealthy()
    }

    @Test("S5: load without an env sees only the sandbox, with an env only that env")
    func loadEnvironment() throws {
        let state = try LuaState()
        let results = try state.run("""
            marker = 'sandbox global'
            local io_, getenv, dbg, pkg, m, g = load('return io, os.getenv, debug, package, marker, _G')()
            local env = {}
            local e = load('x = 1 return _ENV', '=c', 't', env)()
            local ok, err = pcall(load('return print', '=nil-env', 't', nil))
            return io_ == nil, getenv == nil, dbg == nil, pkg == nil, m, g == _G, e == env, x == nil, env.x, ok, err
            """)
        expectValues(results, [
            .boolean(true), .boolean(true), .boolean(true), .boolean(true), .string("sandbox global"), .boolean(true),
            .boolean(true), .boolean(true), .integer(1), .boolean(false),
            .string("nil-env:1: attempt to index a nil value (upvalue '_ENV')"),
        ])
        try expectHealthy()
    }

    @Test("S6: the debug library is absent, so sethook cannot remove the CPU watchdog")
    func debugLibrary() throws {
        let state = try LuaState()
        expectValues(try state.run("return debug == nil, select(2, pcall(require, 'debug'))"), [
            .boolean(true), .string("module 'debug' not found in the script's folder or the library path"),
        ])
        let outcome = try runScript("""
            pcall(function() debug.sethook() end)
            pcall(function() debug.getregistry() end)
            while true do end
            """, limits: smallCPU)
        #expect(outcome.limit == .cpu(seconds: 0.3))
        try expectHealthy()
    }

    @Test("S7: the shared string metatable cannot be fetched or tampered with")
    func stringMetatable() throws {
        let state = try LuaState()
        let results = try state.run("""
            local mt = getmetatable('')
            local ok1, e1 = pcall(function() getmetatable('').__index.upper = nil end)
            local ok2, e2 = pcall(function() local r = setmetatable('', {}) return r end)
            return mt, ok1, ok2, e2, ('abc'):upper(), ('%d'):format(5)
            """, chunkName: "@s.lua")
        expectValues(results, [
            .boolean(false), .boolean(false), .boolean(false),
            .string("s.lua:3: bad argument #1 to 'setmetatable' (table expected, got string)"), .string("ABC"), .string("5"),
        ])
        try expectHealthy()
    }

    @Test("S8: monkey-patched libraries and globals do not outlive the run")
    func monkeyPatching() throws {
        let first = try runScript("""
            string.upper = function() return 'patched' end
            math.pi = 3
            table.insert = error
            print = nil
            tostring = function() return 'owned' end
            leaked = 'from the first run'
            return ('x'):upper()
            """)
        expectValues(first.values, [.string("patched")])
        let second = try runScript("""
            return ('x'):upper(), math.pi, type(table.insert), type(print), tostring(1), leaked
            """)
        expectValues(second.values, [.string("X"), .number(Double.pi), .string("function"), .string("function"), .string("1"), .nil])
        // two live states do not see each other's changes either
        let a = try LuaState()
        let b = try LuaState()
        _ = try a.run("string.rep = nil shared = 1")
        expectValues(try b.run("return type(string.rep), shared"), [.string("function"), .nil])
        try expectHealthy()
    }

    @Test("S9: host tables and _G cannot be re-metatabled or modified, not even with rawset or through pairs")
    func hostTables() throws {
        let state = try LuaState()
        let deploy = state.register { _, results in results.push(string: "deployed") }
        try state.setGlobal("fota", .map([
            .string("version"): .string("1.0"), .string("deploy"): deploy,
            .string("devices"): .array([.string("a"), .string("b")]),
        ]))
        try state.protectGlobal("fota")
        let results = try state.run("""
            local function err(f, ...) local ok, e = pcall(f, ...) return ok, e end
            local r = {}
            r[#r + 1] = select(2, err(function() fota.version = '2.0' end))
            r[#r + 1] = select(2, err(function() fota.extra = true end))
            r[#r + 1] = select(2, err(function() local x = setmetatable(fota, {}) return x end))
            r[#r + 1] = getmetatable(fota)
            r[#r + 1] = select(2, err(function() local x = rawset(fota, 'deploy', print) return x end))
            r[#r + 1] = select(2, err(function() local x = rawset(fota.devices, 1, 'evil') return x end))
            r[#r + 1] = select(2, err(function() table.insert(fota.devices, 'c') end))
            r[#r + 1] = select(2, err(function() local x = setmetatable(_G, {}) return x end))
            r[#r + 1] = getmetatable(_G)
            local iter, subject = pairs(fota)
            r[#r + 1] = subject == fota
            local keys = {}
            for k, v in pairs(fota) do keys[#keys + 1] = k end
            table.sort(keys)
            r[#r + 1] = table.concat(keys, ',')
            r[#r + 1] = fota.version
            r[#r + 1] = fota.deploy()
            r[#r + 1] = #fota.devices
            r[#r + 1] = fota.devices[2]
            return table.unpack(r)
            """, chunkName: "@h.lua")
        expectValues(results, [
            .string("h.lua:3: attempt to modify read-only table 'fota'"),
            .string("h.lua:4: attempt to modify read-only table 'fota'"),
            .string("h.lua:5: cannot change a protected metatable"),
            .string("locked"),
            .string("h.lua:7: attempt to modify read-only table 'fota'"),
            .string("h.lua:8: attempt to modify read-only table 'fota.devices'"),
            .string("attempt to modify read-only table 'fota.devices'"),
            .string("h.lua:10: cannot change a protected metatable"),
            .string("locked"),
            .boolean(true),
            .string("deploy,devices,version"),
            .string("1.0"), .string("deployed"), .integer(2), .string("b"),
        ])
        try expectHealthy()
    }

    @Test("S10: collectgarbage offers only 'count'; 'stop' cannot switch the collector off")
    func collectGarbage() throws {
        let outcome = try runScript("""
            local refused = {}
            for _, opt in ipairs({'stop', 'restart', 'collect', 'step', 'incremental', 'generational',
                                  'setpause', 'setstepmul', 'isrunning'}) do
              local ok, e = pcall(collectgarbage, opt)
              if not ok and e:find("not allowed in the sandbox") then refused[#refused + 1] = opt end
            end
            local defaultRefused = not pcall(collectgarbage)
            -- far more garbage than the 8 MiB budget: only a running collector lets this finish
            for i = 1, 300000 do local t = {i, tostring(i), {}} end
            return #refused, defaultRefused, math.type(collectgarbage('count'))
            """, limits: LuaLimits(memoryBytes: 8 << 20))
        expectValues(outcome.values, [.integer(9), .boolean(true), .string("float")])
        try expectHealthy()
    }

    @Test("S11: a CPU loop is stopped, plain, in a coroutine, behind pcall and behind xpcall")
    func cpuLoops() throws {
        let loops = [
            "while true do end",
            "coroutine.wrap(function() while true do end end)()",
            "local co = coroutine.create(function() while true do end end) while true do coroutine.resume(co) end",
            "while true do pcall(function() while true do end end) end",
            "while true do pcall(coroutine.wrap(function() while true do end end)) end",
            "while true do xpcall(function() while true do end end, function(e) while true do end end) end",
            "local function f() while true do end end while true do pcall(pcall, pcall, f) end",
            "return pcall(function() while true do end end)",
            "local n = 0 for i = 1, math.maxinteger do n = n + i end",
        ]
        for loop in loops {
            let outcome = try runScript(loop, limits: smallCPU)
            #expect(outcome.limit == .cpu(seconds: 0.3), "\(loop) ended with \(outcome)")
        }
        try expectHealthy()
    }

    @Test("S11: a loop of slow C calls (big pattern matches, string.upper, table.concat) still stops at the CPU limit")
    func slowCalls() throws {
        let loops = [
            "local big = string.rep('a', 16 * 1024 * 1024) while true do big:find('[b]') end",
            "local big = string.rep('a', 16 * 1024 * 1024) while true do pcall(string.gsub, big, '[b]', '') end",
            "local s = ('x'):rep(32 << 20) while true do local u = s:upper() end",
            "local s = ('x'):rep(32 << 20) while true do pcall(function() return s:reverse() end) end",
            "local t = {} for i = 1, 1e6 do t[i] = 'abcdefgh' end while true do pcall(table.concat, t) end",
        ]
        for loop in loops {
            // each instruction is slow here: counting hooks alone would read the CPU clock minutes late,
            // and the wall-clock safety net would end the run instead
            let outcome = try runScript(loop, limits: LuaLimits(memoryBytes: 512 << 20, cpuSeconds: 0.5), timeout: 30)
            #expect(outcome.limit == .cpu(seconds: 0.5), "\(loop) ended with \(outcome)")
        }
        try expectHealthy()
    }

    @Test("S12: oversized patterns and subjects are refused by find, match, gmatch and gsub")
    func patternCaps() throws {
        let state = try LuaState()
        let results = try state.run("""
            local big = string.rep('a', 16 * 1024 * 1024 + 1)
            local long = string.rep('a?', 257)
            local function err(f, ...) local ok, e = pcall(f, ...) return e end
            return err(string.find, big, 'b+'), err(string.match, 'x', long), err(string.gsub, 'x', long, ''),
              err(string.gmatch, big, 'a'), err(function() return big:match('b') end),
              string.find(big, 'b', 1, true), #string.rep('a?', 256) == 512 and ('aaa'):find(string.rep('a?', 256)) or 'no'
            """, chunkName: "@p.lua")
        expectValues(results, [
            .string("pattern subject is 16777217 bytes; the sandbox allows at most 16777216"),
            .string("pattern is 514 bytes; the sandbox allows at most 512"),
            .string("pattern is 514 bytes; the sandbox allows at most 512"),
            .string("pattern subject is 16777217 bytes; the sandbox allows at most 16777216"),
            .string("p.lua:5: pattern subject is 16777217 bytes; the sandbox allows at most 16777216"),
            .nil, .integer(1),
        ])
        // caps are per-state limits
        let strict = try LuaState(limits: LuaLimits(maxPatternBytes: 8, maxSubjectBytes: 16))
        #expect(throws: LuaScriptError.self) { try strict.run("return ('x'):find('%a%a%a%a%a')") }
        #expect(throws: LuaScriptError.self) { try strict.run("return string.rep('x', 17):find('y+')") }
        // a plain search (no magic characters) is linear, so it needs no cap
        expectValues(try strict.run("return string.rep('x', 17):find('y'), string.rep('x', 17):find('xy')"), [.nil, .nil])
        expectValues(try strict.run("return ('hello'):match('l+')"), [.string("ll")])
        // the catastrophic pattern within the caps is stopped by the wall clock: see FotaCLITests
        try expectHealthy()
    }

    @Test("S12: loops inside C that no hook can stop are refused: string.rep of '', table.move/insert/remove over huge ranges")
    func cLoops() throws {
        let spins = [
            ("return #string.rep('', math.maxinteger)", nil),
            ("table.move({}, 1, math.maxinteger - 1, 1)", "table.move: the sandbox moves at most 16777216 elements at a time"),
            ("table.insert(setmetatable({}, {__len = function() return math.maxinteger - 1 end}), 1, 'x')",
             "table.insert: the sandbox shifts at most 16777216 elements"),
            ("table.remove(setmetatable({}, {__len = function() return math.maxinteger - 1 end}), 1)",
             "table.remove: the sandbox shifts at most 16777216 elements"),
        ]
        for (source, message) in spins {
            // without the caps each of these spins in C past the CPU limit until the wall clock gives up on it
            let outcome = try runScript(source, limits: smallCPU, timeout: 20, grace: 1)
            if let message {
                #expect(outcome.error?.message.hasSuffix("script.lua:1: " + message) == true, "\(source) ended with \(outcome)")
            } else {
                #expect(outcome.values == [.integer(0)], "\(source) ended with \(outcome)")
            }
        }
        // the replacements behave as Lua's own
        let state = try LuaState()
        let results = try state.run("""
            local t = {1, 2, 3}
            table.insert(t, 1, 0) table.insert(t, 9)
            local first, last = table.remove(t, 1), table.remove(t)
            local e = {}
            local removedFromEmpty = table.remove(e)
            local ok1, e1 = pcall(function() table.insert({}, 5, 1) end)
            local ok2, e2 = pcall(function() table.insert({}, 1, 2, 3) end)
            return table.concat(t, ','), first, last, removedFromEmpty, e1, e2, string.rep('ab', 3, ','), string.rep('', 3, ','),
              table.concat(table.move({1, 2, 3}, 1, 3, 2), ',')
            """, chunkName: "@t.lua")
        expectValues(results, [
            .string("1,2,3"), .integer(0), .integer(9), .nil,
            .string("t.lua:6: bad argument #2 to 'insert' (position out of bounds)"),
            .string("t.lua:7: wrong number of arguments to 'insert'"),
            .string("ab,ab,ab"), .string(",,"), .string("1,1,2,3"),
        ])
        try expectHealthy()
    }

    @Test("argument errors of wrapped library functions name the function and the script's line")
    func wrappedFunctionErrors() throws {
        let state = try LuaState()
        let results = try state.run("""
            local function e(f) local ok, msg = pcall(f) return msg end
            return e(function() local x = string.format('%d', 'x') return x end),
              e(function() local x = ('x'):find('x', {}) return x end),
              e(function() local x = ('x'):gsub('x', true) return x end),
              e(function() local x = string.rep('x', 'many') return x end),
              e(function() local x = table.move({}, 'a', 1, 1) return x end),
              e(function() local x = setmetatable({}, 1) return x end),
              e(function() local x = rawset(1, 2, 3) return x end),
              e(function() local x = xpcall(print) return x end)
            """, chunkName: "@w.lua")
        expectValues(results, [
            .string("w.lua:2: bad argument #2 to 'format' (number expected, got string)"),
            .string("w.lua:3: bad argument #2 to 'find' (number expected, got table)"),
            .string("w.lua:4: bad argument #2 to 'gsub' (string/function/table expected, got boolean)"),
            .string("w.lua:5: bad argument #2 to 'rep' (number expected, got string)"),
            .string("w.lua:6: bad argument #2 to 'move' (number expected, got string)"),
            .string("w.lua:7: bad argument #2 to 'setmetatable' (nil or table expected, got number)"),
            .string("w.lua:8: bad argument #1 to 'rawset' (table expected, got number)"),
            .string("w.lua:9: bad argument #2 to 'xpcall' (function expected, got no value)"),
        ])
        // load keeps Lua's behaviour with the mode forced to text
        let loads = try state.run("""
            local parts, i = {'return ', '5'}, 0
            return load('return 1', 'c', 'b')(), load(function() i = i + 1 return parts[i] end)(),
              load('return x', '=c', 't', {x = 3})(), select(2, load('return +', '=chunk'))
            """)
        expectValues(loads, [.integer(1), .integer(5), .integer(3), .string("chunk:1: unexpected symbol near '+'")])
    }

    @Test("S13: string.rep bombs, doubling concatenation and huge tables hit the memory limit")
    func memoryBombs() throws {
        let limits = LuaLimits(memoryBytes: 16 << 20)
        let bombs = [
            "local s = string.rep('x', 1 << 30)",
            "local s = ('x'):rep(100, string.rep(',', 1 << 20))",
            "local s = 'x' while true do s = s .. s end",
            "local t = {} local i = 0 while true do i = i + 1 t[i] = i end",
            "local t = {} while true do t[#t + 1] = {tostring(#t)} end",
            "local parts = {} for i = 1, 1e7 do parts[i] = 'abcdefgh' end return table.concat(parts)",
        ]
        for bomb in bombs {
            let outcome = try runScript(bomb, limits: limits)
            #expect(outcome.limit == .memory(bytes: 16 << 20), "\(bomb) ended with \(outcome)")
        }
        // a script that catches the memory error can go on
        let recovered = try runScript("""
            local ok, e = pcall(string.rep, 'x', 1 << 30)
            local ok2 = pcall(function() local s = 'x' while true do s = s .. s end end)
            local t = {} for i = 1, 10000 do t[i] = i end
            return ok, e, ok2, #t
            """, limits: limits)
        expectValues(recovered.values, [.boolean(false), .string("not enough memory"), .boolean(false), .integer(10000)])
        try expectHealthy()
    }

    @Test("S14: deep recursion, nested pcall, coroutines and metamethods end in a clean stack overflow error")
    func stackExhaustion() throws {
        let cases: [(String, String)] = [
            ("local function f(n) return 1 + f(n + 1) end return f(1)", "stack overflow"),
            ("local function f() local ok, e = pcall(f) if not ok then error(e, 0) end end f()", "stack overflow"),
            ("local function f() coroutine.wrap(f)() end f()", "C stack overflow"),
            ("local function f() local co = coroutine.create(f) local ok, e = coroutine.resume(co) error(e, 0) end f()",
             "C stack overflow"),
            ("local t = setmetatable({}, {__index = function(t, k) return t[k] end}) return t.x", "stack overflow"),
            ("local c = setmetatable({}, {__concat = function(a, b) return a .. b end}) return c .. 'x'", "stack overflow"),
            ("local s = setmetatable({}, {}) getmetatable(s).__tostring = function(x) return tostring(x) end return tostring(s)",
             "stack overflow"),
            ("local function g(s) return (s:gsub('.', g)) end return g('abc')", "stack overflow"),
            ("local t = {} local cur = t for i = 1, 5000 do local n = {} setmetatable(cur, {__index = n}) cur = n end return t.x",
             "'__index' chain too long"),
            ("assert(load(string.rep('(', 100000)))", "overflow"),
            ("assert(load('return ' .. string.rep('{', 100000)))", "overflow"),
        ]
        for (source, expected) in cases {
            let outcome = try runScript(source)
            let error = outcome.error
            #expect(error?.message.contains(expected) == true, "\(source) ended with \(outcome)")
        }
        try expectHealthy()
    }

    @Test("S15: __gc finalizers cannot run outside the limits; to-be-closed handlers stay under the CPU limit")
    func finalizers() throws {
        let output = OutputCollector()
        let refused = try runScript("""
            setmetatable({}, {__gc = function() while true do end end})
            """, limits: smallCPU, timeout: 20, output: output)
        #expect(refused.error?.message.hasSuffix("script.lua:1: '__gc' finalizers are not allowed in the sandbox") == true,
                "ended with \(refused)")
        let hugeAllocation = try runScript("""
            local ok, e = pcall(setmetatable, {}, {__gc = function() local s = string.rep('x', 1 << 40) end})
            return ok
            """, limits: LuaLimits(memoryBytes: 8 << 20), timeout: 20)
        expectValues(hugeAllocation.values, [.boolean(false)])
        // __gc added after setmetatable never makes the table finalizable
        let sneaky = try runScript("""
            local mt = {}
            local t = setmetatable({}, mt)
            mt.__gc = function() print('finalizer ran') while true do end end
            t = nil
            for i = 1, 100000 do local garbage = {i} end
            return 'done'
            """, limits: smallCPU, timeout: 20, output: output)
        expectValues(sneaky.values, [.string("done")])
        #expect(output.text == "")
        let closing = try runScript("""
            do local x <close> = setmetatable({}, {__close = function() while true do end end}) end
            """, limits: smallCPU, timeout: 20)
        #expect(closing.limit == .cpu(seconds: 0.3))
        // a coroutine killed by the limit is left with hooks off: closing it must not run its endless __close
        for source in [
            """
            coroutine.wrap(function()
              local x <close> = setmetatable({}, {__close = function() while true do end end})
              while true do end
            end)()
            """,
            """
            local co = coroutine.create(function()
              local x <close> = setmetatable({}, {__close = function() while true do end end})
              while true do end
            end)
            coroutine.resume(co)
            coroutine.close(co)
            """,
        ] {
            let outcome = try runScript(source, limits: smallCPU, timeout: 20, grace: 1)
            #expect(outcome.limit == .cpu(seconds: 0.3), "\(source) ended with \(outcome)")
        }
        try expectHealthy()
    }

    @Test("S16: values with raising metatables are read raw by the host, never through metamethods")
    func raisingMetatables() throws {
        let returned = try runScript("""
            local function boom() error('metamethod ran') end
            local mt = {__index = boom, __len = boom, __pairs = boom, __tostring = boom, __eq = boom, __metatable = false}
            return setmetatable({1, 2}, mt), setmetatable({k = 'v'}, mt)
            """)
        expectValues(returned.values, [.array([.integer(1), .integer(2)]), .map([.string("k"): .string("v")])])

        let state = try LuaState()
        try state.setGlobal("inspect", state.register { args, results in try results.push(try args.value(1)) })
        let results = try state.run("""
            local function boom() error('metamethod ran') end
            local t = setmetatable({a = 1}, {__index = boom, __pairs = boom, __len = boom})
            return inspect(t)
            """)
        expectValues(results, [.map([.string("a"): .integer(1)])])
        let tostringError = #expect(throws: LuaScriptError.self) {
            try state.run("error(setmetatable({}, {__tostring = function() error('nested') end}))")
        }
        #expect(tostringError?.message == "(error object is a table value)")
        let indexError = #expect(throws: LuaScriptError.self) {
            try state.run("error(setmetatable({}, {__index = function() error('nested') end}))")
        }
        #expect(indexError?.message == "(error object is a table value)")
        try expectHealthy()
    }

    @Test("S17: print escapes terminal control sequences")
    func outputInjection() throws {
        let output = OutputCollector()
        let outcome = try runScript(#"""
            print("\27[2J\27]0;title\7", "tab\there", "cr\rend", "\127del", "\0zero")
            print("héllo ✓")
            """#, output: output)
        expectValues(outcome.values, [])
        #expect(output.text == "\\027[2J\\027]0;title\\007\ttab\there\tcr\\013end\t\\127del\t\\000zero\nhéllo ✓\n")
        // LuaState.output receives the same
        let state = try LuaState()
        let captured = OutputCollector()
        state.output = { captured.append($0) }
        _ = try state.run(#"print('\27[31mred', 1, nil, true)"#)
        #expect(captured.text == "\\027[31mred\t1\tnil\ttrue\n")
        // C1 controls in UTF-8: U+009B is a one-character CSI for many terminals; other text is kept
        _ = try state.run(#"print('\194\155' .. '31m', '\u{85}', 'é ✓ \u{A0}')"#)
        #expect(captured.text.hasSuffix("\\194\\15531m\t\\194\\133\té ✓ \u{A0}\n"))
        try expectHealthy()
    }

    @Test("print writes lines longer than Lua's buffer, with escapes, and the script goes on")
    func longPrint() throws {
        let output = OutputCollector()
        let outcome = try runScript("""
            local long = string.rep('x', 5000)
            print(long)
            print('a', long, '\\27', long)
            local ok, e = pcall(function() error(string.rep('y', 3000)) end)
            print(ok, e)
            return 'after'
            """, output: output)
        expectValues(outcome.values, [.string("after")])
        let x = String(repeating: "x", count: 5000)
        let lines = output.text.split(separator: "\n", omittingEmptySubsequences: false)
        try #require(lines.count == 4)
        #expect(lines[0] == x)
        #expect(lines[1] == "a\t\(x)\t\\027\t\(x)")
        #expect(lines[2].hasPrefix("false\t") && lines[2].hasSuffix(String(repeating: "y", count: 3000)))
        try expectHealthy()
    }

    @Test("S18: no addresses in tostring, print or string.format; %p is refused; errors name the script")
    func informationLeaks() throws {
        let output = OutputCollector()
        let outcome = try runScript("""
            local t = {}
            print(t, print, function() end, coroutine.create(print))
            local s = string.format('%s %s %10s %-12s|', t, print, {}, coroutine.running())
            local ok, e = pcall(string.format, '%p', t)
            local ok2, e2 = pcall(string.format, 'x %5p', t)
            return tostring(t), tostring(t) == tostring(t), s, ok, e, ok2, e2,
              tostring(setmetatable({}, {__name = 'Device'}))
            """, output: output)
        let values = try #require(outcome.values)
        #expect(!output.text.contains("0x"))
        #expect(output.text == "table: #1\tfunction: #2\tfunction: #3\tthread: #4\n")
        expectValues(values, [
            .string("table: #1"), .boolean(true), .string("table: #1 function: #2  table: #5 thread: #6  |"),
            .boolean(false), .string("string.format: '%p' is not allowed in the sandbox"),
            .boolean(false), .string("string.format: '%p' is not allowed in the sandbox"),
            .string("Device: #7"),
        ])
        // errors name the script as the operator named it, and modules by their shown path
        let folder = try TempFolder()
        try folder.write("lib/broken.lua", "local x = 1\nerror('module failed')\n")
        let script = try folder.write("job.lua", "local m = require 'broken'\n")
        let failed = ScriptRunner.run(ScriptRun(scriptPath: script, libraryPaths: [folder.path + "/lib"]))
        // (Lua shortens long chunk names from the front, keeping the file name and line)
        #expect(failed.error?.message.hasSuffix("/lib/broken.lua:2: module failed") == true, "\(failed)")
        try expectHealthy()
    }

    @Test("S19: pushing a big value under a tiny memory limit throws instead of crashing")
    func pushUnderMemoryLimit() throws {
        let state = try LuaState(limits: LuaLimits(memoryBytes: 256 << 10))
        let big = LuaValue.array((0..<100_000).map { .string("device-\($0)") })
        let setError = #expect(throws: (any Error).self) { try state.setGlobal("big", big) }
        #expect("\(setError.map { "\($0)" } ?? "")".contains("not enough memory"))
        let argumentError = #expect(throws: LuaScriptError.self) { try state.run("return #...", arguments: [big]) }
        #expect(argumentError?.message == "not enough memory")
        try state.setGlobal("huge", state.register { _, results in try results.push(big) })
        let results = try state.run("local ok, e = pcall(huge) return ok, e")
        expectValues(results, [.boolean(false), .string("not enough memory")])
        expectValues(try state.run("return 1 + 1, ...", arguments: [.string("small")]), [.integer(2), .string("small")])
        try expectHealthy()
    }
}
