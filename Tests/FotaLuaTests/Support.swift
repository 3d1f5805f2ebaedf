import Foundation
import FotaLua
import LuaHost
import NIOHTTP1
// Every test file here sees the shared fixtures (Sim, TempFolder, OutputCollector, …).
@_exported import TestSupport
import Testing
import ThingSpace
import ThingSpaceSimulator

/// What a script printed and how it ended.
struct ScriptResult {
    var outcome: ScriptOutcome
    var output: String

    var failure: LuaScriptError? {
        if case .failed(let error) = outcome { return error }
        return nil
    }

    var finished: Bool {
        if case .finished = outcome { return true }
        return false
    }
}

/// A simulator on a free loopback port and runs of Lua scripts against it
/// through the fota module, as `fota run --simulate` does.
final class SimulatedAccount: Sendable {
    let sim: Sim
    private let temporary: TempFolder
    var server: SimulatorServer { sim.server }
    var folder: String { temporary.path }
    let journalPath: String

    static func start(devices: Int = 300, latency: Duration = .zero, clockRate: Double = 0) async throws -> SimulatedAccount {
        let options = Sim.options(devices: devices) {
            $0.latency = latency
            $0.clockRate = clockRate
        }
        return try SimulatedAccount(sim: Sim(server: try await SimulatorServer.start(options)))
    }

    private init(sim: Sim) throws {
        self.sim = sim
        temporary = try TempFolder()
        journalPath = temporary.path + "/journal.jsonl"
    }

    var account: String { server.credentials.account }

    func stop() async {
        await server.stop()
    }

    func settings(_ mode: FotaMode = .live) -> FotaSettings {
        var settings = FotaSettings()
        settings.mode = mode
        settings.defaultAccount = account
        settings.scriptPath = "test.lua"
        return settings
    }

    func client() -> ThingSpaceClient {
        let c = server.credentials
        return ThingSpaceClient(configuration: ClientConfiguration(
            endpoint: c.endpoint, account: c.account,
            credentials: Credentials(clientId: c.clientId, clientSecret: c.clientSecret, username: c.username, password: c.password)))
    }

    /// Runs `source` with the fota module on the interpreter thread (off the
    /// concurrency pool, which the module's blocking calls rely on).
    /// The run is a rehearsal (the simulator answers the probe) unless `clock` says otherwise.
    func run(_ source: String, settings: FotaSettings? = nil, journal: Bool = true, clock: CampaignClock? = nil,
             rehearsalJournal: Journal? = nil, state: CampaignState = CampaignState(folder: nil),
             limits: LuaLimits = LuaLimits(), timeout: Double = 60) async throws -> (ScriptResult, FotaRuntime) {
        let scriptPath = folder + "/test-\(UUID().uuidString).lua"
        try Data(source.utf8).write(to: URL(fileURLWithPath: scriptPath))
        let client = client()
        let runtime = FotaRuntime(
            settings: settings ?? self.settings(), client: client, journal: journal ? Journal(path: journalPath) : nil,
            rehearsalJournal: rehearsalJournal, clock: clock, state: state)
        let output = OutputCollector()
        var run = ScriptRun(scriptPath: scriptPath, limits: limits, timeoutSeconds: timeout)
        run.output = { output.append($0) }
        run.prepare = { state in try FotaModule.install(in: state, runtime: runtime) }
        let outcome = await withCheckedContinuation { continuation in
            let script = run
            Thread { continuation.resume(returning: ScriptRunner.run(script)) }.start()
        }
        await client.shutdown()
        return (ScriptResult(outcome: outcome, output: output.text), runtime)
    }

    /// GET or POST on the simulator's control API (`path` starts with "/_sim"); the decoded JSON object.
    func control(_ method: HTTPMethod, _ path: String, body: String? = nil) async throws -> [String: Any] {
        try await sim.http.object(method, path, json: body)
    }

    /// The simulated time, epoch seconds.
    func simulatedNow() async throws -> Int {
        try await control(.GET, "/_sim/clock")["epochSeconds"] as? Int ?? -1
    }

    /// POST, PUT and DELETE requests the FOTA API has received.
    func mutatingRequests() async throws -> Int {
        try await control(.GET, "/_sim/requests/counts")["fotaMutating"] as? Int ?? -1
    }

    /// The journal's records, parsed.
    func journal() throws -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: journalPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// Eligible, licensed devices on one firmware with the image that upgrades them: a valid campaign.
    func campaign(size: Int) async throws -> (firmwareName: String, firmwareTo: String, devices: [String]) {
        let client = client()
        defer { Task { await client.shutdown() } }
        let firmware = try await client.listFirmware(account: account)
        var devices: [AccountDevice] = []
        var cursor = "0"
        while true {
            let page = try await client.accountDevicesPage(account: account, startIndex: cursor)
            devices += page.deviceList
            if !page.hasMoreData { break }
            cursor = page.lastSeenDeviceId
        }
        for image in firmware {
            let fit = devices.filter {
                $0.make == image.make && $0.model == image.model && $0.firmware == image.fromVersion
                    && $0.fotaEligible == true && $0.licenseAssigned == true
            }
            if fit.count >= size { return (image.firmwareName, image.toVersion ?? "", fit.prefix(size).map(\.deviceId)) }
        }
        throw TestFailure("no firmware image fits \(size) devices")
    }
}

/// The name these tests use for the shared fixture failure.
typealias TestFailure = CLITestFailure

/// Lua source for a list of strings.
func luaList(_ items: [String]) -> String {
    "{" + items.map { "\"\($0)\"" }.joined(separator: ", ") + "}"
}
