import ArgumentParser
import Foundation
import NIOCore
import ThingSpaceSimulator

/// `fota sim [serve]`: runs the local ThingSpace simulator in the foreground.
struct SimServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a local ThingSpace FOTA simulator (OAuth, M2M session and FOTA v1 API) with a seeded fleet.",
        discussion: """
        Serves /api/ts/v1 (OAuth), /api/m2m/v1 (session) and /api/fota/v1 (FOTA v1, endpoints A1–A18 of \(InstalledDocs.describe("thingspace-api.md"))) under \
        one base URL, for one seeded account whose devices span several makes, models and firmware versions. \
        The same --seed always gives the same fleet, the same campaign timeline and the same failures.

        The first line on stdout is one JSON object for scripts, with the keys endpoint (base URL, e.g. \
        http://127.0.0.1:8787), account, clientId, clientSecret, username and password. With --env it is instead \
        one `export …` line for a shell: `fota sim --port 0 --env > sim.env &` then `. ./sim.env`. With --port 0 \
        a free port is chosen.

        Campaign time is simulated and stands still until advanced (`fota sim advance 2h`, or \
        POST /_sim/clock/advance), unless --clock-rate makes it follow wall time. A campaign unfolds like \
        ThingSpace's: validation, start at the start date, then each device reports when the campaign reaches it \
        (its connectivity and client type decide when), until every device has an outcome or the end date passes. \
        \(InstalledDocs.describe("simulator.md")) lists every timing rule with its default and source, and the /_sim control API.

        Runs until Ctrl-C (SIGINT) or SIGTERM.
        """
    )

    @Option(help: "Interface to listen on.")
    var host = "127.0.0.1"

    @Option(help: "TCP port; 0 picks a free port.")
    var port = 8787

    @Option(help: "Seed of the fleet, account, upgrade ids, device connectivity, failures and random faults.")
    var seed: UInt64 = 1

    @Option(name: .customLong("devices"), help: "Number of devices in the seeded account.")
    var deviceCount = 10_000

    @Flag(help: "Print the credentials as one shell `export` line instead of JSON (for `. ./sim.env`).")
    var env = false

    @Option(name: .customLong("latency-ms"), help: "Delay added to every ThingSpace request, in milliseconds.")
    var latencyMs = 0

    @Option(name: .customLong("fault-rate"), help: "Share of requests (0…1) answered 500, 503, 429 + Retry-After, or dropped.")
    var faultRate = 0.0

    @Option(name: .customLong("token-ttl"), help: "OAuth token lifetime in seconds.")
    var tokenTTL = 3600

    @Option(name: .customLong("session-idle"), help: "M2M session idle expiry in seconds.")
    var sessionIdle = 1200

    @Option(name: .customLong("clock-rate"), help: "Simulated seconds per real second (0: the clock moves only when advanced).")
    var clockRate = 0.0

    @OptionGroup(title: "Campaign model (simulator.md, Campaign timing)")
    var campaign: SimCampaignFlags

    @Flag(name: .customLong("strict-keys"), help: "Read request keys only in their documented spelling (by default, like the service, without regard to case, so `devicelist` works).")
    var strictKeys = false

    // Kept so older scripts still start; accepting `devicelist` is the default now.
    @Flag(name: .customLong("accept-devicelist"), help: .hidden)
    var acceptDevicelist = false

    @Option(name: .customLong("log-level"), help: "Server log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "error"

    var options: SimulatorOptions {
        get throws {
            var options = SimulatorOptions()
            options.host = host
            options.port = port
            options.seed = seed
            options.deviceCount = deviceCount
            options.latency = .milliseconds(latencyMs)
            options.faultRate = faultRate
            options.tokenTTL = .seconds(tokenTTL)
            options.sessionIdle = .seconds(sessionIdle)
            options.clockRate = clockRate
            options.strictKeys = strictKeys
            options.logLevel = logLevel
            options.stopOnSignals = true
            try campaign.apply(to: &options)
            return options
        }
    }

    func validate() throws {
        if latencyMs < 0 { throw ValidationError("--latency-ms must not be negative (got \(latencyMs)).") }
        if !["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical.")
        }
        if let problem = try options.problems.first {
            throw ValidationError("Invalid simulator option: \(problem) (see `fota sim serve --help`).")
        }
    }

    func run() async throws {
        let options = try self.options
        let server: SimulatorServer
        do {
            server = try await SimulatorServer.start(options)
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            printError("port \(port) is already in use; choose another with --port or --port 0")
            throw ExitCode(ExitStatus.configuration)
        } catch {
            printError("cannot start the simulator on \(host) port \(port): \(error)")
            throw ExitCode(ExitStatus.configuration)
        }
        let line: String
        if env {
            line = SimEnvironment.exportLine(server.credentials) + "\n"
        } else {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            line = String(decoding: try encoder.encode(server.credentials), as: UTF8.self) + "\n"
        }
        // Unbuffered write: scripts (and `> sim.env &`) read this line while the process keeps running.
        // Nobody can use a simulator whose credentials could not be written: stop it and say so.
        do {
            try writeAnswer(line)
        } catch {
            printError("fota sim: the credentials could not be written on standard output; stopping", prefixed: false)
            await server.stop()
            throw error
        }
        printError("fota sim: listening on \(server.credentials.endpoint) (control API under /_sim, see \(InstalledDocs.describe("simulator.md")))", prefixed: false)
        try await server.waitUntilStopped()
    }
}
