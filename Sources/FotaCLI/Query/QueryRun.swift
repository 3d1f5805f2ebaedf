import ArgumentParser
import Foundation
import FotaLua
import ThingSpace

/// The frame of every read-only one-shot command: open the session as `fota run` does
/// (profiles, --simulate, --endpoint, --account), ask, print the answer, close.
/// Exit status 0 when the answer was printed, 1 when ThingSpace or the connection failed
/// (78 for a configuration problem, 64 for a usage error, as everywhere in fota).
enum QueryRun {
    static func run(
        _ command: String, connection: ConnectionOptions, output: OutputOptions,
        _ ask: @escaping @Sendable (ThingSpaceClient, String) async throws -> QueryAnswer
    ) throws {
        let session = try open(command, connection: connection, safety: ["--read-only"])
        defer { session.close() }
        let (client, account) = try connect(command, session: session)
        let answer: QueryAnswer
        do {
            answer = try blockOn { try await ask(client, account) }
        } catch {
            printError("\(command): \(error)")
            throw ExitCode.failure
        }
        try writeAnswer(answer.render(output.format))
    }

    /// The session of a one-shot command; `safety` are SafetyOptions flags (e.g. --read-only).
    static func open(_ command: String, connection: ConnectionOptions, safety: [String]) throws -> FotaSession {
        let options: SafetyOptions
        do { options = try SafetyOptions.parse(safety) } catch {
            printError("\(command): \(SafetyOptions.message(for: error))")
            throw ExitCode(ExitStatus.usage)
        }
        do {
            return try FotaSession.open(connection: connection, safety: options, scriptPath: "fota \(command)", inputFiles: [])
        } catch {
            printError(error.description)
            throw ExitCode(error.status)
        }
    }

    /// The session's client and account, or a configuration error saying what to give.
    static func connect(_ command: String, session: FotaSession) throws -> (ThingSpaceClient, String) {
        // The session's own hints: they name the credentials file's profiles when `default` is missing.
        let hints = session.runtime.settings.hints
        guard let client = session.runtime.client else {
            printError("\(command): no ThingSpace credentials: \(hints.credentials ?? FotaHints.commandLine.credentials ?? "")")
            throw ExitCode(ExitStatus.configuration)
        }
        guard let account = session.runtime.settings.defaultAccount else {
            printError("\(command): no account: \(hints.account ?? FotaHints.commandLine.account ?? "run with --account")")
            throw ExitCode(ExitStatus.configuration)
        }
        return (client, account)
    }
}
