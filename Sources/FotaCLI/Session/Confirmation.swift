import ArgumentParser
import Foundation
import LuaHost

/// The one confirmation rule of the commands that change ThingSpace on the operator's word
/// (`fota apply`, `fota cancel`), as Terraform's apply has it: `--yes` goes on without asking;
/// on a terminal the question is asked and only an accepted answer goes on; without a terminal
/// nobody can answer, so the command refuses (status 64) unless `--yes` was given: a pipe or a
/// cron job never changes ThingSpace by default.
enum Confirmation {
    /// True when the operator agreed (or gave --yes), false for any other answer. `question` may
    /// quote server text: it is escaped like every message. `action` completes "pass --yes to …".
    static func ask(_ question: String, accepting accepted: Set<String>, yes: Bool, action: String) throws -> Bool {
        if yes { return true }
        guard isatty(STDIN_FILENO) == 1, isatty(STDERR_FILENO) == 1 else {
            printError("not a terminal: nobody can confirm; pass --yes to \(action)")
            throw ExitCode(ExitStatus.usage)
        }
        FileHandle.standardError.write(Data(TerminalText.escape(question, singleLine: true).utf8))
        guard let answer = readLine(strippingNewline: true) else { return false }
        return accepted.contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
    }
}
