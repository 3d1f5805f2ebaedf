import ArgumentParser
import FotaLua

/// `fota journal show RUN`: a run's changes and their outcomes.
struct JournalShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one run's changes and what became of them.",
        discussion: """
            RUN is a run id from `fota journal runs`, or its first characters. For each change: \
            the call, account, upgrade, devices and counts; for a bulk append/remove each batch \
            that did not simply succeed (failed, unchanged or not sent devices with their \
            reasons, or no known outcome). -o json prints the same as one JSON object.
            """
    )

    @OptionGroup var file: JournalFileOptions

    @Option(name: .shortAndLong, help: "Output format: text or json.")
    var output: JournalOutputFormat = .text

    @Argument(help: ArgumentHelp("The run id, or its first characters.", valueName: "run"))
    var runPrefix: String

    func run() throws {
        let reader = try file.read()
        let found: JournalReader.Run
        switch reader.run(matching: runPrefix) {
        case .success(let match): found = match
        case .failure(let error):
            printError("\(error) (in \(file.path))")
            throw ExitCode(ExitStatus.usage)
        }
        if output == .json {
            print(JournalText.json(JournalText.runDetail(found)))
        } else {
            for line in JournalText.runLines(found) { printOutput(line) }
        }
    }
}
