import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ThingSpaceSimulator

/// Simulator throughput: 100-device add/remove batches against one campaign at concurrency 8 over HTTP,
/// compared with a tiny authenticated GET measured in the same run, so the ratio shows what the
/// campaign work and its JSON cost on top of plain HTTP + auth.
/// A second figure appends `--append-total` devices (default 100000) in 1,000-device batches at concurrency 4,
/// in two halves: equal rates for both halves show that appending is O(batch), not O(campaign size).
/// Options: --requests N (default 4000) --concurrency N (8) --batch N (100) --devices N (fleet, 100000)
///          --append-total N (100000; 0 skips it).
func runSimulatorBenchmark(_ arguments: [String]) async throws {
    let settings = SimBenchSettings(arguments)
    var options = SimulatorOptions()
    options.port = 0
    options.deviceCount = settings.devices
    let fleetStart = ContinuousClock.now
    let server = try await SimulatorServer.start(options)
    let startup = ContinuousClock.now - fleetStart
    do {
        let client = try await SimBenchClient.connect(server.credentials)
        let upgradePath = try await client.scheduleCampaign()
        let devices = try await client.firstDevices(count: settings.batch * settings.concurrency + 1)
        print("simulator: fleet \(settings.devices) devices, started in \(SimBenchSettings.format(startup))")

        let baseline = try await measure(settings) { _, _ in
            try await client.call(.GET, "/api/fota/v1/subscriptions/\(server.credentials.account)", parse: false)
        }
        let batches = try await measure(settings) { worker, index in
            // Each worker owns a disjoint slice and alternates append/remove, so every call changes state.
            let slice = devices[(1 + worker * settings.batch)..<(1 + (worker + 1) * settings.batch)]
            let type = index % 2 == 0 ? "append" : "remove"
            let body = #"{"type":"\#(type)","deviceList":["\#(slice.joined(separator: "\",\""))"]}"#
            try await client.call(.PUT, upgradePath, body: body, parse: false)
        }
        print("simulator: baseline GET /subscriptions      \(SimBenchSettings.rate(baseline)) req/s")
        print("simulator: PUT \(settings.batch)-device add/remove batches \(SimBenchSettings.rate(batches)) req/s"
              + " (\(SimBenchSettings.rate(batches * Double(settings.batch))) device changes/s)")
        print("simulator: ratio batch/baseline = \(String(format: "%.3f", batches / baseline))"
              + " (requests=\(settings.requests), concurrency=\(settings.concurrency))")
        if settings.appendTotal > 0 {
            try await measureBigAppend(client, total: settings.appendTotal)
        }
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}

/// Appends `total` synthetic IMEIs (valid format, not in the fleet) to a fresh campaign, half at a time.
private func measureBigAppend(_ client: SimBenchClient, total: Int) async throws {
    let path = try await client.scheduleCampaign()
    let batchSize = 1000
    let batches = (total + batchSize - 1) / batchSize
    var halves: [Double] = []
    for half in [0..<(batches / 2), (batches / 2)..<batches] {
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for batch in stride(from: half.lowerBound + worker, to: half.upperBound, by: 4) {
                        let first = 990_000_000_000_000 + batch * batchSize
                        let ids = (first..<(first + batchSize)).map { String($0) }
                        try await client.call(.PUT, path, body: #"{"type":"append","deviceList":["\#(ids.joined(separator: "\",\""))"]}"#, parse: false)
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        halves.append(Double(half.count * batchSize) / seconds)
    }
    print("simulator: append \(total) devices in \(batchSize)-device batches, concurrency 4:"
          + " first half \(SimBenchSettings.rate(halves[0])) devices/s, second half \(SimBenchSettings.rate(halves[1])) devices/s"
          + " (ratio second/first = \(String(format: "%.2f", halves[1] / halves[0])))")
}

/// Runs `settings.requests` calls spread over `settings.concurrency` workers; returns requests per second.
private func measure(_ settings: SimBenchSettings, _ call: @escaping @Sendable (Int, Int) async throws -> Void) async throws -> Double {
    let perWorker = settings.requests / settings.concurrency
    let start = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<settings.concurrency {
            group.addTask {
                for index in 0..<perWorker { try await call(worker, index) }
            }
        }
        try await group.waitForAll()
    }
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    return Double(perWorker * settings.concurrency) / seconds
}

private struct SimBenchSettings: Sendable {
    var requests = 4000
    var concurrency = 8
    var batch = 100
    var devices = 100_000
    var appendTotal = 100_000

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next().flatMap { Int($0) }
            switch (flag, value) {
            case ("--requests", let value?) where value > 0: requests = value
            case ("--concurrency", let value?) where value > 0: concurrency = value
            case ("--batch", let value?) where value > 0: batch = value
            case ("--devices", let value?) where value > 0: devices = value
            case ("--append-total", let value?) where value >= 0: appendTotal = value
            default:
                FileHandle.standardError.write(Data("simulator: ignoring \(flag)\n".utf8))
            }
        }
        devices = max(devices, batch * concurrency + 1)
    }

    static func rate(_ value: Double) -> String { String(format: "%10.0f", value) }

    static func format(_ duration: Duration) -> String {
        let ms = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) * 1e-15
        return String(format: "%.0f ms", ms)
    }
}

