import Foundation
import LuaHost
import Testing

/// Counts calls of a host function from the interpreter thread.
// @unchecked Sendable: every access to `count` holds `lock`.
final class CallCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var calls = 0
    func record() { lock.lock(); calls += 1; lock.unlock() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return calls }
}

/// Installs `take(v)`, a host function that reads its argument whole (as
/// json.encode and log.info do) and returns how many bytes of strings it saw.
@Sendable func installTake(_ state: LuaState) throws {
    try state.setGlobal("take", state.register { args, results in
        func bytes(_ value: LuaValue) -> Int {
            switch value {
            case .string(let s): return s.count
            case .array(let elements): return elements.reduce(0) { $0 + bytes($1) }
            case .map(let entries): return entries.reduce(0) { $0 + bytes($1.key.value) + bytes($1.value) }
            default: return 0
            }
        }
        results.push(integer: Int64(bytes(try args.value(1))))
    })
}

/// The text of a string value ("" for other values), for `contains` checks.
func text(_ value: LuaValue) -> String {
    if case .string(let s) = value { return s.description }
    return ""
}

/// The host's own attack surface: what a script can make host functions,
/// the tape and the limits do. One test per attack.
@Suite("Host hardening attacks")
struct HostHardeningTests {
    @Test("attack: a 44-entry table whose border (#t) is 2^40 is read without sizing anything from the border")
    func hugeBorder() throws {
        // keys given in one constructor stay in the hash part, where the
        // border search doubles its way up to 2^40
        let outcome = try runScript("""
            local parts = {}
            for i = 0, 40 do parts[#parts + 1] = '[' .. (1 << i) .. ']=true' end
            local t = load('return {a=1,b=2,c=3,' .. table.concat(parts, ',') .. '}')()
            assert(#t >= 1 << 40, 'border is ' .. #t)
            return take(t), take({t, t}), #t >= 1 << 40
            """, prepare: installTake)
        expectValues(outcome.values, [.integer(3), .integer(6), .boolean(true)])
        try expectHealthy()
    }

    @Test("attack: 30 nested tables each holding the previous one twice (2^30 leaves) hit the memory limit at once")
    func sharedReferenceDAG() throws {
        let started = Date()
        let outcome = try runScript("""
            local t = {'leaf'}
            for i = 1, 30 do t = {t, t} end
            return take(t)
            """, limits: LuaLimits(memoryBytes: 16 << 20), prepare: installTake)
        #expect(outcome.limit == .memory(bytes: 16 << 20))
        #expect(Date().timeIntervalSince(started) < 120) // it took 42 s of CPU and 2.6 GB before; room for a loaded machine
        try expectHealthy()
    }

    @Test("attack: one 1 MiB string referenced 100 times is charged 100 times and hits the memory limit")
    func sharedBigString() throws {
        let outcome = try runScript("""
            local s = string.rep('x', 1 << 20)
            local t = {}
            for i = 1, 100 do t[i] = s end
            return take(t)
            """, limits: LuaLimits(memoryBytes: 16 << 20), prepare: installTake)
        #expect(outcome.limit == .memory(bytes: 16 << 20))
        // the same value with room enough is read whole
        let fine = try runScript("""
            local s = string.rep('x', 1 << 20)
            local t = {}
            for i = 1, 100 do t[i] = s end
            return take(t)
            """, limits: LuaLimits(memoryBytes: 256 << 20), prepare: installTake)
        expectValues(fine.values, [.integer(100 << 20)])
    }

    @Test("attack: a host function's copies of a big string count against the memory limit")
    func hostCopyCharged() throws {
        // 16 MiB in the Lua heap fits 64 MiB, and so does the host's copy of
        // it; three more copies of it do not
        let outcome = try runScript(
            "local s = string.rep('x', 16 << 20) assert(take(s) == 16 << 20) return take({s, s, s})",
            limits: LuaLimits(memoryBytes: 64 << 20), prepare: installTake)
        #expect(outcome.limit == .memory(bytes: 64 << 20))
        // caught by pcall, the memory error leaves the state usable and the charge given back
        let caught = try runScript("""
            local s = string.rep('x', 16 << 20)
            local ok, err = pcall(take, {s, s, s})
            return ok, err, take(s), take(s)
            """, limits: LuaLimits(memoryBytes: 64 << 20), prepare: installTake)
        expectValues(caught.values, [.boolean(false), .string("not enough memory"), .integer(16 << 20), .integer(16 << 20)])
    }

