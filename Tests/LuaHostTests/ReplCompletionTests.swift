@testable import LuaHost
import Testing

/// Tab completion at the prompt (`ReplSession.completions`): paths through
/// indexes, read raw, and linear in the number of keys.
struct ReplCompletionTests {
    func session(_ setup: String) throws -> (ReplSession, LuaState) {
        let state = try LuaState()
        _ = try state.run(setup)
        return (try ReplSession(state: state, limits: LuaLimits()), state)
    }

    @Test("fields of tables reached by indexing complete: fw[1].firm, t[\"k\"].x, a.b[2]:me")
    func indexedPaths() throws {
        let (session, _) = try session("""
            fw = {{firmwareName = "FW1", firmwareTo = "FW2", model = "T10"}}
            t = {k = {xray = 1, xylo = 2, other = 3}, [-1] = {neg = true}}
            a = {b = {1, {method = function() end, member = 1, other = 2}}}
            """)
        #expect(session.completions(for: "fw[1].firm") == ["fw[1].firmwareName", "fw[1].firmwareTo"])
        #expect(session.completions(for: "t[\"k\"].x") == ["t[\"k\"].xray", "t[\"k\"].xylo"])
        #expect(session.completions(for: "t['k'].xr") == ["t['k'].xray"])
        #expect(session.completions(for: "t[-1].n") == ["t[-1].neg"])
        #expect(session.completions(for: "a.b[2]:me") == ["a.b[2]:member", "a.b[2]:method"])
        #expect(session.completions(for: "fw[1].") == ["fw[1].firmwareName", "fw[1].firmwareTo", "fw[1].model"])
    }

    @Test("paths that are not plain indexes, or reach no table, give no candidates and leave the state usable")
    func badPaths() throws {
        let (session, state) = try session("fw = {{firmwareName = 'x'}} s = 'text'")
        for text in ["fw[1", "fw[x].f", "fw[1]", "fw[1].firmwareName.x", "fw[\"a\\\"b\"].f", "fw[1]:f:g",
                     "fw[99999999999999999999].f", "s.x", "fw[[1]].f", "fw..f", "fw[1]x", "nothing[1].x"] {
            #expect(session.completions(for: text) == [], "\(text)")
        }
        #expect(session.completions(for: "s:up") == ["s:upper"])
        expectValues(try state.run("return fw[1].firmwareName"), [.string("x")])
    }

    @Test("completion reads raw: no __index, __pairs or __len function runs, on the way or at the end")
    func noMetamethods() throws {
        let (session, state) = try session("""
            calls = 0
            local function count() calls = calls + 1 return {zeta = 1} end
            lazy = setmetatable({}, {__index = function() return count() end, __pairs = count, __len = count})
            proto = {greet = 1}
            obj = setmetatable({own = 1}, {__index = proto})
            list = {setmetatable({}, {__index = function() return count() end})}
            """)
        for text in ["lazy.x.z", "lazy[1].z", "lazy.", "lazy:", "list[1].z", "list[1][2].z"] {
            #expect(session.completions(for: text) == [], "\(text)")
        }
        // a metatable's __index *table* is read raw too: that is how proxies keep their fields
        #expect(session.completions(for: "obj.") == ["obj.greet", "obj.own"])
        expectValues(try state.run("return calls"), [.integer(0)])
    }

    @Test("fields of host read-only tables complete through indexes, without their name field")
    func hostTables() throws {
        let (session, state) = try session("")
        try state.setGlobal("host", .map([
            .string("list"): .array([.map([.string("firmwareName"): .string("a")])]),
            .string("mode"): .string("live"),
        ]))
        try state.protectGlobal("host")
        #expect(session.completions(for: "host.") == ["host.list", "host.mode"])
        #expect(session.completions(for: "host.list[1].fi") == ["host.list[1].firmwareName"])
        expectValues(try state.run("local n = 0 for k in pairs(host) do n = n + 1 end return n, tostring(host):match('^host:') ~= nil"),
                     [.integer(2), .boolean(true)])
    }

    /// Steps (keys visited plus name comparisons) of completing `dev_` over n globals all matching it.
    func steps(globals n: Int) throws -> (steps: Int, candidates: [String]) {
        let (session, _) = try session("for i = 1, \(n) do _G['dev_' .. i] = i end devices = true")
        let (candidates, steps) = session.completionsCountingSteps(for: "dev")
        return (steps, candidates)
    }

    @Test("completion over many globals is linear: ten times the globals, about ten times the work")
    func linear() throws {
        let small = try steps(globals: 10_000)
        let large = try steps(globals: 100_000)
        // Linear work grows about 10x here; checking each match against the ones
        // kept, or sorting all of them, grows 100x or more.
        #expect(large.steps < 15 * small.steps, "steps: \(small.steps) for 10,000 globals, \(large.steps) for 100,000")
        #expect(large.steps < 40 * 100_000)
        // The candidates kept are the first ones in order and the last one, so
        // what Tab inserts is what every match shares ("dev", not "dev_").
        #expect(large.candidates.count <= 1001)
        #expect(large.candidates.first == "dev_1")
        #expect(large.candidates.last == "devices")
        #expect(large.candidates == large.candidates.sorted() && Set(large.candidates).count == large.candidates.count)
    }

    @Test("the names completion copies count against the memory limit and are given back; a refusal does not fail the next chunk")
    func charged() throws {
        let limits = LuaLimits(memoryBytes: 4 << 20)
        let state = try LuaState(limits: limits)
        _ = try state.run("for i = 1, 1500 do _G['n' .. string.rep('x', 2000) .. i] = i end")
        let session = try ReplSession(state: state, limits: limits)
        let charged = state.host.pointee.host_charged
        let candidates = session.completions(for: "n")
        // 1500 names of 2 KB do not fit in what the limit leaves: some are left out
        #expect(!candidates.isEmpty && candidates.count < 1000, "\(candidates.count) candidates")
        #expect(state.host.pointee.host_charged == charged)
        #expect(session.evaluate("t = {} for i = 1, 100 do t[i] = tostring(i) end") == .ran)
    }

    @Test("a global named like a keyword is listed once")
    func duplicates() throws {
        let (session, _) = try session("_G['while'] = 1 whiled = 2")
        #expect(session.completions(for: "whi") == ["while", "whiled"])
    }
}
