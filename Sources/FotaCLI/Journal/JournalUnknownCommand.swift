import ArgumentParser
import FotaLua

/// `fota journal unknown`: changes and batches sent without a known outcome.
struct JournalUnknownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unknown",
        abstract: "List the changes and batches that were sent without a known outcome.",
        discussion: """
            A change (or a batch of a bulk append/remove) is unknown when its intent line was \
            written, so its request may have been sent, and no outcome line says what happened: \
            the run was killed, or the answer was lost and reading the upgrade back failed too. \
            Batches that were never sent have no intent line and are not listed; dry runs never \
            are. `fota journal reconcile` reads ThingSpace to settle them.

            Exit status: 0 nothing unknown, 1 something is unknown (so a script can check), \
            66 the journal cannot be read.
            """
    )

    @OptionGroup var file: JournalFileOptions

    @Option(name: .shortAndLong, help: "Output format: text or json.")
    var output: JournalOutputFormat = .text

    func run() throws {
        let unknowns = try file.read().unknowns
        if output == .json {
            print(JournalText.json(unknowns.map(JournalText.unknownSummary)))
        } else if unknowns.isEmpty {
            printOutput("nothing unknown in \(file.path)")
        } else {
            for unknown in unknowns { printOutput(JournalText.unknownLine(unknown)) }
        }
        if !unknowns.isEmpty { throw ExitCode(ExitStatus.scriptError) }
    }
}
