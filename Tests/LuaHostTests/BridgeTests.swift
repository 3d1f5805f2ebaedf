import Foundation
import LuaHost
import Testing

/// Values going Swift → Lua → Swift through `run(arguments:)`, `setGlobal` and `global`.
@Suite("Bridge round trips")
struct BridgeTests {
    /// Passes `value` into a chunk that returns it unchanged.
    func roundTrip(_ value: LuaValue) throws -> LuaValue {
        let state = try LuaState()
        let results = try state.run("return ...", arguments: [value])
        try #require(results.count == 1)
        return results[0]
    }

    @Test("nil and booleans")
    func scalars() throws {
        let state = try LuaState()
        let results = try state.run(
            "local a, b, c = ... return a, b, c, type(a), type(b), select('#', ...)",
            arguments: [.nil, .boolean(true), .boolean(false)])
        expectValues(results, [.nil, .boolean(true), .boolean(false), .string("nil"), .string("boolean"), .integer(3)])
    }

    @Test("integers stay exact integers, including Int64.min, Int64.max and 2^53+1")
    func integers() throws {
        for value: Int64 in [0, 1, -1, .min, .max, (1 << 53) + 1, -(1 << 53) - 1] {
            #expect(try roundTrip(.integer(value)) == .integer(value))
        }
        let state = try LuaState()
        let results = try state.run(
            "local x, y, z = ... return math.type(x), x == math.maxinteger, y == math.mininteger, z + 1, z",
            arguments: [.integer(.max), .integer(.min), .integer((1 << 53) + 1)])
        expectValues(results, [.string("integer"), .boolean(true), .boolean(true), .integer((1 << 53) + 2), .integer((1 << 53) + 1)])
    }

    @Test("floats: -0.0 keeps its sign, NaN and infinities survive")
    func floats() throws {
        guard case .number(let negativeZero) = try roundTrip(.number(-0.0)) else {
            Issue.record("-0.0 did not come back as a float")
            return
        }
        #expect(negativeZero == 0 && negativeZero.sign == .minus)
        guard case .number(let nan) = try roundTrip(.number(.nan)) else {
            Issue.record("NaN did not come back as a float")
            return
        }
        #expect(nan.isNaN)
        #expect(try roundTrip(.number(.infinity)) == .number(.infinity))
        #expect(try roundTrip(.number(-.infinity)) == .number(-.infinity))
        #expect(try roundTrip(.number(0.1)) == .number(0.1))
        #expect(try roundTrip(.number(.leastNonzeroMagnitude)) == .number(.leastNonzeroMagnitude))
        let state = try LuaState()
        let results = try state.run(
            "local z, n, i = ... return 1/z, n ~= n, i == math.huge", arguments: [.number(-0.0), .number(.nan), .number(.infinity)])
        expectValues(results, [.number(-.infinity), .boolean(true), .boolean(true)])
    }

    @Test("integer 3 and float 3.0 stay distinct both ways")
    func integerVersusFloat() throws {
        #expect(try roundTrip(.integer(3)) == .integer(3))
        #expect(try roundTrip(.number(3.0)) == .number(3.0))
        let state = try LuaState()
        let results = try state.run(
            "local i, f = ... return math.type(i), math.type(f), 3, 3.0, 2^53, 7 // 2, 7 / 2",
            arguments: [.integer(3), .number(3.0)])
        expectValues(results, [.string("integer"), .string("float"), .integer(3), .number(3.0), .number(9007199254740992.0), .integer(3), .number(3.5)])
    }

    @Test("strings with embedded zeros and invalid UTF-8 keep their exact bytes")
    func strings() throws {
        let zeros: [UInt8] = [0x61, 0x00, 0x62, 0x00]
        let invalid: [UInt8] = [0xFF, 0xFE, 0x80, 0x41, 0xC3]
        #expect(try roundTrip(.bytes(zeros)) == .bytes(zeros))
        let back = try roundTrip(.bytes(invalid))
        guard case .string(let string) = back else {
            Issue.record("not a string: \(back)")
            return
        }
        #expect(string.bytes == invalid)
        #expect(string.text == nil)

        let state = try LuaState()
        let results = try state.run(
            "local z, bad = ... return #z, z:byte(2), #bad, bad:byte(1), 'x\\0y', '\\255\\0\\128'",
            arguments: [.bytes(zeros), .bytes(invalid)])
        expectValues(results, [.integer(4), .integer(0), .integer(5), .integer(255), .bytes([0x78, 0, 0x79]), .bytes([255, 0, 128])])
        #expect(try roundTrip(.string("héllo ✓ 😀")) == .string("héllo ✓ 😀"))
        #expect(try roundTrip(.string("")) == .string(""))
    }

