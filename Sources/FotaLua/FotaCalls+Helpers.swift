import LuaHost

/// Host side of the prelude's helpers (Prelude.helpers).
extension FotaCalls {
    /// `__stderr(text)`: writes text to stderr, escaped for the terminal with its line breaks
    /// kept (fota.args' usage text, which `log` would fold onto one line).
    func standardError(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        _ = try arguments.string(1)
        let writer = StandardError()
        arguments.withStringBytes(1) { TerminalText.stream(bytes: $0, singleLine: false, emit: writer.write) }
    }
}
