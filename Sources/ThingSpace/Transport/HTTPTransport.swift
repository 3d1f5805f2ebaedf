import AsyncHTTPClient
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether a request may be sent again after an answer was possibly received.
enum RepeatSafety: Sendable {
    /// GET, add/remove PUT, DELETE, token and login: repeat on 5xx, 429, timeouts, dropped connections.
    case idempotent
    /// Scheduling: repeat only when the request surely did not reach the service (connect error, 429).
    case notIdempotent
}

/// One request to send. `path` starts with `/api/...`.
struct TransportRequest: Sendable {
    var method: HTTPMethod
    var path: String
    var headers: HTTPHeaders
    var body: ByteBuffer?
    var safety: RepeatSafety
}

/// Any HTTP answer (the caller decides whether the status is an error).
struct TransportResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: ByteBuffer
    /// How many times the request was sent.
    var attempts: Int
    /// An earlier attempt failed in a way that may have followed the service acting on it (a
    /// timeout, a dropped connection or a 5xx): this answer may describe a repeat.
    var afterAmbiguousAttempt = false
}

/// Sends requests to one base URL with timeouts and retries. The `HTTPClient` (and with it the
/// event loop) is created on first use, so a run that never talks to ThingSpace starts no threads.
final class HTTPTransport: Sendable {
    let baseURL: String
    /// Certificate authorities to trust for https instead of the system's.
    let caFile: String?
    let timeout: Duration
    let retry: RetryPolicy
    let maxConnectionsPerHost: Int
    let redactor: SecretRedactor
    let logger: Logger
    /// Level for the one-line-per-request log (`.info` when verbose, `.debug` otherwise).
    let requestLogLevel: Logger.Level
    /// Largest answer accepted; a report of many big upgrades can be several MB.
    let maxResponseBytes = 64 * 1024 * 1024

    private let state = NIOLockedValueBox<State>(State())

    private struct State {
        var client: HTTPClient?
        var isShutDown = false
    }

    init(baseURL: String, timeout: Duration, retry: RetryPolicy, maxConnectionsPerHost: Int, redactor: SecretRedactor,
         logger: Logger, requestLogLevel: Logger.Level, caFile: String? = nil) {
        self.caFile = caFile
        self.baseURL = baseURL
        self.timeout = timeout
        self.retry = retry
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.redactor = redactor
        self.logger = logger
        self.requestLogLevel = requestLogLevel
    }

    deinit {
        // AsyncHTTPClient traps in debug builds when a client is released without shutdown. A
        // caller that forgot `ThingSpaceClient.shutdown()` loses the logout, not the process.
        if let client = state.withLockedValue({ $0.client }) {
            _ = client.shutdown()
        }
    }

    /// True once a request has created the HTTP client (tests check start-up stays lazy).
    var hasStarted: Bool { state.withLockedValue { $0.client != nil } }

    /// The HTTP client once created (tests watch it being released after `deinit` shut it down).
    var currentClient: HTTPClient? { state.withLockedValue { $0.client } }

    private func httpClient() throws -> HTTPClient {
        try state.withLockedValue { state in
            if state.isShutDown {
                throw ThingSpaceError.transport(TransportFailure(
                    kind: .other, method: "-", path: "-", attempts: 0, detail: "the client has been shut down"))
            }
            if let client = state.client { return client }
            var configuration = HTTPClient.Configuration()
            // Never follow redirects: they would carry the Authorization header to another place.
            configuration.redirectConfiguration = .disallow
            configuration.connectionPool = .init(
                idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maxConnectionsPerHost)
            configuration.timeout = .init(connect: .nanoseconds(nanoseconds(timeout)))
            // Report a refused connection at once; RetryPolicy decides about repeating it,
            // instead of the pool retrying silently until the request deadline.
            configuration.connectionPool.retryConnectionEstablishment = false
            if let caFile {
                var tls = TLSConfiguration.makeClientConfiguration()
                tls.trustRoots = .file(caFile)
                configuration.tlsConfiguration = tls
            }
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            state.client = client
            return client
        }
    }

    /// Closes connections; later requests fail.
    func shutdown() async {
        let client = state.withLockedValue { state -> HTTPClient? in
            state.isShutDown = true
            defer { state.client = nil }
            return state.client
        }
        if let client {
            do { try await client.shutdown() } catch {
                logger.debug("HTTP client shutdown: \(redactor.scrub(String(describing: error)))")
            }
        }
    }