    @Test("a long string crosses both ways intact")
    func longString() throws {
        let bytes = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let state = try LuaState()
        let results = try state.run("local s = ... return s, #s, s:byte(-1)", arguments: [.bytes(bytes)])
        try #require(results.count == 3)
        guard case .string(let back) = results[0] else {
            Issue.record("not a string")
            return
        }
        #expect(back.bytes == bytes)
        #expect(results[1] == .integer(Int64(bytes.count)))
        #expect(results[2] == .integer(Int64(bytes.last!)))
    }

    @Test("arrays, maps and nested tables")
    func tables() throws {
        let array: LuaValue = .array([.integer(1), .string("two"), .number(3.5), .boolean(false)])
        #expect(try roundTrip(array) == array)
        let map: LuaValue = .map([
            .string("name"): .string("canary"), .integer(10): .boolean(true), .number(1.5): .string("half"),
            .boolean(true): .integer(1),
        ])
        #expect(try roundTrip(map) == map)
        let nested: LuaValue = .map([
            .string("devices"): .array([
                .map([.string("id"): .string("a"), .string("tags"): .array([.string("x"), .string("y")])]),
                .map([.string("id"): .string("b"), .string("tags"): .array([])]),
            ]),
            .string("limits"): .map([.string("max"): .integer(5)]),
        ])
        #expect(try roundTrip(nested) == nested)

        let state = try LuaState()
        let results = try state.run(
            "local t = ... return #t.devices, t.devices[1].tags[2], t.limits.max, t.devices[2].id", arguments: [nested])
        expectValues(results, [.integer(2), .string("y"), .integer(5), .string("b")])
        // Lua-built tables come back with the right shape: 1…n is an array, anything else a map
        let built = try state.run("return {10, 20, 30}, {10, 20, nil, 40}, {[2] = 'b'}, {x = 1, 'a'}")
        expectValues(built, [
            .array([.integer(10), .integer(20), .integer(30)]),
            .map([.integer(1): .integer(10), .integer(2): .integer(20), .integer(4): .integer(40)]),
            .map([.integer(2): .string("b")]),
            .map([.integer(1): .string("a"), .string("x"): .integer(1)]),
        ])
        // keys 1…n read as an array however Lua stores them: explicit keys, filled backwards, shrunk
        let sequences = try state.run("""
            local backwards = {} for i = 10, 1, -1 do backwards[i] = i end
            local shrunk = {1, 2, 3, 4, 5, 6, 7, 8} for i = 4, 8 do shrunk[i] = nil end
            local sparse = {} sparse[1] = 'a' sparse[1000] = 'z'
            return {[1] = 'a', [2] = 'b', [3] = 'c'}, backwards, shrunk, {[3] = 'c', [2] = 'b'}, sparse
            """)
        expectValues(sequences, [
            .array([.string("a"), .string("b"), .string("c")]),
            .array((1...10).map { .integer(Int64($0)) }),
            .array([.integer(1), .integer(2), .integer(3)]),
            .map([.integer(3): .string("c"), .integer(2): .string("b")]),
            .map([.integer(1): .string("a"), .integer(1000): .string("z")]),
        ])
    }

    @Test("an empty table reads as an empty array")
    func emptyTable() throws {
        #expect(try roundTrip(.array([])) == .array([]))
        #expect(try roundTrip(.map([:])) == .array([]))
        let state = try LuaState()
        expectValues(try state.run("local t = ... return next(t) == nil, {}", arguments: [.map([:])]), [.boolean(true), .array([])])
    }

    @Test("a huge table of 200,000 elements crosses both ways")
    func hugeTable() throws {
        let elements = (0..<200_000).map { LuaValue.integer(Int64($0) * 3) }
        let state = try LuaState()
        let results = try state.run("local t = ... return #t, t[200000], t", arguments: [.array(elements)])
        #expect(results.count == 3)
        #expect(results.first == .integer(200_000))
        #expect(results.dropFirst().first == .integer(599_997))
        #expect(results.last == .array(elements))
        let built = try state.run("local t = {} for i = 1, 200000 do t[i] = 'v' .. i end return t")
        guard case .array(let back) = built.first else {
            Issue.record("not an array")
            return
        }
        #expect(back.count == 200_000)
        #expect(back.last == .string("v200000"))
    }

