import FotaLua
import LuaHost
import Testing

/// The module tables at the prompt: what typing their name shows, and what
/// pairs and completion see of them.
struct ModuleDisplayTests {
    /// A prompt session with the fota modules (no client: nothing here calls ThingSpace).
    func session() throws -> (ReplSession, OutputCollector) {
        let state = try LuaState()
        let output = OutputCollector()
        state.output = { output.append($0) }
        let runtime = FotaRuntime(settings: FotaSettings(), client: nil, journal: nil, clock: CampaignClock(.live))
        try FotaModule.install(in: state, runtime: runtime)
        return (try ReplSession(state: state, limits: LuaLimits()), output)
    }

    @Test("typing fota, json or files shows their functions, as string does, not {}")
    func modulesShowTheirFields() throws {
        let (session, output) = try session()
        #expect(session.evaluate("fota") == .ran)
        let fota = output.text
        #expect(fota.hasPrefix("{\n"))
        for field in ["append = function: #", "remove = function: #", "mode = \"live\"", "devices = function: #", "wait = function: #"] {
            #expect(fota.contains("  " + field), "\(field) in:\n\(fota)")
        }
        #expect(!fota.contains("__"), "no internal field in:\n\(fota)")
        for (module, function) in [("json", "encode"), ("files", "writecsv"), ("log", "warn")] {
            let before = output.text.count
            #expect(session.evaluate(module) == .ran)
            let shown = String(output.text.dropFirst(before))
            #expect(shown.contains("  \(function) = "), "\(module) shows \(function):\n\(shown)")
        }
        // the value itself is still the read-only proxy
        #expect(session.evaluate("_ = nil x = fota ok = pcall(function() x.extra = 1 end)") == .ran)
        #expect(session.evaluate("assert(ok == false and x == fota)") == .ran)
    }

    @Test("__name is not a field of the modules: not in pairs, not completed; errors and tostring still name them")
    func noNameField() throws {
        let (session, output) = try session()
        #expect(session.evaluate("""
            local names = {}
            for _, t in ipairs({fota, json, log, files}) do
              for k in pairs(t) do if k:sub(1, 2) == '__' then names[#names + 1] = k end end
            end
            print(#names, fota.__name, json.__name, tostring(fota):match('^fota:') ~= nil,
                  select(2, pcall(function() json.x = 1 end)):match("read%-only table 'json'") ~= nil)
            """) == .ran)
        #expect(output.text == "0\tnil\tnil\ttrue\ttrue\n")
        #expect(session.completions(for: "fota.__") == [])
        #expect(session.completions(for: "json.") == ["json.array", "json.decode", "json.encode", "json.null", "json.object"])
        #expect(session.completions(for: "fota.ap") == ["fota.append"])
    }
}
