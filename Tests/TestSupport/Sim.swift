import Foundation
import NIOCore
import NIOHTTP1
import Testing
import ThingSpaceSimulator

/// A simulator for one test, with helpers that speak its HTTP API. The simulator runs in this
/// process (`Sim.with`, `Sim(server:)`) or as a `fota sim` child process (`SimulatorProcess.sim`);
/// either way every request goes through the one `SimulatorHTTP` client.
public struct Sim: Sendable {
    public let credentials: SimulatorCredentials
    /// Requests to the simulator, its API and `/_sim`.
    public let http: SimulatorHTTP
    private let inProcess: SimulatorServer?
    public var account: String { credentials.account }
    public var base: String { credentials.endpoint }

    /// A simulator running in this process.
    public init(server: SimulatorServer) {
        inProcess = server
        credentials = server.credentials
        http = SimulatorHTTP(base: server.credentials.endpoint)
    }

    /// A simulator running elsewhere (a child process) that answers at `credentials.endpoint`.
    init(remote credentials: SimulatorCredentials) {
        inProcess = nil
        self.credentials = credentials
        http = SimulatorHTTP(base: credentials.endpoint)
    }

    /// The in-process server; only tests that started the simulator in this process ask for it.
    public var server: SimulatorServer {
        guard let inProcess else { preconditionFailure("this simulator runs in a child process; it has no in-process server") }
        return inProcess
    }

    public static func options(devices: Int = 300, _ tweak: (inout SimulatorOptions) -> Void = { _ in }) -> SimulatorOptions {
        var options = SimulatorOptions()
        options.port = 0
        options.deviceCount = devices
        tweak(&options)
        return options
    }

    /// Options under which every device is always connected and never fails by chance: each accepted device
    /// reports success `upgradeDuration` after the start (docs/simulator.md, Campaign timing), for tests about
    /// the API rather than about timing.
    public static func alwaysOn(devices: Int = 300, _ tweak: (inout SimulatorOptions) -> Void = { _ in }) -> SimulatorOptions {
        options(devices: devices) { options in
            options.alwaysOnShare = 1
            options.dailyCheckInShare = 0
            options.oftenOffShare = 0
            options.failureRate = 0
            tweak(&options)
        }
    }

