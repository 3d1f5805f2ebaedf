// fota-bench bulk: throughput and memory of ThingSpaceClient's bulk add against the simulator.
//
//   fota-bench bulk [--devices 100000] [--batch 1000] [--concurrency 4] [--latency-ms 20]
//                   [--memory-devices 1000000] [--skip-memory]
//                   [--endpoint URL --account A --upgrade-id ID]   (use a running `fota sim`)
//                   [--schedule-only]   (print the id of a new upgrade to append to, and exit)
//                   [--serve]           (run the simulator with --latency-ms; print its credentials as JSON)
//                   [--in-process]      (run the simulator inside the benchmark process instead of a child)
//                   [--verbose]         (log every request with its duration)
//
// Without --endpoint the simulator runs in a child process (`--serve`), as `fota sim` would.
//
// (a) wall time of appending --devices to one upgrade, as a share of the ideal
//     ceil(N/batch) × latency / concurrency (target ≥ 85 %);
// (b) peak RSS (VmHWM) of a child process appending --memory-devices (target < 300 MiB).
// With --endpoint the credentials come from THINGSPACE_CLIENT_ID/SECRET/USERNAME/PASSWORD.
// --bulk-child is the internal mode (b) runs in.
import Foundation
import Logging
import ThingSpace
import ThingSpaceSimulator

func runBulkBenchmark(_ arguments: [String]) async throws {
    var options = BulkBenchOptions()
    try options.parse(arguments)
    if options.child {
        try await runBulkChild(options)
        return
    }

    if options.serve {
        try await serveSimulator(latencyMs: options.latencyMs)
        return
    }
    var simulator: SimulatorServer?
    var simulatorProcess: Process?
    var endpoint = options.endpoint
    var credentials: Credentials
    var account = options.account
    if endpoint != nil {
        credentials = try BulkBenchOptions.credentialsFromEnvironment()
    } else if !options.inProcess {
        // Like `fota sim` in another terminal: the simulator's threads do not compete with the
        // client's event loop and task pool inside one process.
        let (process, served) = try startSimulatorProcess(latencyMs: options.latencyMs)
        simulatorProcess = process
        endpoint = served.endpoint
        account = served.account
        credentials = Credentials(clientId: served.clientId, clientSecret: served.clientSecret,
                                  username: served.username, password: served.password)
    } else {
        var simOptions = SimulatorOptions()
        simOptions.port = 0
        simOptions.deviceCount = 1_000
        simOptions.latency = .milliseconds(options.latencyMs)
        simOptions.maxBodyBytes = 64 * 1024 * 1024
        let server = try await SimulatorServer.start(simOptions)
        simulator = server
        endpoint = server.credentials.endpoint
        account = server.credentials.account
        credentials = Credentials(clientId: server.credentials.clientId, clientSecret: server.credentials.clientSecret,
                                  username: server.credentials.username, password: server.credentials.password)
    }
    guard let endpoint, let account else { throw BenchError.usage("--endpoint needs --account") }

    var configuration = ClientConfiguration(endpoint: endpoint, account: account, credentials: credentials,
                                            batchSize: options.batch, concurrency: options.concurrency)
    configuration.verbose = options.verbose
    let client = ThingSpaceClient(configuration: configuration)
    if options.scheduleOnly {
        print(try await scheduleBenchUpgrade(client: client, account: account))
        await client.shutdown()
        await simulator?.stop()
        return
    }
    let upgradeId: String
    if let given = options.upgradeId {
        upgradeId = given
    } else {
        upgradeId = try await scheduleBenchUpgrade(client: client, account: account)
    }

    // (a) throughput
    let devices = benchIMEIs(count: options.devices, prefix: "35")
    // Warm up connections and auth so the measurement is the bulk path only.
    _ = try await client.subscription(account: account)
    let started = ContinuousClock.now
    let result = try await client.addDevices(account: account, upgradeId: upgradeId, devices: devices)
    let wall = ContinuousClock.now - started
    let batches = (options.devices + options.batch - 1) / options.batch
    let ideal = Double(batches) * Double(options.latencyMs) / 1000 / Double(options.concurrency)
    let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
    let efficiency = ideal / wallSeconds
    print("bulk append: \(options.devices) devices, batch \(options.batch), concurrency \(options.concurrency), latency \(options.latencyMs) ms")
    print(String(format: "  wall %.3f s, ideal %.3f s, efficiency %.1f %% (target >= 85 %%)", wallSeconds, ideal, efficiency * 100))
    print("  outcomes: \(result.succeededCount) succeeded, \(result.failedCount) failed, \(result.notSentCount) not sent")
    print(String(format: "bulk.wall_seconds=%.4f", wallSeconds))
    print(String(format: "bulk.efficiency=%.4f", efficiency))

    // (b) memory, in a child process so the simulator's memory is not counted.
    if !options.skipMemory {
        var memoryUpgrade = upgradeId
        if options.upgradeId == nil {
            memoryUpgrade = try await scheduleBenchUpgrade(client: client, account: account)
        }
        let peak = try runMemoryChild(endpoint: endpoint, account: account, upgradeId: memoryUpgrade, credentials: credentials,
                                      options: options)
        print("bulk append memory: \(options.memoryDevices) devices, peak RSS \(String(format: "%.1f", peak)) MiB (target < 300 MiB)")
        print(String(format: "bulk.peak_rss_mib=%.1f", peak))
    }

    await client.shutdown()
    await simulator?.stop()
    simulatorProcess?.terminate()
    simulatorProcess?.waitUntilExit()
}

