import ArgumentParser
import Foundation
import FotaLua

/// `fota journal reconcile`: settles unknown changes by reading ThingSpace.
struct JournalReconcileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Read ThingSpace to settle each change or batch whose outcome is unknown, and record what it found.",
        discussion: """
            For each unknown append/remove batch it reads the upgrade's device list and counts \
            the batch's devices that are in it (append) or out of it (remove); for a schedule it \
            looks for a pending or queued upgrade with the same firmware, start date and devices; \
            for a cancel it checks whether the upgrade still exists. Each finding is appended to \
            the journal as a `reconciled` line, so the change is no longer unknown, and printed.

            It changes nothing in ThingSpace. It connects like `fota run` (--profile, \
            --endpoint, credentials from the environment) and only checks changes sent to that \
            endpoint; the others are listed as not checked.

            Exit status: 0 everything settled, 1 something is still unknown, 66 the journal \
            cannot be read, 78 no usable connection.
            """
    )

    @OptionGroup var file: JournalFileOptions
    @OptionGroup(title: "ThingSpace") var connection: ConnectionOptions

    func validate() throws {
        if connection.simulate {
            throw ValidationError("--simulate starts a new, empty simulator: reconcile against the endpoint the changes went to (--endpoint, --profile)")
        }
    }

    func run() throws {
        let path = file.path
        let unknowns = try file.read().unknowns
        if unknowns.isEmpty {
            printOutput("nothing unknown in \(path)")
            return
        }
        var safety = try SafetyOptions.parse([])
        safety.readOnly = true
        safety.journal = path
        let session: FotaSession
        do {
            session = try FotaSession.open(connection: connection, safety: safety, scriptPath: "fota journal reconcile", inputFiles: [])
        } catch {
            printError(error.description)
            throw ExitCode(error.status)
        }
        defer { session.close() }
        guard let client = session.runtime.client else {
            printError("no ThingSpace credentials: reconcile reads ThingSpace (--profile, or THINGSPACE_* in the environment)")
            throw ExitCode(ExitStatus.configuration)
        }
        let endpoint = session.runtime.settings.endpoint
        let findings: [JournalReconciler.Finding]
        do {
            findings = try blockOn { try await JournalReconciler.reconcile(journalPath: path, client: client, endpoint: endpoint) }
        } catch {
            printError("\(error)")
            throw ExitCode(ExitStatus.noInput)
        }
        for finding in findings { printOutput(JournalText.findingLine(finding)) }
        let settled = findings.filter(\.settled).count
        printOutput("reconciled \(settled) of \(findings.count); \(findings.count - settled) still unknown")
        if settled < findings.count { throw ExitCode(ExitStatus.scriptError) }
    }
}
