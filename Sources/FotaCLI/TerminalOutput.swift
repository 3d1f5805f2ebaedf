import ArgumentParser
import Foundation
import Logging
import LuaHost

/// Writes a message line on stderr, `fota: ` in front unless `prefixed` is
/// false. Everything fota says on stderr goes through here, escaped by
/// TerminalText (the rule print follows), since messages quote script values.
func printError(_ message: String, prefixed: Bool = true) {
    // A closed or broken stderr loses the message but must not end the run (FileHandle.write traps).
    _ = writeAll(STDERR_FILENO, Array(((prefixed ? "fota: " : "") + TerminalText.escape(message) + "\n").utf8))
}

/// Writes all of `bytes` to `descriptor`; the errno of a failed write, or nil.
private func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Int32? {
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
        if n < 0 && errno == EINTR { continue }
        if n < 0 { return errno }
        offset += n
    }
    return nil
}

/// Writes a line on stdout, escaped like printError (the REPL banner).
func printOutput(_ text: String) {
    print(TerminalText.escape(text))
}

/// Writes a command's answer on stdout. A reader that went away (`fota devices | head -3`) ends
/// the command quietly with status 1 instead of FileHandle's trap on EPIPE; another write error
/// is reported.
func writeAnswer(_ text: String) throws {
    if let failure = writeAll(STDOUT_FILENO, Array(text.utf8)) {
        if failure != EPIPE { printError("cannot write the answer on standard output: \(String(cString: strerror(failure)))") }
        throw ExitCode.failure
    }
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
