import ArgumentParser

/// `fota journal`: read the journal of changes, and settle the ones whose outcome is unknown.
struct JournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Read the journal of changes; find and settle changes whose outcome is unknown.",
        discussion: """
            Every change a script makes (fota.append, fota.remove, fota.schedule, fota.cancel) is \
            journaled: an intent line before the request, an outcome line after it, and for a bulk \
            append/remove the same two lines for each batch of devices. A run killed in the middle \
            of a call leaves intents without outcomes: those batches (or calls) may or may not \
            have reached ThingSpace.

              fota journal runs                      one line per run
              fota journal show 3f2a                 a run's changes (-o json)
              fota journal unknown                   sent, outcome unknown
              fota journal reconcile --profile prod  settle them

            The journal is $XDG_STATE_HOME/fota/journal.jsonl unless --journal names another; \
            --rehearsal reads the one rehearsals write (rehearsal-journal.jsonl). See \
            \(InstalledDocs.describe("lua-api.md")), "The journal", for the line format.
            """,
        subcommands: [JournalRunsCommand.self, JournalShowCommand.self, JournalUnknownCommand.self, JournalReconcileCommand.self]
    )
}