    @Test("setGlobal and global round trip, and reading a global is raw")
    func globals() throws {
        let state = try LuaState()
        let config: LuaValue = .map([.string("retries"): .integer(3), .string("hosts"): .array([.string("a"), .string("b")])])
        try state.setGlobal("config", config)
        #expect(try state.global("config") == config)
        expectValues(try state.run("return config.hosts[2], config.retries"), [.string("b"), .integer(3)])
        _ = try state.run("answer = 6 * 7; big = 2^53 + 1; neg = -0.0")
        #expect(try state.global("answer") == .integer(42))
        #expect(try state.global("missing") == .nil)
        guard case .number(let neg) = try state.global("neg") else {
            Issue.record("neg is not a float")
            return
        }
        #expect(neg.sign == .minus)
        // a script-made global with a raising metatable is read raw
        _ = try state.run("guarded = setmetatable({1, 2}, {__index = function() error('no') end, __len = function() error('no') end})")
        #expect(try state.global("guarded") == .array([.integer(1), .integer(2)]))
    }

    // MARK: values that cannot cross

    func bridgeError(_ source: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> LuaBridgeError? {
        let state = try LuaState()
        let error = #expect(throws: LuaBridgeError.self, sourceLocation: sourceLocation) { try state.run(source) }
        // the state is still usable after a refused value
        expectValues(try state.run("return 1, 'two'"), [.integer(1), .string("two")], sourceLocation: sourceLocation)
        return error
    }

    @Test("functions and coroutines cannot cross to the host; the error names the path")
    func functionsAndThreads() throws {
        #expect(try bridgeError("return print")?.description == "a function cannot be passed to the host")
        let nested = try bridgeError("return {config = {hooks = {1, function() end}}}")
        #expect(nested?.path == ".config.hooks[2]")
        #expect(nested?.description == ".config.hooks[2]: a function cannot be passed to the host")
        let thread = try bridgeError("return {1, 2, {worker = coroutine.create(function() end)}}")
        #expect(thread?.description == "[3].worker: a thread cannot be passed to the host")
        let odd = try bridgeError("return {['a key'] = {print}}")
        #expect(odd?.path == "[\"a key\"][1]")
    }

    @Test("a table that contains itself is refused, not followed forever")
    func cycles() throws {
        let direct = try bridgeError("local t = {name = 'x'} t.self = t return t")
        #expect(direct?.description == ".self: the table contains itself (a cycle)")
        let indirect = try bridgeError("local a, b = {}, {} a.child = b b.items = {a} return a")
        #expect(indirect?.path == ".child.items[1]")
        #expect(indirect?.reason.contains("cycle") == true)
        // the same table twice, but not inside itself, is fine
        let state = try LuaState()
        let shared = try state.run("local s = {1} return {s, s}")
        expectValues(shared, [.array([.array([.integer(1)]), .array([.integer(1)])])])
    }

    @Test("nesting: 100 tables cross both ways, 101 are refused both ways")
    func nesting() throws {
        func nested(_ depth: Int) -> LuaValue {
            var value: LuaValue = .array([.integer(1)])
            for _ in 1..<depth { value = .array([value]) }
            return value
        }
        let state = try LuaState()
        #expect(try state.run("return ...", arguments: [nested(100)]) == [nested(100)])
        let tooDeep = #expect(throws: LuaBridgeError.self) { try state.run("return ...", arguments: [nested(101)]) }
        #expect(tooDeep?.description.contains("nested more than 100") == true)

        let build = "local t = {1} for i = 2, %d do t = {t} end return t"
        #expect(try state.run(build.replacingOccurrences(of: "%d", with: "100")) == [nested(100)])
        let fromLua = #expect(throws: LuaBridgeError.self) { try state.run(build.replacingOccurrences(of: "%d", with: "101")) }
        #expect(fromLua?.reason.contains("nested more than 100") == true)
        #expect(fromLua?.path == String(repeating: "[1]", count: 100))
        expectValues(try state.run("return 'still fine'"), [.string("still fine")])
    }

    @Test("a table key that is a table is refused with its path")
    func tableKeys() throws {
        let error = try bridgeError("return {settings = {[{}] = true}}")
        #expect(error?.description == ".settings: a table with a table key cannot be passed to the host")
        #expect(try bridgeError("return {[print] = 1}")?.reason.contains("function key") == true)
    }

    @Test("a returned table with raising __index, __len and __pairs is read raw, without calling them")
    func raisingMetatable() throws {
        let state = try LuaState()
        _ = try state.run("calls = 0")
        let results = try state.run("""
            local function boom() calls = calls + 1 error('metamethod called') end
            local mt = {__index = boom, __newindex = boom, __len = boom, __pairs = boom, __eq = boom,
                        __tostring = boom, __metatable = 'locked'}
            return setmetatable({1, 2, 3}, mt), setmetatable({name = 'x'}, mt), setmetatable({}, mt)
            """)
        expectValues(results, [
            .array([.integer(1), .integer(2), .integer(3)]), .map([.string("name"): .string("x")]), .array([]),
        ])
        #expect(try state.global("calls") == .integer(0))
    }
}