    @Test("attack: results too big for the budget fail with the memory limit instead of growing the tape")
    func bigResultsCharged() throws {
        let outcome = try runScript("return big()", limits: LuaLimits(memoryBytes: 8 << 20)) { state in
            try state.setGlobal("big", state.register { _, results in
                for _ in 0..<(1 << 20) { results.push(string: String(repeating: "z", count: 64)) }
            })
        }
        #expect(outcome.limit == .memory(bytes: 8 << 20))
    }

    @Test("attack: after os.exit inside a coroutine no host function runs, not even one instruction later")
    func nothingRunsAfterExitInCoroutine() throws {
        let counter = CallCounter()
        let prepare: @Sendable (LuaState) throws -> Void = { state in
            try state.setGlobal("change", state.register { _, _ in counter.record() })
        }
        let scripts = [
            "coroutine.resume(coroutine.create(function() os.exit(3) end)) change()",
            "coroutine.resume(coroutine.create(function() pcall(os.exit, 3) change() end)) change()",
            "pcall(coroutine.wrap(function() os.exit(3) end)) change()",
            "local co = coroutine.create(function() pcall(os.exit, 3) coroutine.yield() end) coroutine.resume(co) change()",
        ]
        for script in scripts {
            let outcome = try runScript(script, prepare: prepare)
            #expect(outcome.exitStatus == 3, "\(script)")
        }
        #expect(counter.count == 0)
    }

    @Test("attack: a host call refuses to run once a limit has tripped in another coroutine")
    func nothingRunsAfterLimitInCoroutine() throws {
        let counter = CallCounter()
        let outcome = try runScript("""
            coroutine.resume(coroutine.create(function() while true do end end))
            change()
            """, limits: smallCPU) { state in
            try state.setGlobal("change", state.register { _, _ in counter.record() })
        }
        #expect(outcome.limit == .cpu(seconds: smallCPU.cpuSeconds))
        #expect(counter.count == 0)
    }

    @Test("attack: a plain string.find of a long needle in a long subject is linear, not quadratic")
    func plainFindIsLinear() throws {
        let outcome = try runScript("""
            local s = string.rep('a', 1 << 24)
            local p = string.rep('a', 1 << 23) .. 'b'
            local r1 = string.find(s, p, 1, true)
            local r2 = string.find(s, string.rep('a', 500) .. 'b') -- no magic characters: plain too
            local a, b = string.find(s .. 'b', p, -(1 << 23) - 1, true)
            local c, d = ('hello'):find('l', 1, true)
            local e, f = ('hello'):find('', 6, true)
            local g, h = ('hello'):find('lo', -2, true)
            return r1 == nil, r2 == nil, a, b, c, d, ('hello'):find('', 10, true), e, f, g, h, ('a.b'):find('.', 1, true)
            """, limits: LuaLimits(cpuSeconds: 10))
        expectValues(outcome.values, [
            .boolean(true), .boolean(true), .integer((1 << 24) - (1 << 23) + 1), .integer((1 << 24) + 1),
            .integer(3), .integer(3), .nil, .integer(6), .integer(5), .integer(4), .integer(5), .integer(2), .integer(2),
        ])
    }

    @Test("attack: table.sort of millions of numbers stops at the CPU limit instead of finishing in C")
    func sortStopsAtCPULimit() throws {
        let outcome = try runScript("""
            local t = {}
            for i = 1, 1 << 22 do t[i] = (i * 7919) % 1000003 end
            table.sort(t)
            return 'sorted'
            """, limits: LuaLimits(cpuSeconds: 1))
        #expect(outcome.limit == .cpu(seconds: 1))
    }

    @Test("table.sort still sorts: numbers, strings, a comparison function, and its errors")
    func sortSorts() throws {
        let state = try LuaState()
        let results = try state.run("""
            local function sorted(t, f)
              table.sort(t, f)
              return table.concat(t, ',')
            end
            -- past 2^20 elements without a Lua comparison function: the heap sort
            local r = {}
            for i = 1, (1 << 20) + 5 do r[i] = (i * 7919) % 1000003 end
            table.sort(r)
            local ok = true
            for i = 2, #r do ok = ok and r[i - 1] <= r[i] end
            local p = setmetatable({}, {__index = function(_, i) return nil end})
            for i = 1, 70000 do rawset(p, i, tostring(i)) end
            table.sort(p, function(a, b) return a > b end)
            for i = 2, 70000 do ok = ok and p[i - 1] >= p[i] end
            return sorted({3, 1, 2}), sorted({'b', 'c', 'a'}), sorted({1, 5, 3}, function(a, b) return a > b end),
              sorted({}), sorted({1}), ok, select(2, pcall(table.sort, {1, 'x', 2})),
              select(2, pcall(function() table.sort({1, 2}, 3) end))
            """)
        #expect(results.count == 8)
        expectValues(Array(results.prefix(6)), [.string("1,2,3"), .string("a,b,c"), .string("5,3,1"), .string(""), .string("1"), .boolean(true)])
        #expect(text(results[6]).contains("attempt to compare"))
        #expect(text(results[7]).contains("bad argument #2 to 'sort'"))
    }

