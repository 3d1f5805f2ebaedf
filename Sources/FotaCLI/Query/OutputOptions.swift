import ArgumentParser
import Foundation

/// How a one-shot command writes its answer.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

/// `-o table|json|csv`: a table on a terminal, JSON otherwise (for jq and scripts).
struct OutputOptions: ParsableArguments {
    @Option(name: [.customShort("o"), .customLong("output")],
            help: ArgumentHelp("Output format: table, json (sorted keys) or csv (with a header); default table on a terminal, json otherwise.", valueName: "format"))
    var output: OutputFormat?

    var format: OutputFormat { output ?? (isatty(STDOUT_FILENO) == 1 ? .table : .json) }
}
