import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Testing
@testable import ThingSpaceSimulator

/// A decoded HTTP answer from the simulator.
struct HTTPReply: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: Data

    /// The body as a JSON object (fails the test when it is not one).
    var object: [String: Any] {
        get throws {
            let value = try JSONSerialization.jsonObject(with: body)
            return try #require(value as? [String: Any], "not a JSON object: \(String(decoding: body, as: UTF8.self))")
        }
    }

    var array: [[String: Any]] {
        get throws {
            let value = try JSONSerialization.jsonObject(with: body)
            return try #require(value as? [[String: Any]], "not a JSON array: \(String(decoding: body, as: UTF8.self))")
        }
    }

    /// `errorCode` of a `{errorCode, errorMessage}` body.
    var errorCode: String? { try? object["errorCode"] as? String }
    var errorMessage: String? { try? object["errorMessage"] as? String }
    /// `fault.code` of a gateway fault body.
    var faultCode: String? { ((try? object["fault"]) as? [String: Any])?["code"] as? String }
}

/// Wall time that moves only when the test says so: token and session lifetimes, and a clock
/// rate, are tested by advancing it instead of sleeping through them.
final class ManualWallClock: Sendable {
    private let origin = ContinuousClock.now
    private let elapsed = Mutex<Duration>(.zero)

    var clock: WallClock {
        WallClock { [self] in origin + elapsed.withLock { $0 } }
    }

    func advance(_ duration: Duration) {
        elapsed.withLock { $0 += duration }
    }
}

/// A simulator started on port 0 for one test, with helpers that speak its HTTP API.
struct Sim: Sendable {
    let server: SimulatorServer
    var credentials: SimulatorCredentials { server.credentials }
    var account: String { credentials.account }
    var base: String { credentials.endpoint }

    static func options(devices: Int = 300, _ tweak: (inout SimulatorOptions) -> Void = { _ in }) -> SimulatorOptions {
        var options = SimulatorOptions()
        options.port = 0
        options.deviceCount = devices
        tweak(&options)
        return options
    }

    /// Options under which every device is always connected and never fails by chance: each accepted device
    /// reports success `upgradeDuration` after the start (docs/simulator.md, Campaign timing), for tests about
    /// the API rather than about timing.
    static func alwaysOn(devices: Int = 300, _ tweak: (inout SimulatorOptions) -> Void = { _ in }) -> SimulatorOptions {
        options(devices: devices) { options in
            options.alwaysOnShare = 1
            options.dailyCheckInShare = 0
            options.oftenOffShare = 0
            options.failureRate = 0
            tweak(&options)
        }
    }

    /// Starts a simulator, runs `body`, and always stops it.
    static func with(_ options: SimulatorOptions = Sim.options(), _ body: (Sim) async throws -> Void) async throws {
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

    func send(_ method: HTTPMethod, _ path: String, body: Data? = nil, headers: [(String, String)] = [],
              timeout: TimeAmount = .seconds(30)) async throws -> HTTPReply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let buffer = try await response.body.collect(upTo: 256 * 1024 * 1024)
        return HTTPReply(status: Int(response.status.code), headers: response.headers, body: Data(buffer.readableBytesView))
    }

    func basicAuth(_ id: String? = nil, _ secret: String? = nil) -> String {
        "Basic " + Data("\(id ?? credentials.clientId):\(secret ?? credentials.clientSecret)".utf8).base64EncodedString()
    }

    func requestToken(form: String = "grant_type=client_credentials", authorization: String? = nil) async throws -> HTTPReply {
        var headers = [("Content-Type", "application/x-www-form-urlencoded")]
        headers.append(("Authorization", authorization ?? basicAuth()))
        return try await send(.POST, "/api/ts/v1/oauth2/token", body: Data(form.utf8), headers: headers)
    }

    func token() async throws -> String {
        let reply = try await requestToken()
        #expect(reply.status == 200)
        return try #require(try reply.object["access_token"] as? String)
    }

