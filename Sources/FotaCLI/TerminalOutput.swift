import Foundation
import LuaHost

/// Writes a message line on stderr, `fota: ` in front unless `prefixed` is
/// false. Everything fota says on stderr goes through here, escaped by
/// TerminalText (the rule print follows), since messages quote script values.
func printError(_ message: String, prefixed: Bool = true) {
    FileHandle.standardError.write(Data(((prefixed ? "fota: " : "") + TerminalText.escape(message) + "\n").utf8))
}

/// Writes a line on stdout, escaped like printError (the REPL banner).
func printOutput(_ text: String) {
    print(TerminalText.escape(text))
}
