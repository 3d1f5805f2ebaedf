import LuaHost

/// `help()` and `help(f)` at the prompt.
enum ReplHelp {
    static let overview = """
        Type Lua. An expression prints its value; `_` holds the last result.
        A line that is not finished (an open `function`, `do`, `{` …) continues on the next one.
        Tab completes names and dotted paths (string.fo<Tab>). Ctrl-C clears the line or stops
        the running chunk; Ctrl-D on an empty line exits.
        help(f) describes a host function.
        """

    static func install(in state: LuaState) throws {
        let help = state.register({ [unowned state] arguments, results in
            if arguments.count == 0 || arguments.isNil(1) {
                var text = overview
                let documented = state.documentation.values.map(\.signature).sorted()
                if !documented.isEmpty {
                    text += "\n\nFunctions:\n" + documented.map { "  " + $0 }.joined(separator: "\n")
                }
                results.push(string: text)
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
        // help() prints rather than returns, so the text is not shown quoted
        _ = try state.run("local h, print = help, print help = function(...) print(h(...)) end", chunkName: "=(help)")
    }
}
