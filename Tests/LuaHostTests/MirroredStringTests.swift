import LuaHost
import Testing

/// A host result may name the call's argument whose strings it repeats (`LuaResults.mirror`),
/// so C reuses them instead of making each again. The bytes the host wrote always decide: these
/// tests hold the host to them whatever the argument holds by the time its result is built.
@Suite("Results that repeat a call's argument")
struct MirroredStringTests {
    /// `echo(arg, ...)`: returns `strings` as an array and as a row list's ids, each hinted as the
    /// element of argument `argument` at the given 1-based index (`hints`, default i for string i).
    func state(strings: [String], argument: Int = 1, hints: [Int]? = nil) throws -> LuaState {
        let state = try LuaState()
        try state.setGlobal("echo", state.register { _, results in
            results.mirror(argument: argument)
            results.pushArray(count: strings.count)
            for (i, text) in strings.enumerated() { results.push(string: text, mirroring: hints?[i] ?? i + 1) }
            results.pushRows(name: "echo.rows", keys: ["id"], shapes: [[]], ids: strings) { _ in 0 }
        })
        return state
    }

    @Test("a result repeating its argument's strings gives them back equal: short, long, non-ASCII and empty")
    func repeatsEqual() throws {
        let strings = ["356938035643809", String(repeating: "long imei list entry ", count: 4), "délai", ""]
        let state = try state(strings: strings)
        let shown = try state.run("""
            local t = {"356938035643809", string.rep("long imei list entry ", 4), "délai", ""}
            local list, rows = echo(t)
            local out = {#list, #rows}
            for i = 1, #t do out[#out + 1] = tostring(list[i] == t[i] and rows[i].id == t[i]) end
            return table.concat(out, " ")
            """)
        #expect(shown == [.string("4 4 true true true true")])
    }

    @Test("where the argument's element differs (changed, missing, a number, a table) the host's bytes are given")
    func staleHintsGiveTheHostsBytes() throws {
        let state = try state(strings: ["x1", "CHANGED", "12345", "ghost", "tbl"])
        let shown = try state.run("""
            local list, rows = echo({"x1", "x2", 12345, nil, {}})
            local out = {}
            for i = 1, 5 do out[#out + 1] = type(list[i]) .. ":" .. list[i] .. "/" .. rows[i].id end
            return table.concat(out, " ")
            """)
        #expect(shown == [.string("string:x1/x1 string:CHANGED/CHANGED string:12345/12345 string:ghost/ghost string:tbl/tbl")])
    }

    @Test("hints out of range, past the array or at element 0 give the host's bytes")
    func hintsOutOfRange() throws {
        let state = try state(strings: ["a", "b", "c"], hints: [0, 99, -1])
        let shown = try state.run("local list = echo({'z', 'z', 'z'}) return table.concat(list, ',')")
        #expect(shown == [.string("a,b,c")])
    }

    @Test("an argument that is not a table, or a position past the arguments, is no mirror")
    func notATable() throws {
        for argument in [1, 2, 7] {
            let state = try state(strings: ["356938035643809"], argument: argument)
            let shown = try state.run("local list, rows = echo('356938035643809', 5) return list[1] .. '/' .. rows[1].id")
            #expect(shown == [.string("356938035643809/356938035643809")], "argument \(argument)")
        }
    }

    @Test("the argument is read raw: its __index is never called")
    func readsRaw() throws {
        let state = try state(strings: ["a", "b"])
        let shown = try state.run("""
            local called = false
            local t = setmetatable({"a"}, {__index = function() called = true; return "b" end})
            local list = echo(t)
            return table.concat(list, ","), called
            """)
        #expect(shown == [.string("a,b"), .boolean(false)])
    }
}
