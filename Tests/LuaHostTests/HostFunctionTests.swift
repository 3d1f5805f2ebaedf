import Foundation
import LuaHost
import Testing

struct Boom: Error, CustomStringConvertible {
    var description: String { "the device registry is unreachable" }
}

struct Rejected: LuaErrorValue {
    var luaErrorValue: LuaValue {
        .map([.string("code"): .integer(409), .string("message"): .string("campaign already running"),
              .string("retry"): .boolean(false)])
    }
}

@Suite("Host functions")
struct HostFunctionTests {
    @Test("a Swift function receives Lua arguments and returns results in order")
    func arguments() throws {
        let state = try LuaState()
        try state.setGlobal("describe", state.register { args, results in
            results.push(integer: Int64(args.count))
            for position in 1...max(args.count, 1) { results.push(string: args.typeName(position)) }
        })
        try state.setGlobal("add", state.register { args, results in
            results.push(integer: try args.integer(1) &+ args.integer(2))
        })
        try state.setGlobal("echo", state.register { args, results in
            results.push(number: try args.number(1))
            results.push(string: try args.string(2).description)
            results.push(boolean: args.boolean(3))
            results.pushNil()
            try results.push(try args.value(4))
            results.push(boolean: args.isNil(5))
        })
        expectValues(try state.run("return describe(1, 'x', nil, {}, true, 2.5)"), [
            .integer(6), .string("number"), .string("string"), .string("nil"), .string("table"), .string("boolean"),
            .string("number"),
        ])
        expectValues(try state.run("return describe()"), [.integer(0), .string("no value")])
        expectValues(try state.run("return add(2, 3), add(4.0, -1), add(math.maxinteger, 1)"), [
            .integer(5), .integer(3), .integer(.min),
        ])
        let results = try state.run("return echo(1.5, 'héllo', 0, {1, {k = 'v'}}, nil)")
        expectValues(results, [
            .number(1.5), .string("héllo"), .boolean(true), .nil,
            .array([.integer(1), .map([.string("k"): .string("v")])]), .boolean(true),
        ])
        expectValues(try state.run("return select('#', echo(1, 's', false, nil))"), [.integer(6)])
    }

    @Test("a host function returning many values and tables")
    func manyResults() throws {
        let state = try LuaState()
        try state.setGlobal("range", state.register { args, results in
            for i in 1...(try args.integer(1)) { results.push(integer: i) }
        })
        try state.setGlobal("inventory", state.register { _, results in
            try results.push(.map([.string("devices"): .array((1...1000).map { .string("imei-\($0)") })]))
        })
        expectValues(try state.run("return select('#', range(5000)), select(5000, range(5000))"), [.integer(5000), .integer(5000)])
        expectValues(try state.run("local t = inventory() return #t.devices, t.devices[1000]"), [.integer(1000), .string("imei-1000")])
    }

