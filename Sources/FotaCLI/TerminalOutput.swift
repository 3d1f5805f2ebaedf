import Foundation
import Logging
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

/// The ThingSpace client's log lines (--verbose requests, warnings), written
/// through printError so server text is escaped like everything else.
struct TerminalLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let extra = all.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        // One line per record: a newline in server text must not start a fake one.
        printError("[\(event.level)] " + TerminalText.escape("\(event.message)\(extra)", singleLine: true))
    }
}
