import Foundation
import FotaLua
import Logging
import ThingSpace
import ThingSpaceSimulator

/// The `fota` module's connection for one run: a client (to ThingSpace or to
/// an in-process simulator), the journal and the settings, and their teardown.
final class FotaSession: Sendable {
    let runtime: FotaRuntime
    private let simulator: SimulatorServer?
    /// What the banner and messages may show: endpoint and account, never credentials.
    let endpointDescription: String
    /// True under --simulate: calls go to the simulator started inside fota.
    var isSimulated: Bool { simulator != nil }

    private init(runtime: FotaRuntime, simulator: SimulatorServer?, endpointDescription: String) {
        self.runtime = runtime
        self.simulator = simulator
        self.endpointDescription = endpointDescription
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        var status: Int32
    }

    static func open(
        connection: ConnectionOptions, safety: SafetyOptions, scriptPath: String, inputFiles: Set<String>
    ) throws(Failure) -> FotaSession {
        var settings = FotaSettings()
        settings.hints = .commandLine
        let environment = ProcessInfo.processInfo.environment
        do {
            settings.mode = try safety.mode(environment: environment)
            // The terminal default of the device limit guards real fleets, not the built-in simulator.
            let interactive = isatty(STDIN_FILENO) == 1 && !connection.simulate
            if let (limit, source) = try safety.deviceLimit(environment: environment, interactive: interactive) {
                settings.maxDevices = limit
                settings.hints.maxDevices = source
            }
        } catch {
            throw Failure(description: "\(error)", status: ExitStatus.usage) // validate() has read them already
        }
        settings.scriptPath = scriptPath
        settings.inputFiles = inputFiles
        settings.inputFolder = safety.inputFolder
        settings.outputFolder = safety.outputFolder
        settings.batchSize = connection.batchSize
        settings.concurrency = connection.concurrency
        settings.showProgress = isatty(STDERR_FILENO) == 1

        for (flag, folder) in [("--in", safety.inputFolder), ("--out", safety.outputFolder)] {
            guard let folder else { continue }
            var isFolder: ObjCBool = false
            if !FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) || !isFolder.boolValue {
                if flag == "--out", (try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)) != nil {
                    continue
                }
                throw Failure(description: "\(flag) \(folder): not a folder", status: ExitStatus.configuration)
            }
        }

        var simulator: SimulatorServer?
        var configuration: ClientConfiguration?
        if connection.simulate {
            let server: SimulatorServer
            let simulatorOptions: SimulatorOptions
            do { simulatorOptions = try connection.simulator.options() } catch {
                throw Failure(description: "\(error)", status: ExitStatus.usage) // validate() has read them already
            }
            do {
                server = try blockOn { try await SimulatorServer.start(simulatorOptions) }
            } catch {
                throw Failure(description: "cannot start the simulator: \(error)", status: ExitStatus.configuration)
            }
            simulator = server
            let c = server.credentials
            configuration = ClientConfiguration(
                endpoint: c.endpoint, account: connection.account ?? c.account,
                credentials: Credentials(clientId: c.clientId, clientSecret: c.clientSecret, username: c.username, password: c.password))
        } else {
            do {
                configuration = try ClientConfiguration.resolve(flags: connection.flags, environment: ProcessInfo.processInfo.environment)
            } catch {
                if case .configuration(let problem) = error, problem.kind == .missingCredentials, !Self.anyCredentialGiven() {
                    configuration = nil // no credentials at all: scripts that never call the API still run
                } else if case .configuration(let problem) = error, problem.kind == .noDefaultProfile, !Self.credentialInEnvironment() {
                    // Only named profiles and none chosen: the script runs, and its first API call
                    // says which profiles exist and how to choose one.
                    configuration = nil
                    settings.hints.credentials = problem.description
                } else {
                    throw Failure(description: "\(error)", status: ExitStatus.configuration)
                }
            }
        }
        if var c = configuration {
            c.batchSize = connection.batchSize
            c.concurrency = connection.concurrency
            c.verbose = connection.verbose
            configuration = c
        }
        settings.defaultAccount = configuration?.account ?? connection.account
            ?? ProcessInfo.processInfo.environment["FOTA_ACCOUNT"].flatMap { $0.isEmpty ? nil : $0 }
        settings.endpoint = configuration?.endpoint ?? connection.endpoint ?? ClientConfiguration.defaultEndpoint

        // A rehearsal (--simulate, or an endpoint that turns out to be a `fota sim`) never writes
        // into the production journal: unless --journal says where, it has a journal of its own.
        let journal = Journal(path: safety.journal ?? StatePaths.folder() + "/" + StatePaths.journal)
        let rehearsalJournal = safety.journal == nil ? Journal(path: StatePaths.folder() + "/" + StatePaths.rehearsalJournal) : nil
        var logger = Logger(label: "fota.thingspace") { _ in TerminalLogHandler() }
        logger.logLevel = connection.verbose ? .info : .warning
        let client = configuration.map { ThingSpaceClient(configuration: $0, logger: logger) }
        let clock: CampaignClock
        if simulator != nil {
            clock = CampaignClock(.simulator(endpoint: settings.endpoint))
        } else {
            clock = CampaignClock(client.map { .probe(endpoint: $0.configuration.endpoint) } ?? .live)
        }
        // fota.state like the journal: rehearsals keep theirs apart; the built-in simulator's
        // upgrades end with the run, so its state is kept in memory unless --state says where.
        let state: CampaignState, rehearsalState: CampaignState?
        if let folder = safety.state {
            (state, rehearsalState) = (CampaignState(folder: folder), nil)
        } else if simulator != nil {
            (state, rehearsalState) = (CampaignState(folder: nil), nil)
        } else {
            state = CampaignState(folder: StatePaths.folder() + "/" + StatePaths.state)
            rehearsalState = CampaignState(folder: StatePaths.folder() + "/" + StatePaths.rehearsalState)
        }
        let runtime = FotaRuntime(
            settings: settings, client: client, journal: journal, rehearsalJournal: rehearsalJournal, clock: clock,
            state: state, rehearsalState: rehearsalState)
        let shown = simulator != nil ? "the built-in simulator (\(settings.endpoint))" : settings.endpoint
        return FotaSession(runtime: runtime, simulator: simulator, endpointDescription: shown)
    }

    /// A credential or a profile named in the environment.
    private static func credentialInEnvironment() -> Bool {
        let environment = ProcessInfo.processInfo.environment
        let names = ["THINGSPACE_CLIENT_ID", "THINGSPACE_CLIENT_SECRET", "THINGSPACE_USERNAME", "THINGSPACE_PASSWORD", "FOTA_PROFILE"]
        return names.contains(where: { !(environment[$0] ?? "").isEmpty })
    }

    private static func anyCredentialGiven() -> Bool {
        let environment = ProcessInfo.processInfo.environment
        if credentialInEnvironment() { return true }
        guard let folder = ClientConfiguration.defaultConfigDirectory(environment: environment) else { return false }
        return FileManager.default.fileExists(atPath: folder + "/credentials") || FileManager.default.fileExists(atPath: folder + "/config")
    }

    /// Logs out, closes connections and stops the simulator.
    func close() {
        let client = runtime.client
        let simulator = self.simulator
        _ = try? blockOn {
            await client?.shutdown()
            await simulator?.stop()
        }
    }
}

/// Runs async work from synchronous command code and waits for it.
func blockOn<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
    try runBlocking(operation)! // never stopped early: no stop condition
}