    @Test("attack: a long C call (gsub over 16 MiB) is reported at the CPU limit when it returns")
    func longCCallChecked() throws {
        let outcome = try runScript("""
            local s = string.rep('a', 1 << 24)
            local r = s:gsub('a', 'bc')
            return #r
            """, limits: LuaLimits(cpuSeconds: 0.05))
        #expect(outcome.limit == .cpu(seconds: 0.05))
    }

    @Test("attack: a chunk at the prompt gets --timeout too")
    func replTimeout() throws {
        let state = try LuaState(limits: LuaLimits(cpuSeconds: 0))
        let session = try ReplSession(state: state, limits: LuaLimits(cpuSeconds: 0), timeoutSeconds: 0.5)
        #expect(session.evaluate("while true do end") == .limitExceeded(.wallClock(seconds: 0.5)))
        #expect(session.evaluate("x = 41 + 1") == .ran)
        expectValues([try state.global("x")], [.integer(42)])
    }

    @Test("attack: a coroutine stopped by the CPU limit cannot run its looping __close at the next chunk")
    func killedCoroutineStaysDead() throws {
        let limits = LuaLimits(cpuSeconds: 0.3)
        let state = try LuaState(limits: limits)
        let session = try ReplSession(state: state, limits: limits, timeoutSeconds: 30)
        #expect(session.evaluate("""
            co = coroutine.create(function()
              local x <close> = setmetatable({}, {__close = function() while true do end end})
              while true do end
            end)
            wrapped = coroutine.wrap(function()
              local x <close> = setmetatable({}, {__close = function() while true do end end})
              while true do end
            end)
            """) == .ran)
        #expect(session.evaluate("coroutine.resume(co)") == .limitExceeded(.cpu(seconds: 0.3)))
        #expect(session.evaluate("wrapped()") == .limitExceeded(.cpu(seconds: 0.3)))
        #expect(session.evaluate("ok, err = coroutine.close(co)") == .ran)
        expectValues([try state.global("ok"), try state.global("err")], [
            .boolean(false), .string("cannot close a coroutine that a limit, Ctrl-C or os.exit stopped"),
        ])
        #expect(session.evaluate("ok2, err2 = pcall(wrapped)") == .ran)
        expectValues([try state.global("ok2")], [.boolean(false)])
        #expect(text(try state.global("err2")).contains("cannot resume a coroutine that a limit"))
        // one that caught the stop and yielded is refused as well
        #expect(session.evaluate("""
            caught = coroutine.create(function() pcall(function() while true do end end) coroutine.yield('again') end)
            coroutine.resume(caught)
            """) == .limitExceeded(.cpu(seconds: 0.3)))
        #expect(session.evaluate("ok3, err3 = coroutine.resume(caught)") == .ran)
        expectValues([try state.global("ok3"), try state.global("err3")], [
            .boolean(false), .string("cannot resume a coroutine that a limit, Ctrl-C or os.exit stopped"),
        ])
    }

    @Test("attack: an error whose message is 32 MiB of control characters is reported cut, not copied and escaped whole")
    func hugeErrorMessage() throws {
        let outcome = try runScript("error(string.rep('\\1', 32 << 20), 0)")
        let error = try #require(outcome.error, "\(outcome)")
        let (short, summarized) = (error.message.utf8.count <= (64 << 10) + 64, error.message.hasSuffix("… (\((32 << 20) - (64 << 10)) more bytes)"))
        let escaped = error.description.contains("\\001\\001")
        #expect(short && summarized && escaped) // (the message itself is too long to show in a failure)
    }

    @Test("attack: string.format widths and precisions stay at two digits, so one conversion is never long")
    func formatWidthsBounded() throws {
        let state = try LuaState()
        let results = try state.run("""
            local ok1, e1 = pcall(string.format, '%100d', 1)
            local ok2, e2 = pcall(string.format, '%.100f', 1)
            return ok1, e1, ok2, e2, #string.format('%99.99f', 1e308) <= 500
            """)
        #expect(results.count == 5)
        #expect(results[0] == .boolean(false) && results[2] == .boolean(false) && results[4] == .boolean(true))
        #expect(text(results[1]).contains("invalid conversion") && text(results[3]).contains("invalid conversion"))
    }
}