/// Starts `fota-bench bulk --serve` and reads the credentials line it prints.
func startSimulatorProcess(latencyMs: Int) throws -> (Process, SimulatorCredentials) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
    process.arguments = ["bulk", "--serve", "--latency-ms", String(latencyMs)]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    var line = Data()
    while true {
        let byte = pipe.fileHandleForReading.readData(ofLength: 1)
        if byte.isEmpty || byte == Data("\n".utf8) { break }
        line.append(byte)
    }
    guard let credentials = try? JSONDecoder().decode(SimulatorCredentials.self, from: line) else {
        process.terminate()
        throw BenchError.child("the simulator process did not print its credentials")
    }
    return (process, credentials)
}

struct BulkBenchOptions {
    var devices = 100_000
    var batch = 1_000
    var concurrency = 4
    var latencyMs = 20
    var memoryDevices = 1_000_000
    var skipMemory = false
    var endpoint: String?
    var account: String?
    var upgradeId: String?
    var child = false
    var scheduleOnly = false
    var serve = false
    var inProcess = false
    var verbose = false

    mutating func parse(_ arguments: [String]) throws {
        var index = 0
        func value() throws -> String {
            index += 1
            guard index < arguments.count else { throw BenchError.usage("\(arguments[index - 1]) needs a value") }
            return arguments[index]
        }
        func number() throws -> Int {
            let text = try value()
            guard let number = Int(text), number > 0 else { throw BenchError.usage("\(arguments[index - 1]) needs a positive number, got \(text)") }
            return number
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--devices": devices = try number()
            case "--batch": batch = try number()
            case "--concurrency": concurrency = try number()
            case "--latency-ms": latencyMs = try number()
            case "--memory-devices": memoryDevices = try number()
            case "--skip-memory": skipMemory = true
            case "--endpoint": endpoint = try value()
            case "--account": account = try value()
            case "--upgrade-id": upgradeId = try value()
            case "--bulk-child": child = true
            case "--schedule-only": scheduleOnly = true
            case "--serve": serve = true
            case "--in-process": inProcess = true
            case "--verbose": verbose = true
            default: throw BenchError.usage("unknown option \(arguments[index])")
            }
            index += 1
        }
    }

    static func credentialsFromEnvironment() throws -> Credentials {
        let environment = ProcessInfo.processInfo.environment
        func get(_ name: String) throws -> String {
            guard let value = environment[name], !value.isEmpty else { throw BenchError.usage("set \(name)") }
            return value
        }
        return Credentials(clientId: try get("THINGSPACE_CLIENT_ID"), clientSecret: try get("THINGSPACE_CLIENT_SECRET"),
                           username: try get("THINGSPACE_USERNAME"), password: try get("THINGSPACE_PASSWORD"))
    }
}

enum BenchError: Error, CustomStringConvertible {
    case usage(String)
    case child(String)

    var description: String {
        switch self {
        case .usage(let message): "fota-bench bulk: \(message)"
        case .child(let message): "fota-bench bulk: memory child failed: \(message)"
        }
    }
}