    /// Starts a simulator, runs `body`, and always stops it.
    public static func with(_ options: SimulatorOptions = Sim.options(), _ body: (Sim) async throws -> Void) async throws {
        let server = try await SimulatorServer.start(options)
        let sim = Sim(server: server)
        do {
            try await body(sim)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    public func send(_ method: HTTPMethod, _ path: String, body: Data? = nil, headers: [(String, String)] = [],
                     timeout: TimeAmount = .seconds(60)) async throws -> HTTPReply {
        try await http.send(method, path, body: body, headers: headers, timeout: timeout)
    }

    public func basicAuth(_ id: String? = nil, _ secret: String? = nil) -> String {
        "Basic " + Data("\(id ?? credentials.clientId):\(secret ?? credentials.clientSecret)".utf8).base64EncodedString()
    }

    public func requestToken(form: String = "grant_type=client_credentials", authorization: String? = nil) async throws -> HTTPReply {
        var headers = [("Content-Type", "application/x-www-form-urlencoded")]
        headers.append(("Authorization", authorization ?? basicAuth()))
        return try await send(.POST, "/api/ts/v1/oauth2/token", body: Data(form.utf8), headers: headers)
    }

    public func token() async throws -> String {
        let reply = try await requestToken()
        #expect(reply.status == 200)
        return try #require(try reply.object["access_token"] as? String)
    }

    public func login(token: String, username: String? = nil, password: String? = nil) async throws -> HTTPReply {
        let body: [String: String] = ["username": username ?? credentials.username, "password": password ?? credentials.password]
        return try await send(.POST, "/api/m2m/v1/session/login", body: try JSONEncoder().encode(body),
                              headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")])
    }

    /// A Bearer token and a session token, ready for FOTA calls.
    public func authenticate() async throws -> Auth {
        let token = try await token()
        let reply = try await login(token: token)
        #expect(reply.status == 200)
        return Auth(bearer: token, session: try #require(try reply.object["sessionToken"] as? String))
    }

    public struct Auth: Sendable {
        public var bearer: String
        public var session: String
        public init(bearer: String, session: String) {
            self.bearer = bearer
            self.session = session
        }
    }

    /// A FOTA v1 call (path relative to /api/fota/v1) with both tokens.
    public func fota(_ method: HTTPMethod, _ path: String, _ auth: Auth, json: String? = nil, raw: Data? = nil) async throws -> HTTPReply {
        try await send(method, "/api/fota/v1" + path, body: raw ?? json.map { Data($0.utf8) },
                       headers: [("Authorization", "Bearer \(auth.bearer)"), ("VZ-M2M-Token", auth.session),
                                 ("Content-Type", "application/json"), ("Accept", "application/json")])
    }

    /// A control call under /_sim.
    public func control(_ method: HTTPMethod, _ path: String, json: String? = nil) async throws -> HTTPReply {
        try await http.control(method, path, json: json)
    }

    public func advance(seconds: Int) async throws {
        let reply = try await control(.POST, "/clock/advance", json: #"{"seconds":\#(seconds)}"#)
        #expect(reply.status == 200)
    }

    /// All devices of the account (walks the pages).
    public func devices(_ auth: Auth) async throws -> [[String: Any]] {
        var all: [[String: Any]] = []
        var cursor = "0"
        while true {
            let page = try await fota(.GET, "/devices/\(account)/index/\(cursor)", auth).object
            all += try #require(page["deviceList"] as? [[String: Any]])
            guard page["hasMoreData"] as? Bool == true else { return all }
            cursor = String(try #require(page["lastSeenDeviceId"] as? Int64 ?? (page["lastSeenDeviceId"] as? Int).map(Int64.init)))
        }
    }

    /// Firmware images: name → (make, model, fromVersion, toVersion).
    public func firmware(_ auth: Auth) async throws -> [[String: Any]] {
        try await fota(.GET, "/firmware/\(account)", auth).array
    }

    /// Devices that will pass validation for some image, grouped with that image.
    public func schedulable(_ auth: Auth) async throws -> [(image: [String: Any], devices: [String])] {
        let images = try await firmware(auth)
        let devices = try await devices(auth)
        return images.compactMap { image in
            let ids = devices.filter { device in
                device["fotaEligible"] as? Bool == true && device["licenseAssigned"] as? Bool == true
                    && device["make"] as? String == image["make"] as? String
                    && device["model"] as? String == image["model"] as? String
                    && device["firmware"] as? String == image["fromVersion"] as? String
            }.compactMap { $0["deviceId"] as? String }
            return ids.isEmpty ? nil : (image, ids)
        }.sorted { $0.devices.count > $1.devices.count }
    }

    /// Schedules `devices` for `image` starting on `startDate`; returns the reply.
    public func schedule(_ auth: Auth, image: [String: Any], devices: [String], startDate: String = "2026-03-10") async throws -> HTTPReply {
        let body: [String: Any] = [
            "accountName": account, "firmwareName": image["firmwareName"] as? String ?? "",
            "firmwareTo": image["toVersion"] as? String ?? "", "startDate": startDate, "endDate": startDate,
            "deviceList": devices,
        ]
        return try await fota(.POST, "/upgrades", auth, raw: try JSONSerialization.data(withJSONObject: body))
    }

    /// Schedules a campaign of `count` devices that will all be accepted; returns its id and devices.
    public func scheduleValid(_ auth: Auth, count: Int = 3, startDate: String = "2026-03-10") async throws -> (id: String, devices: [String], image: [String: Any]) {
        let candidates = try #require(try await schedulable(auth).first)
        let devices = Array(candidates.devices.prefix(count))
        #expect(devices.count == count)
        let reply = try await schedule(auth, image: candidates.image, devices: devices, startDate: startDate)
        #expect(reply.status == 200)
        return (try #require(try reply.object["id"] as? String), devices, candidates.image)
    }

    public func details(_ auth: Auth, _ id: String) async throws -> [String: Any] {
        let reply = try await fota(.GET, "/upgrades/\(account)/upgrade/\(id)", auth)
        #expect(reply.status == 200)
        return try reply.object
    }

    public func status(_ auth: Auth, _ id: String) async throws -> String? {
        try await details(auth, id)["status"] as? String
    }

    public func deviceStatuses(_ auth: Auth, _ id: String) async throws -> [String: (status: String, reason: String?)] {
        let list = try #require(try await details(auth, id)["deviceList"] as? [[String: Any]])
        var result: [String: (String, String?)] = [:]
        for entry in list {
            result[entry["deviceId"] as? String ?? ""] = (entry["status"] as? String ?? "", entry["resultReason"] as? String)
        }
        return result
    }
}

/// Encodes a device list for request bodies.
public func jsonList(_ devices: [String]) -> String {
    "[" + devices.map { "\"\($0)\"" }.joined(separator: ",") + "]"
}
