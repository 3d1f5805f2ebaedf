import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
@testable import ThingSpace

/// A request as the stub saw it.
struct RecordedRequest: Sendable {
    var method: String
    /// Path with query.
    var path: String
    var headers: [String: String]
    var body: String

    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// What the stub answers.
indirect enum StubReply: Sendable {
    case json(Int, String, headers: [String: String] = [:])
    /// Sends the status line, then breaks the connection instead of the body.
    case drop
    /// Waits, then answers.
    case delayed(Duration, StubReply)

    static func ok(_ body: String) -> StubReply { .json(200, body) }
    static func apiError(_ status: Int, _ code: String, _ message: String) -> StubReply {
        .json(status, #"{"errorCode":"\#(code)","errorMessage":"\#(message)"}"#)
    }
    static let tokenFault = StubReply.json(
        401, #"{"fault":{"code":"900901","message":"Invalid Credentials","description":"Make sure you have given the correct access token"}}"#)
    static let sessionExpired = StubReply.apiError(400, "UnifiedWebService.REQUEST_FAILED.SessionToken.Expired", "The Session has expired.")
}

private struct DroppedConnection: Error {}

/// A scripted ThingSpace for exact fault sequences. It serves the token, login and logout
/// endpoints itself (issuing `token-N` / `session-N`, checking the configured credentials) and
/// checks both headers on FOTA calls; queued replies for "METHOD /path" are used first, then the
/// `fallback` handler.
final class StubServer: Sendable {
    static let account = "0242078689-00001"
    static let credentials = Credentials(
        clientId: "stub-client-id", clientSecret: "stub-client-SECRET-0xC0FFEE", username: "stub-user",
        password: "stub-PASSWORD-hunter2!")

    let port: Int
    let isTLS: Bool
    let state: StubState
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    var endpoint: String { "\(isTLS ? "https" : "http")://127.0.0.1:\(port)" }

    private init(port: Int, isTLS: Bool, state: StubState, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.isTLS = isTLS
        self.state = state
        self.group = group
        self.task = task
    }

    /// - Parameter tls: serve https with this configuration instead of plain http.
    static func start(
        latency: Duration = .zero, tls: TLSConfiguration? = nil,
        fallback: @escaping @Sendable (RecordedRequest) async -> StubReply? = { _ in nil }
    ) async throws -> StubServer {
        let state = StubState(fallback: fallback, latency: latency)
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 64 * 1024 * 1024)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            let recorded = RecordedRequest(
                method: request.method.rawValue, path: request.uri.description, headers: headers,
                body: String(buffer: body))
            let reply = await state.handle(recorded)
            return try await StubServer.render(reply)
        }
        let portBox = PortBox()
        var logger = Logger(label: "stub")
        logger.logLevel = .critical
        let app = Application(
            responder: responder,
            server: try tls.map { try .tls(.http1(), tlsConfiguration: $0) } ?? .http1(),
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "stub"),
            onServerRunning: { channel in portBox.set(channel.localAddress?.port ?? 0) },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task { try await group.run() }
        let port = try await portBox.wait()
        return StubServer(port: port, isTLS: tls != nil, state: state, group: group, task: task)
    }

    static func render(_ reply: StubReply) async throws -> Response {
        switch reply {
        case .delayed(let duration, let inner):
            try await Task.sleep(for: duration)
            return try await render(inner)
        case .drop:
            return Response(status: .ok, body: ResponseBody { _ in throw DroppedConnection() })
        case .json(let status, let body, let extra):
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            for (name, value) in extra {
                if let field = HTTPField.Name(name) { fields[field] = value }
            }
            return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    // Convenience pass-throughs.
    func enqueue(_ method: String, _ path: String, _ replies: StubReply...) async {
        await state.enqueue("\(method) \(path)", replies)
    }

    func requests(_ method: String? = nil, _ path: String? = nil) async -> [RecordedRequest] {
        await state.log.filter { (method == nil || $0.method == method) && (path == nil || $0.path == path) }
    }

    func count(_ method: String, _ path: String) async -> Int { await requests(method, path).count }

    /// Test configuration pointing at this stub. The timeout is generous: inside a full test run every
    /// suite shares two cores, and an answer past it is retried, which tests that count requests (a
    /// second token fetch) or queue replies (the retry gets the next one) would misread. Tests of
    /// timeouts set their own.
    func configuration(retry: RetryPolicy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(5), maxDelay: .milliseconds(20)),
                       timeout: Duration = .seconds(60), batchSize: Int = 1000, concurrency: Int = 4,
                       verbose: Bool = false) -> ClientConfiguration {
        ClientConfiguration(endpoint: endpoint, account: Self.account, credentials: Self.credentials, timeout: timeout,
                            retry: retry, batchSize: batchSize, concurrency: concurrency, verbose: verbose)
    }
}

actor StubState {
    private(set) var log: [RecordedRequest] = []
    private var queues: [String: [StubReply]] = [:]
    private let fallback: @Sendable (RecordedRequest) async -> StubReply?
    private let latency: Duration
    private(set) var tokenSerial = 0
    private(set) var sessionSerial = 0
    /// The token and session the FOTA endpoints accept; nil = none issued yet.
    private(set) var currentToken: String?
    private(set) var currentSession: String?
    /// Login answers while set (e.g. a credential rejection), instead of checking the password.
    var loginOverride: StubReply?

    init(fallback: @escaping @Sendable (RecordedRequest) async -> StubReply?, latency: Duration) {
        self.fallback = fallback
        self.latency = latency
    }

    func enqueue(_ key: String, _ replies: [StubReply]) { queues[key, default: []].append(contentsOf: replies) }

    func setLoginOverride(_ reply: StubReply?) { loginOverride = reply }

    /// Makes the token the client holds stale (as if it had expired server-side).
    func expireToken() { currentToken = "expired-\(tokenSerial)" }

    /// Makes the session the client holds stale.
    func expireSession() { currentSession = "expired-\(sessionSerial)" }

    func handle(_ request: RecordedRequest) async -> StubReply {
        log.append(request)
        let key = "\(request.method) \(request.path.split(separator: "?").first.map(String.init) ?? request.path)"
        if var queue = queues[key], !queue.isEmpty {
            let reply = queue.removeFirst()
            queues[key] = queue
            return reply
        }
        if latency > .zero { try? await Task.sleep(for: latency) }
        switch key {
        case "POST /api/ts/v1/oauth2/token":
            let expected = "Basic " + Data("\(StubServer.credentials.clientId):\(StubServer.credentials.clientSecret)".utf8).base64EncodedString()
            guard request.header("authorization") == expected, request.body == "grant_type=client_credentials" else {
                return .json(401, #"{"error":"invalid_client","error_description":"Client authentication failed"}"#)
            }
            if currentToken == nil || currentToken!.hasPrefix("expired") {
                tokenSerial += 1
                currentToken = "token-\(tokenSerial)-SECRETTOKEN"
            }
            return .ok(#"{"access_token":"\#(currentToken!)","token_type":"Bearer","expires_in":3600}"#)
        case "POST /api/m2m/v1/session/login":
            guard request.header("authorization") == "Bearer \(currentToken ?? "-")" else { return .tokenFault }
            if let loginOverride { return loginOverride }
            let expected = try? JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: String]
            guard expected?["username"] == StubServer.credentials.username,
                  expected?["password"] == StubServer.credentials.password
            else { return .apiError(400, "UnifiedWebService.REQUEST_FAILED.InvalidCredentials", "Invalid username or password") }
            sessionSerial += 1
            currentSession = "session-\(sessionSerial)-SECRETSESSION"
            return .ok(#"{"sessionToken":"\#(currentSession!)"}"#)
        case "POST /api/m2m/v1/session/logout":
            let session = request.header("vz-m2m-token") ?? ""
            if session == currentSession { currentSession = nil }
            return .ok(#"{"sessionToken":"\#(session)"}"#)
        default:
            break
        }
        if request.path.hasPrefix("/api/fota/v1/") {
            guard request.header("authorization") == "Bearer \(currentToken ?? "-")" else { return .tokenFault }
            guard request.header("vz-m2m-token") == currentSession, currentSession != nil else { return .sessionExpired }
        }
        if let reply = await fallback(request) { return reply }
        return .json(404, #"{"errorCode":"NOT_FOUND","errorMessage":"no stub for \#(key)"}"#)
    }
}

/// Hands the bound port from `onServerRunning` to `start`.
private final class PortBox: Sendable {
    private let continuation: AsyncStream<Int>.Continuation
    private let stream: AsyncStream<Int>

    init() {
        (stream, continuation) = AsyncStream<Int>.makeStream()
    }

    func set(_ port: Int) { continuation.yield(port) }

    func wait() async throws -> Int {
        for await port in stream { return port }
        throw CancellationError()
    }
}

/// Canned FOTA answers.
enum Fixtures {
    static let upgradeId = "3f2b6c1e-9a4d-4f7e-8b2a-1c5d6e7f8a9b"
    static let imeis = ["990000862471854", "990000862471862", "990000862471870"]

    /// A Luhn-valid IMEI made from a number.
    static func imei(_ n: Int) -> String {
        let body = String(format: "35%012d", n)
        let digits = body.compactMap { $0.wholeNumberValue }
        var sum = 0
        for (index, digit) in digits.reversed().enumerated() {
            if index % 2 == 0 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return body + String((10 - sum % 10) % 10)
    }

    static func upgradeJSON(id: String = upgradeId, status: String = "RequestPending", devices: [String] = imeis,
                            firmwareName: String = "FOTA_TEST_1.0", firmwareTo: String = "1.1", startDate: String = "2026-12-01") -> String {
        let list = devices.map { #"{"deviceId":"\#($0)","status":"RequestPending"}"# }.joined(separator: ",")
        return #"{"id":"\#(id)","accountName":"\#(StubServer.account)","firmwareName":"\#(firmwareName)","firmwareTo":"\#(firmwareTo)","startDate":"\#(startDate)","status":"\#(status)","deviceList":[\#(list)]}"#
    }

    /// Answer to a PUT change: every device succeeds unless `fail` says otherwise.
    static func changeReply(for body: String, fail: Set<String> = []) -> StubReply {
        let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        let devices = object?["deviceList"] as? [String] ?? []
        let type = object?["type"] as? String ?? "append"
        let verb = type == "remove" ? "RemoveDevice" : "AddDevice"
        let items = devices.map { device in
            fail.contains(device)
                ? #"{"deviceId":"\#(device)","status":"\#(verb)Failed","Reason":"Device not found"}"#
                : #"{"deviceId":"\#(device)","status":"\#(verb)Succeed","Reason":"Device added Successfully"}"#
        }.joined(separator: ",")
        return .ok(#"{"accountName":"\#(StubServer.account)","id":"\#(upgradeId)","deviceList":[\#(items)]}"#)
    }
}