/// Minimal authenticated client for the benchmark; failures stop the run rather than skew the figures.
private struct SimBenchClient: Sendable {
    let credentials: SimulatorCredentials
    let bearer: String
    let session: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func connect(_ credentials: SimulatorCredentials) async throws -> SimBenchClient {
        let basic = Data("\(credentials.clientId):\(credentials.clientSecret)".utf8).base64EncodedString()
        let token = try await raw(credentials, .POST, "/api/ts/v1/oauth2/token", body: "grant_type=client_credentials",
                                  headers: [("Authorization", "Basic \(basic)"), ("Content-Type", "application/x-www-form-urlencoded")])
        guard let bearer = (token as? [String: Any])?["access_token"] as? String else { throw Failure(description: "no access token") }
        let login = try await raw(credentials, .POST, "/api/m2m/v1/session/login",
                                  body: #"{"username":"\#(credentials.username)","password":"\#(credentials.password)"}"#,
                                  headers: [("Authorization", "Bearer \(bearer)"), ("Content-Type", "application/json")])
        guard let session = (login as? [String: Any])?["sessionToken"] as? String else { throw Failure(description: "no session token") }
        return SimBenchClient(credentials: credentials, bearer: bearer, session: session)
    }

    /// An authenticated call; timed loops pass `parse: false` so client-side JSON parsing stays out of the figures.
    @discardableResult
    func call(_ method: HTTPMethod, _ path: String, body: String? = nil, parse: Bool = true) async throws -> Any? {
        try await Self.raw(credentials, method, path, body: body, parse: parse, headers: [
            ("Authorization", "Bearer \(bearer)"), ("VZ-M2M-Token", session), ("Content-Type", "application/json"),
        ])
    }

    private static func raw(_ credentials: SimulatorCredentials, _ method: HTTPMethod, _ path: String, body: String?,
                            parse: Bool = true, headers: [(String, String)]) async throws -> Any? {
        var request = HTTPClientRequest(url: credentials.endpoint + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let buffer = try await response.body.collect(upTo: 64 * 1024 * 1024)
        guard response.status == .ok else {
            throw Failure(description: "\(method) \(path) → \(response.status.code): \(String(buffer: buffer))")
        }
        guard parse else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))
    }

    /// Schedules a campaign far in the future so it stays changeable; returns its PUT path.
    func scheduleCampaign() async throws -> String {
        let account = credentials.account
        let images = try await call(.GET, "/api/fota/v1/firmware/\(account)") as? [[String: Any]] ?? []
        guard let image = images.first, let name = image["firmwareName"] as? String, let to = image["toVersion"] as? String,
              let first = try await firstDevices(count: 1).first
        else { throw Failure(description: "no firmware or devices") }
        let upgrade = try await call(.POST, "/api/fota/v1/upgrades", body: #"""
            {"accountName":"\#(account)","firmwareName":"\#(name)","firmwareTo":"\#(to)","startDate":"2027-01-01","endDate":"2027-01-02","deviceList":["\#(first)"]}
            """#)
        guard let id = (upgrade as? [String: Any])?["id"] as? String else { throw Failure(description: "no upgrade id") }
        return "/api/fota/v1/upgrades/\(account)/upgrade/\(id)"
    }

    func firstDevices(count: Int) async throws -> [String] {
        var ids: [String] = []
        var cursor = "0"
        while ids.count < count {
            let page = try await call(.GET, "/api/fota/v1/devices/\(credentials.account)/index/\(cursor)") as? [String: Any] ?? [:]
            let list = page["deviceList"] as? [[String: Any]] ?? []
            ids += list.compactMap { $0["deviceId"] as? String }
            guard page["hasMoreData"] as? Bool == true, let last = list.last?["deviceId"] as? String else { break }
            cursor = last
        }
        guard ids.count >= count else { throw Failure(description: "fleet too small") }
        return Array(ids.prefix(count))
    }
}