    func login(token: String, username: String? = nil, password: String? = nil) async throws -> HTTPReply {
        let body: [String: String] = ["username": username ?? credentials.username, "password": password ?? credentials.password]
        return try await send(.POST, "/api/m2m/v1/session/login", body: try JSONEncoder().encode(body),
                              headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")])
    }

    /// A Bearer token and a session token, ready for FOTA calls.
    func authenticate() async throws -> Auth {
        let token = try await token()
        let reply = try await login(token: token)
        #expect(reply.status == 200)
        return Auth(bearer: token, session: try #require(try reply.object["sessionToken"] as? String))
    }

    struct Auth: Sendable {
        var bearer: String
        var session: String
    }

    /// A FOTA v1 call (path relative to /api/fota/v1) with both tokens.
    func fota(_ method: HTTPMethod, _ path: String, _ auth: Auth, json: String? = nil, raw: Data? = nil) async throws -> HTTPReply {
        try await send(method, "/api/fota/v1" + path, body: raw ?? json.map { Data($0.utf8) },
                       headers: [("Authorization", "Bearer \(auth.bearer)"), ("VZ-M2M-Token", auth.session),
                                 ("Content-Type", "application/json"), ("Accept", "application/json")])
    }

    /// A control call under /_sim.
    func control(_ method: HTTPMethod, _ path: String, json: String? = nil) async throws -> HTTPReply {
        try await send(method, "/_sim" + path, body: json.map { Data($0.utf8) }, headers: [("Content-Type", "application/json")])
    }

    func advance(seconds: Int) async throws {
        let reply = try await control(.POST, "/clock/advance", json: #"{"seconds":\#(seconds)}"#)
        #expect(reply.status == 200)
    }

    /// All devices of the account (walks the pages).
    func devices(_ auth: Auth) async throws -> [[String: Any]] {
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
    func firmware(_ auth: Auth) async throws -> [[String: Any]] {
        try await fota(.GET, "/firmware/\(account)", auth).array
    }

    /// Devices that will pass validation for some image, grouped with that image.
    func schedulable(_ auth: Auth) async throws -> [(image: [String: Any], devices: [String])] {
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
    func schedule(_ auth: Auth, image: [String: Any], devices: [String], startDate: String = "2026-03-10") async throws -> HTTPReply {
        let body: [String: Any] = [
            "accountName": account, "firmwareName": image["firmwareName"] as? String ?? "",
            "firmwareTo": image["toVersion"] as? String ?? "", "startDate": startDate, "endDate": startDate,
            "deviceList": devices,
        ]
        return try await fota(.POST, "/upgrades", auth, raw: try JSONSerialization.data(withJSONObject: body))
    }

    /// Schedules a campaign of `count` devices that will all be accepted; returns its id and devices.
    func scheduleValid(_ auth: Auth, count: Int = 3, startDate: String = "2026-03-10") async throws -> (id: String, devices: [String], image: [String: Any]) {
        let candidates = try #require(try await schedulable(auth).first)
        let devices = Array(candidates.devices.prefix(count))
        #expect(devices.count == count)
        let reply = try await schedule(auth, image: candidates.image, devices: devices, startDate: startDate)
        #expect(reply.status == 200)
        return (try #require(try reply.object["id"] as? String), devices, candidates.image)
    }

    func details(_ auth: Auth, _ id: String) async throws -> [String: Any] {
        let reply = try await fota(.GET, "/upgrades/\(account)/upgrade/\(id)", auth)
        #expect(reply.status == 200)
        return try reply.object
    }

    func status(_ auth: Auth, _ id: String) async throws -> String? {
        try await details(auth, id)["status"] as? String
    }

    func deviceStatuses(_ auth: Auth, _ id: String) async throws -> [String: (status: String, reason: String?)] {
        let list = try #require(try await details(auth, id)["deviceList"] as? [[String: Any]])
        var result: [String: (String, String?)] = [:]
        for entry in list {
            result[entry["deviceId"] as? String ?? ""] = (entry["status"] as? String ?? "", entry["resultReason"] as? String)
        }
        return result
    }
}

/// Encodes a device list for request bodies.
func jsonList(_ devices: [String]) -> String {
    "[" + devices.map { "\"\($0)\"" }.joined(separator: ",") + "]"
}