/// Distinct Luhn-valid IMEIs `prefix` + 12-digit serial + check digit.
func benchIMEIs(count: Int, prefix: String, offset: Int = 0) -> [String] {
    var result: [String] = []
    result.reserveCapacity(count)
    for n in offset..<(offset + count) {
        var digits = Array(prefix.utf8.map { Int($0 - 48) })
        var serial = n
        var tail = [Int](repeating: 0, count: 12)
        for position in stride(from: 11, through: 0, by: -1) {
            tail[position] = serial % 10
            serial /= 10
        }
        digits += tail
        var sum = 0
        for (index, digit) in digits.reversed().enumerated() {
            if index % 2 == 0 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        digits.append((10 - sum % 10) % 10)
        result.append(String(decoding: digits.map { UInt8($0 + 48) }, as: UTF8.self))
    }
    return result
}

/// Schedules a small upgrade to append to, with the account's first firmware and device.
func scheduleBenchUpgrade(client: ThingSpaceClient, account: String) async throws -> String {
    let firmware = try await client.listFirmware(account: account)
    let devices = try await client.accountDevicesPage(account: account).deviceList
    for image in firmware {
        guard let device = devices.first(where: { $0.model == image.model && $0.make == image.make }) ?? devices.first else { continue }
        do {
            let upgrade = try await client.scheduleUpgrade(UpgradeRequest(
                accountName: account, firmwareName: image.firmwareName, firmwareTo: image.toVersion ?? "",
                startDate: "2026-12-01", deviceList: [device.deviceId]))
            return upgrade.id
        } catch let error as ThingSpaceError {
            if case .api = error { continue }  // device already claimed by an earlier bench upgrade: try the next image
            throw error
        }
    }
    throw BenchError.usage("could not schedule an upgrade to append to")
}

func runMemoryChild(endpoint: String, account: String, upgradeId: String, credentials: Credentials,
                    options: BulkBenchOptions) throws -> Double {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
    process.arguments = ["bulk", "--bulk-child", "--endpoint", endpoint, "--account", account, "--upgrade-id", upgradeId,
                         "--memory-devices", String(options.memoryDevices), "--batch", String(options.batch),
                         "--concurrency", String(options.concurrency)]
    // Secrets travel in the environment, not in argv (visible to ps).
    var environment = ProcessInfo.processInfo.environment
    environment["THINGSPACE_CLIENT_ID"] = credentials.clientId
    environment["THINGSPACE_CLIENT_SECRET"] = credentials.clientSecret
    environment["THINGSPACE_USERNAME"] = credentials.username
    environment["THINGSPACE_PASSWORD"] = credentials.password
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw BenchError.child("exit status \(process.terminationStatus): \(output)") }
    FileHandle.standardError.write(Data(output.utf8))
    guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("child.vmhwm_kib=") }),
          let kib = Double(line.dropFirst("child.vmhwm_kib=".count))
    else { throw BenchError.child("no VmHWM in output: \(output)") }
    return kib / 1024
}

/// Runs in the child: one big append, then reports VmHWM from /proc/self/status.
func runBulkChild(_ options: BulkBenchOptions) async throws {
    guard let endpoint = options.endpoint, let account = options.account, let upgradeId = options.upgradeId else {
        throw BenchError.usage("--bulk-child needs --endpoint, --account and --upgrade-id")
    }
    let configuration = ClientConfiguration(endpoint: endpoint, account: account,
                                            credentials: try BulkBenchOptions.credentialsFromEnvironment(),
                                            timeout: .seconds(120), batchSize: options.batch, concurrency: options.concurrency)
    let client = ThingSpaceClient(configuration: configuration)
    let devices = benchIMEIs(count: options.memoryDevices, prefix: "86")
    let started = ContinuousClock.now
    let result = try await client.addDevices(account: account, upgradeId: upgradeId, devices: devices)
    let wall = ContinuousClock.now - started
    await client.shutdown()
    print("child: \(result.count) devices in \(wall): \(result.succeededCount) succeeded, \(result.failedCount) failed, \(result.notSentCount) not sent")
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let hwm = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
    let kib = hwm?.split(separator: " ").compactMap { Int($0) }.first ?? -1
    print("child.vmhwm_kib=\(kib)")
}

/// Runs a simulator until the process is killed, printing its credentials as the first line
/// (what `fota sim` does, usable before the CLI exists).
func serveSimulator(latencyMs: Int) async throws {
    var simOptions = SimulatorOptions()
    simOptions.port = 0
    simOptions.deviceCount = 1_000
    simOptions.latency = .milliseconds(latencyMs)
    simOptions.maxBodyBytes = 64 * 1024 * 1024
    simOptions.stopOnSignals = true
    let server = try await SimulatorServer.start(simOptions)
    let json = try JSONEncoder().encode(server.credentials)
    // Written unbuffered: the script reading it waits for this line while the server runs.
    FileHandle.standardOutput.write(json + Data("\n".utf8))
    try await server.waitUntilStopped()
}