    @Test("LuaArgumentError becomes \"bad argument #2 to 'name' (…)\"")
    func argumentError() throws {
        let state = try LuaState()
        try state.setGlobal("schedule", state.register { args, results in
            _ = try args.string(1)
            results.push(integer: try args.integer(2))
        })
        try state.setGlobal("pick", state.register { _, _ in
            throw LuaArgumentError(2, "expected 'canary' or 'all'")
        })
        let results = try state.run("""
            local ok1, e1 = pcall(function() local r = schedule('fw-1', 'soon') return r end)
            local ok2, e2 = pcall(function() local r = schedule('fw-1', 1.5) return r end)
            local ok3, e3 = pcall(function() local r = pick('x', 'y') return r end)
            return ok1, e1, ok2, e2, ok3, e3
            """, chunkName: "@job.lua")
        expectValues(results, [
            .boolean(false), .string("job.lua:1: bad argument #2 to 'schedule' (integer expected, got string)"),
            .boolean(false), .string("job.lua:2: bad argument #2 to 'schedule' (number has no integer representation)"),
            .boolean(false), .string("job.lua:3: bad argument #2 to 'pick' (expected 'canary' or 'all')"),
        ])
        let uncaught = #expect(throws: LuaScriptError.self) {
            try state.run("local x = 1\nschedule(42, 1)", chunkName: "@job.lua")
        }
        #expect(uncaught?.message == "job.lua:2: bad argument #1 to 'schedule' (string expected, got number)")
    }

    @Test("a function registered with a name is named so in its argument errors, however the script reached it")
    func registeredNameInArgumentError() throws {
        let state = try LuaState()
        let pick = state.register({ _, _ in throw LuaArgumentError(2, "expected 'canary' or 'all'") }, name: "fota.pick")
        try state.setGlobal("fota", .map([.string("pick"): pick]))
        let results = try state.run("""
            local ok1, e1 = pcall(function() local r = fota.pick('x', 'y') return r end)
            local choose = fota.pick
            local ok2, e2 = pcall(function() local r = choose('x', 'y') return r end)
            return e1, e2
            """, chunkName: "@job.lua")
        expectValues(results, [
            .string("job.lua:1: bad argument #2 to 'fota.pick' (expected 'canary' or 'all')"),
            .string("job.lua:3: bad argument #2 to 'fota.pick' (expected 'canary' or 'all')"),
        ])
    }

    @Test("a host function in a value crosses back into Swift by id, and is one Lua value however often it is pushed")
    func hostFunctionRoundTrip() throws {
        let state = try LuaState()
        let marker = state.register({ _, _ in }, name: "marker")
        try state.setGlobal("marker", marker)
        try state.setGlobal("echo", state.register { args, results in try results.push(try args.value(1)) })
        let results = try state.run("return echo({1, marker, x = marker}), echo(marker) == marker, echo({marker})[1] == marker")
        expectValues(results, [.map([.integer(1): .integer(1), .integer(2): marker, .string("x"): marker]), .boolean(true), .boolean(true)])
    }

    @Test("a thrown Swift error is a catchable Lua error with the script's position")
    func thrownError() throws {
        let state = try LuaState()
        try state.setGlobal("fetch", state.register { _, _ in throw Boom() })
        let results = try state.run("""
            local ok, e = pcall(fetch)
            local ok2, e2 = pcall(function()
              return fetch() .. 'x'
            end)
            return ok, e, ok2, e2
            """)
        expectValues(results, [
            .boolean(false), .string("the device registry is unreachable"),
            .boolean(false), .string("(host):3: the device registry is unreachable"),
        ])
        let error = #expect(throws: LuaScriptError.self) { try state.run("\n\nfetch()", chunkName: "@deploy.lua") }
        #expect(error?.message == "deploy.lua:3: the device registry is unreachable")
        #expect(error?.location == "deploy.lua:3")
        expectValues(try state.run("return 'alive'"), [.string("alive")])
    }

    @Test("a LuaErrorValue raises a table the script can inspect")
    func errorValue() throws {
        let state = try LuaState()
        try state.setGlobal("start", state.register { _, _ in throw Rejected() })
        let results = try state.run("""
            local ok, e = pcall(start)
            return ok, type(e), e.code, e.message, e.retry
            """)
        expectValues(results, [.boolean(false), .string("table"), .integer(409), .string("campaign already running"), .boolean(false)])
        let uncaught = #expect(throws: LuaScriptError.self) { try state.run("start()") }
        #expect(uncaught?.message == "campaign already running")
    }

    @Test("100,000 calls, also failing ones, keep the Lua stack balanced")
    func manyCalls() throws {
        let state = try LuaState()
        try state.setGlobal("add", state.register { args, results in
            results.push(integer: try args.integer(1) + args.integer(2))
        })
        try state.setGlobal("fail", state.register { args, _ in
            if try args.integer(1) % 2 == 0 { throw Boom() }
            throw LuaArgumentError(1, "odd")
        })
        let results = try state.run("""
            local sum = 0
            for i = 1, 100000 do sum = add(sum, i) end
            local failures = 0
            for i = 1, 100000 do
              if not pcall(fail, i) then failures = failures + 1 end
            end
            return sum, failures
            """)
        expectValues(results, [.integer(5_000_050_000), .integer(100_000)])
        // and from Swift: many runs, many refused values and failed reads leave nothing behind
        func heapBytes() throws -> Double {
            guard case .number(let kilobytes) = try state.run("return collectgarbage('count')").first else { return .infinity }
            return kilobytes * 1024
        }
        let before = try heapBytes()
        _ = try state.run("broken = {ok = 1, f = print}")
        for i in 0..<20_000 {
            expectValues(try state.run("return add(...)", arguments: [.integer(Int64(i)), .integer(1)]), [.integer(Int64(i) + 1)])
            #expect(throws: LuaBridgeError.self) { try state.run("return {1, {print}}") }
            #expect(throws: LuaBridgeError.self) { try state.global("broken") }
            #expect(throws: LuaScriptError.self) { try state.run("fail(2)") }
        }
        let after = try heapBytes()
        #expect(after < before + Double(512 << 10), "the Lua heap grew from \(before) to \(after) bytes")
        expectValues(try state.run("return add(20, 22)"), [.integer(42)])
    }

    @Test("host functions work inside coroutines and as table fields")
    func coroutinesAndFields() throws {
        let state = try LuaState()
        let twice = state.register { args, results in results.push(integer: try args.integer(1) * 2) }
        try state.setGlobal("lib", .map([.string("twice"): twice, .string("version"): .string("1.0")]))
        try state.protectGlobal("lib")
        let results = try state.run("""
            local co = coroutine.wrap(function(x)
              local y = coroutine.yield(lib.twice(x))
              return lib.twice(y)
            end)
            return co(5), co(7), lib.version
            """)
        expectValues(results, [.integer(10), .integer(14), .string("1.0")])
    }

    @Test("a host function value from another state, or a made-up id, raises instead of crashing")
    func foreignFunction() throws {
        let one = try LuaState()
        let two = try LuaState()
        _ = one.register { _, results in results.push(integer: 1) }
        let foreign = one.register { _, results in results.push(integer: 2) }
        try two.setGlobal("foreign", foreign)
        try two.setGlobal("madeUp", .hostFunction(-5))
        let results = try two.run("""
            local ok1, e1 = pcall(function() return foreign() end)
            local ok2, e2 = pcall(madeUp)
            return ok1, e1, ok2, e2
            """)
        expectValues(results, [
            .boolean(false), .string("(host):1: host function #1 is not registered with this Lua state"),
            .boolean(false), .string("host function #-5 is not registered with this Lua state"),
        ])
        try one.setGlobal("mine", foreign)
        expectValues(try one.run("return mine()"), [.integer(2)])
    }

    @Test("values that cannot be pushed are refused with a clear error")
    func unpushable() throws {
        let state = try LuaState()
        let nanKey = #expect(throws: LuaBridgeError.self) { try state.setGlobal("t", .map([.number(.nan): .integer(1)])) }
        #expect(nanKey?.description == "a table key cannot be NaN")
        expectValues(try state.run("return t"), [.nil])
    }

    @Test("a table argument that cannot cross is a bad-argument error naming the path inside it")
    func unreadableArgument() throws {
        let state = try LuaState()
        try state.setGlobal("inspect", state.register { args, results in try results.push(try args.value(1)) })
        let results = try state.run("""
            local function try(v) local ok, e = pcall(function() local r = inspect(v) return r end) return e end
            local cyclic = {} cyclic.me = cyclic
            return try({1, print}), try({config = {[{}] = 1}}), try(cyclic), try(coroutine.create(print))
            """, chunkName: "@i.lua")
        expectValues(results, [
            .string("i.lua:1: bad argument #1 to 'inspect' ([2]: a function cannot be passed to the host)"),
            .string("i.lua:1: bad argument #1 to 'inspect' (.config: a table with a table key cannot be passed to the host)"),
            .string("i.lua:1: bad argument #1 to 'inspect' (.me: the table contains itself (a cycle))"),
            .string("i.lua:1: bad argument #1 to 'inspect' (a thread cannot be passed to the host)"),
        ])
        expectValues(try state.run("return inspect({1, {2}})"), [.array([.integer(1), .array([.integer(2)])])])
    }

    @Test("tables written field by field: arrays of records with nested tables, nil values left out")
    func tablesWrittenInPlace() throws {
        let state = try LuaState()
        try state.setGlobal("records", state.register { args, results in
            let count = Int(try args.integer(1))
            results.pushArray(count: count)
            for i in 0..<count {
                results.pushTable(fields: 4)
                results.push(key: "id")
                results.push(string: "device-\(i)")
                results.push(key: "even")
                results.push(boolean: i % 2 == 0)
                results.push(key: "gone")
                results.pushNil()
                results.push(key: "tags")
                results.pushArray(count: 2)
                results.push(integer: Int64(i))
                results.push(string: "tag")
            }
            results.push(string: "after")
        })
        let values = try state.run("""
            local list, after = records(3)
            local last = list[3]
            local keys = 0
            for _ in pairs(last) do keys = keys + 1 end
            return #list, last.id, last.even, last.gone, last.tags[1], last.tags[2], keys, after, #records(0)
            """)
        expectValues(values, [
            .integer(3), .string("device-2"), .boolean(true), .nil, .integer(2), .string("tag"), .integer(3),
            .string("after"), .integer(0),
        ])
    }

    @Test("a table written with fewer values than it announced raises a Lua error, not a crash")
    func tableWrittenShort() throws {
        let state = try LuaState()
        try state.setGlobal("short", state.register { _, results in
            results.pushArray(count: 3)
            results.push(integer: 1)
        })
        try state.setGlobal("shortRecord", state.register { _, results in
            results.pushTable(fields: 2)
            results.push(key: "a")
        })
        let values = try state.run("""
            local ok1, e1 = pcall(short)
            local ok2, e2 = pcall(shortRecord)
            return ok1, e1, ok2, e2
            """)
        expectValues(values, [
            .boolean(false), .string("host value is truncated"), .boolean(false), .string("host value is truncated"),
        ])
    }
}