    /// Sends `request`, retrying as `retry` and `request.safety` allow. Returns the last HTTP
    /// answer whatever its status; throws `ThingSpaceError.transport` when no answer came.
    func send(_ request: TransportRequest) async throws -> TransportResponse {
        var attempt = 0
        var ambiguous = false
        while true {
            attempt += 1
            let started = ContinuousClock.now
            let outcome = await sendOnce(request)
            let elapsed = ContinuousClock.now - started
            let canRetry = attempt < retry.maxAttempts
            switch outcome {
            case .success(var response):
                response.attempts = attempt
                response.afterAmbiguousAttempt = ambiguous
                let status = response.status
                let retryable = status == 429 || (status >= 500 && request.safety == .idempotent)
                logRequest(request, status: "\(status)", elapsed: elapsed, attempt: attempt, willRetry: retryable && canRetry)
                guard retryable && canRetry else { return response }
                if status >= 500 { ambiguous = true }
                var delay = retry.backoff(retry: attempt)
                if let header = response.headers.first(name: "Retry-After"),
                   let requested = retry.retryAfterDelay(header, now: Self.unixTime()) {
                    delay = requested
                }
                try await Task.sleep(for: delay)
            case .failure(let failure):
                let retryable = failure.kind == .connect || request.safety == .idempotent
                logRequest(request, status: failure.kind.rawValue, elapsed: elapsed, attempt: attempt,
                           willRetry: retryable && canRetry)
                try Task.checkCancellation()
                guard retryable && canRetry else {
                    throw ThingSpaceError.transport(TransportFailure(
                        kind: failure.kind, method: request.method.rawValue, path: request.path, attempts: attempt,
                        detail: failure.detail))
                }
                if failure.kind != .connect { ambiguous = true }
                try await Task.sleep(for: retry.backoff(retry: attempt))
            }
        }
    }

    private struct AttemptFailure: Error {
        var kind: TransportFailure.Kind
        var detail: String
    }

    private func sendOnce(_ request: TransportRequest) async -> Result<TransportResponse, AttemptFailure> {
        let client: HTTPClient
        do { client = try httpClient() } catch {
            return .failure(AttemptFailure(kind: .other, detail: "the client has been shut down"))
        }
        var outgoing = HTTPClientRequest(url: baseURL + request.path)
        outgoing.method = request.method
        outgoing.headers = request.headers
        if let body = request.body {
            outgoing.body = .bytes(body)
        }
        let deadline = NIODeadline.now() + .nanoseconds(nanoseconds(timeout))
        do {
            let response = try await client.execute(outgoing, deadline: deadline)
            let body = try await response.body.collect(upTo: maxResponseBytes)
            return .success(TransportResponse(status: Int(response.status.code), headers: response.headers, body: body, attempts: 1))
        } catch {
            return .failure(classify(error))
        }
    }

    /// NIO's descriptions of connect errors nest and do not always balance their parentheses
    /// ("connection reset (error set): Connection refused (errno: 111))"); a connect error is
    /// told as the system's words for its errno and the place, and any other detail is balanced.
    private func classify(_ error: any Error) -> AttemptFailure {
        let failure = classifyRaw(error)
        guard failure.kind == .connect, let code = ErrorWords.errno(in: error, description: failure.detail) else {
            return AttemptFailure(kind: failure.kind, detail: ErrorWords.balanced(failure.detail))
        }
        return AttemptFailure(kind: .connect, detail: "\(String(cString: strerror(code))) at \(redactor.scrub(baseURL))")
    }


    private func classifyRaw(_ error: any Error) -> AttemptFailure {
        let detail = redactor.scrub(String(describing: error))
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return AttemptFailure(kind: .timeout, detail: "no answer within \(timeout)")
            case .connectTimeout, .getConnectionFromPoolTimeout:
                return AttemptFailure(kind: .connect, detail: detail)
            case .remoteConnectionClosed:
                return AttemptFailure(kind: .connectionClosed, detail: detail)
            default:
                break
            }
        }
        if let error = error as? IOError, [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH].contains(error.errnoCode) {
            return AttemptFailure(kind: .connect, detail: detail)
        }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout: return AttemptFailure(kind: .connect, detail: detail)
            case .ioOnClosedChannel, .eof, .outputClosed, .alreadyClosed, .inputClosed:
                return AttemptFailure(kind: .connectionClosed, detail: detail)
            default: break
            }
        }
        // NIOPosix wraps connect failures in NIOConnectionError, which this module does not import.
        let typeName = String(describing: type(of: error))
        if typeName.contains("NIOConnectionError") || detail.contains("connection refused") || detail.contains("Connection refused") {
            return AttemptFailure(kind: .connect, detail: detail)
        }
        if error is NIOTooManyBytesError {
            return AttemptFailure(kind: .other, detail: "answer larger than \(maxResponseBytes) bytes")
        }
        return AttemptFailure(kind: .other, detail: detail)
    }

    private func logRequest(_ request: TransportRequest, status: String, elapsed: Duration, attempt: Int, willRetry: Bool) {
        guard logger.logLevel <= requestLogLevel else { return }
        let millis = Double(nanoseconds(elapsed)) / 1_000_000
        let rounded = (millis * 10).rounded() / 10
        var message = "\(request.method.rawValue) \(redactor.scrub(request.path)) -> \(status) in \(rounded) ms"
        if attempt > 1 { message += " (attempt \(attempt))" }
        if willRetry { message += ", will retry" }
        logger.log(level: requestLogLevel, "\(message)")
        if logger.logLevel <= .trace {
            logger.trace("request headers: \(redactor.describe(request.headers))")
        }
    }

    static func unixTime() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
