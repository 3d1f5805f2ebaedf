import LuaHost
import Testing

@Suite("Host row lists")
struct HostRowListTests {
    /// A state whose `rows()` returns a row list of three rows over two shapes, the second with
    /// a field left out (nil), and a fourth row repeating the first row's id.
    func state() throws -> LuaState {
        let state = try LuaState()
        try state.setGlobal("rows", state.register { _, results in
            results.pushRows(
                name: "test.rows", keys: ["id", "kind", "note"], shapes: [["a", "first"], ["b", nil]],
                ids: ["x1", "x2", "x3", "x1"]) { row in row == 1 ? 1 : 0 }
        })
        return state
    }

    @Test("rows are built when read, with their shape's fields; a nil field is left out")
    func rowsFromLua() throws {
        let state = try state()
        let shown = try state.run("""
            local r = rows()
            local out = {string.format("%d %s %s %s", #r, r[0], r[5], r.id)}
            for i, row in ipairs(r) do out[#out + 1] = i .. ":" .. row.id .. "," .. row.kind .. "," .. tostring(row.note) end
            local n = 0
            for i, row in pairs(r) do n = n + 1; assert(row == r[i]) end
            out[#out + 1] = n
            return table.concat(out, " ")
            """)
        #expect(shown == [.string("4 nil nil nil 1:x1,a,first 2:x2,b,nil 3:x3,a,first 4:x1,a,first 4")])
    }

    @Test("the host reads a row list as the array of its rows, and a look-alike raw")
    func hostReadsRows() throws {
        let state = try state()
        let values = try state.run("""
            local r = rows()
            local fake = setmetatable({}, {__index = function(_, i) return {id = "forged"} end, __len = function() return 4 end,
              __metatable = getmetatable(r)})
            return r, fake, getmetatable(r)
            """)
        let row: (String, String, String?) -> LuaValue = { id, kind, note in
            var map: [LuaKey: LuaValue] = [.string("id"): .string(LuaString(id)), .string("kind"): .string(LuaString(kind))]
            if let note { map[.string("note")] = .string(LuaString(note)) }
            return .map(map)
        }
        #expect(values.count == 3)
        #expect(values.first == .array([row("x1", "a", "first"), row("x2", "b", nil), row("x3", "a", "first"), row("x1", "a", "first")]))
        #expect(values.dropFirst().first == .array([]), "a script's table with the same __metatable is read raw")
        #expect(values.last == .string("locked"))
    }

    @Test("writing into a row list raises its name; rawset and setmetatable are refused too")
    func readOnly() throws {
        let state = try state()
        let errors = try state.run("""
            local r = rows()
            local a = select(2, pcall(function() r[1] = 1 end))
            local b = select(2, pcall(rawset, r, "k", 1))
            local c = select(2, pcall(setmetatable, r, nil))
            return a, b, c, rawget(r, "k")
            """)
        let message = "test.rows is read-only (its rows are built when read; copy them into a table of your own to change them)"
        #expect(errors.count == 4)
        if case .string(let a) = errors[0] { #expect(a.description.hasSuffix(message), "\(a)") } else { Issue.record("\(errors)") }
        if case .string(let b) = errors[1] { #expect(b.description.hasSuffix(message), "\(b)") } else { Issue.record("\(errors)") }
        #expect(errors[2] == .string("cannot change a protected metatable"))
        #expect(errors[3] == .nil)
    }
}
