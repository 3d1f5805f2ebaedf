import FotaLua
import LuaHost

/// `help()` and `help(f)` at the prompt.
enum ReplHelp {
    static var overview: String { """
        Type Lua. An expression prints its value; `_` holds the last result.
        A line that is not finished (an open `function`, `do`, `{` …) continues on the next one.
        Tab completes names and paths (string.fo<Tab>, fw[1].firm<Tab>). Ctrl-C clears the line or stops
        the running chunk; Ctrl-D on an empty line exits.
        help(f) describes a function, e.g. help(fota.append); help(fota) lists a module's functions
        (also json, log, files); \(InstalledDocs.describe("lua-api.md")) has the whole API.
        """ }

    /// The modules `help(module)` lists, by the name of their global.
    static let modules = ["fota", "json", "log", "files"]

    /// `help(fota)`: every documented function of a module, with its summary.
    static func moduleText(_ module: String) -> String {
        let docs = FotaDocs.all.filter { $0.key.hasPrefix(module + ".") }.sorted { $0.key < $1.key }
        guard !docs.isEmpty else { return "no help for module '\(module)'" }
        let entries = docs.map { "  \($0.value.signature)\n      \($0.value.summary)" }
        return "\(module): \(docs.count) functions (help(\(module).name) shows one)\n" + entries.joined(separator: "\n")
    }

    static func install(in state: LuaState) throws {
        let help = state.register({ [unowned state] arguments, results in
            if arguments.count == 0 || arguments.isNil(1) {
                var text = overview
                let documented = (state.documentation.values.map(\.signature)
                    + FotaDocs.fotaIterators.values.map(\.signature)).sorted()
                if !documented.isEmpty {
                    text += "\n\nFunctions:\n" + documented.map { "  " + $0 }.joined(separator: "\n")
                }
                results.push(string: text)
                return
            }
            if arguments.typeName(1) == "string", modules.contains(try arguments.string(1).description) {
                results.push(string: moduleText(try arguments.string(1).description))
                return
            }
            guard let id = arguments.hostFunctionID(1) else {
                results.push(string: "no help for this \(arguments.typeName(1)): only host functions are documented")
                return
            }
            guard let doc = state.documentation[id] else {
                results.push(string: "no help for this function")
                return
            }
            results.push(string: doc.signature + "\n" + doc.summary)
        }, doc: FunctionDoc(signature: "help([f])", summary: "Shows how to use the prompt, or what a host function does."))
        try state.setGlobal("help", help)
        // Functions written in Lua (fota.wait, the iterators, fota.time.*, json.object …) are
        // documented by identity: every documented name is looked up once, now, before any script runs.
        var luaDocs: [LuaKey: LuaValue] = [:]
        for (name, doc) in FotaDocs.all { luaDocs[.string(LuaString(name))] = .string(doc.signature + "\n" + doc.summary) }
        try state.setGlobal("__help_lua", .map(luaDocs))
        // help() prints rather than returns, so the text is not shown quoted
        _ = try state.run("""
            local h, print, rawget, type, pcall = help, print, rawget, type, pcall
            local byFunction = {}
            for name, text in pairs(__help_lua) do
              local ok, value = pcall(function()
                local v = _G
                for part in name:gmatch("[^.]+") do v = v[part] end
                return v
              end)
              if ok and type(value) == "function" then byFunction[value] = text end
            end
            __help_lua = nil
            -- the module tables, by identity: help(fota) lists the module
            local modules = {}
            for _, name in ipairs({\(modules.map { "\"\($0)\"" }.joined(separator: ", "))}) do
              local t = rawget(_G, name)
              if t ~= nil then modules[t] = name end
            end
            help = function(f, ...)
              if f ~= nil and byFunction[f] then print(byFunction[f])
              elseif f ~= nil and modules[f] then print(h(modules[f]))
              else print(h(f, ...)) end
            end
            """, chunkName: "=(help)")
    }
}
