import ArgumentParser
import FotaLua

/// `fota journal runs`: one line per run.
struct JournalRunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List the runs in the journal, oldest first, one line each.",
        discussion: """
            Each line: the run id (give its first characters to `fota journal show`), when its \
            first change was journaled, the script, the endpoint, the mode (live, dry-run or \
            rehearsal), and counts: changes, devices added/removed, unchanged, failed, not sent, \
            and how many changes or batches have no known outcome.
            """
    )

    @OptionGroup var file: JournalFileOptions

    @Option(name: .shortAndLong, help: "Output format: text or json.")
    var output: JournalOutputFormat = .text

    func run() throws {
        let reader = try file.read()
        if output == .json {
            print(JournalText.json(reader.runs.map(JournalText.runSummary)))
            return
        }
        if reader.runs.isEmpty { printOutput("no runs in \(file.path)") }
        for run in reader.runs { printOutput(JournalText.runLine(run)) }
    }
}
