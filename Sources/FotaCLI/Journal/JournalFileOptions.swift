import ArgumentParser
import FotaLua

/// Which journal a `fota journal` command reads: the same default as `fota run`.
struct JournalFileOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Journal file to read (default $XDG_STATE_HOME/fota/journal.jsonl, as fota run writes).", valueName: "path"))
    var journal: String?

    @Flag(help: "Read the rehearsal journal (rehearsal-journal.jsonl: runs with --simulate or against a fota sim endpoint).")
    var rehearsal = false

    func validate() throws {
        if rehearsal && journal != nil { throw ValidationError("choose one of --journal and --rehearsal") }
    }

    var path: String {
        journal ?? StatePaths.folder() + "/" + (rehearsal ? StatePaths.rehearsalJournal : StatePaths.journal)
    }

    /// The journal read back, or an exit with a message naming the file.
    func read() throws -> JournalReader {
        do {
            let reader = try JournalReader(path: path)
            if reader.skipped > 0 {
                printError("\(path): skipped \(reader.skipped) line(s) that are not whole JSON objects (torn by a failed write)")
            }
            return reader
        } catch {
            printError("\(error)")
            throw ExitCode(ExitStatus.noInput)
        }
    }
}

/// `-o text|json` of the journal commands.
enum JournalOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}
