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

    // The connection flags of `fota run` that make sense here (not --simulate: a new simulator
    // holds none of the changes), handed to the same session opening.
    @Option(help: "ThingSpace base URL (default https://thingspace.verizon.com, or FOTA_ENDPOINT).")
    var endpoint: String?

    @Option(help: "Profile in ~/.config/fota/config and credentials (or FOTA_PROFILE).")
    var profile: String?

    @Option(help: "Account of the connection (or FOTA_ACCOUNT); each change is checked in the account its journal line names.")
    var account: String?

    @Option(name: .customLong("ca-file"), help: ArgumentHelp("PEM file of certificate authorities to trust for https (or FOTA_CA_FILE).", valueName: "path"))
    var caFile: String?

    @Flag(help: "Log every request (method, path, status, duration) to stderr; secrets are redacted.")
    var verbose = false

    /// The same options as `fota run` would parse from these flags.
    func connection() throws -> ConnectionOptions {
        var arguments: [String] = []
        for (flag, value) in [("--endpoint", endpoint), ("--profile", profile), ("--account", account), ("--ca-file", caFile)] {
            if let value { arguments += [flag, value] }
        }
        if verbose { arguments.append("--verbose") }
        return try ConnectionOptions.parse(arguments)
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
        let connection = try connection()
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
