import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A running ThingSpace simulator. Start it in-process with `start(_:)`; stop it with `stop()`.
///
/// ```swift
/// let server = try await SimulatorServer.start(SimulatorOptions())
/// print(server.credentials.endpoint)   // http://127.0.0.1:8787
/// await server.stop()
/// ```
public final class SimulatorServer: Sendable {
    /// Where and how to connect, with the seeded account's name.
    public let credentials: SimulatorCredentials
    /// The bound TCP port (useful when `options.port` was 0).
    public let port: Int
    private let serviceGroup: ServiceGroup
    private let runTask: Task<Void, any Error>
    let core: SimulatorCore

    private init(credentials: SimulatorCredentials, port: Int, serviceGroup: ServiceGroup, runTask: Task<Void, any Error>, core: SimulatorCore) {
        self.credentials = credentials
        self.port = port
        self.serviceGroup = serviceGroup
        self.runTask = runTask
        self.core = core
    }

    /// Builds the seeded account and starts listening; returns once the port is bound.
    public static func start(_ options: SimulatorOptions) async throws -> SimulatorServer {
        guard options.problems.isEmpty else { throw SimulatorError.invalidOptions(options.problems) }
        let core = SimulatorCore(options: options)
        var logger = Logger(label: "ThingSpaceSimulator")
        logger.logLevel = Logger.Level(rawValue: options.logLevel) ?? .error

        let ready = ReadySignal()
        let app = Application(
            router: makeRouter(core: core),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "ThingSpaceSimulator"),
            onServerRunning: { channel in ready.succeed(channel.localAddress?.port ?? options.port) },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(
            services: [app, CallbackDelivery(core: core)],
            gracefulShutdownSignals: options.stopOnSignals ? [.sigterm, .sigint] : [],
            logger: logger
        ))
        let task = Task {
            do {
                try await group.run()
                ready.fail(SimulatorError.stoppedBeforeReady)
            } catch {
                ready.fail(error)
                throw error
            }
        }
        let port = try await ready.wait()
        return SimulatorServer(credentials: core.credentials(port: port), port: port, serviceGroup: group, runTask: task, core: core)
    }

    /// Gracefully stops the server and waits until it has closed its listener.
    public func stop() async {
        await serviceGroup.triggerGracefulShutdown()
        _ = try? await runTask.value
    }

    /// Waits until the server stops: after `stop()`, or on SIGINT/SIGTERM when `stopOnSignals` was set.
    public func waitUntilStopped() async throws {
        try await runTask.value
    }

    static func makeRouter(core: SimulatorCore) -> Router<SimRequestContext> {
        let router = Router(context: SimRequestContext.self)
        // Router middleware applies to routes added after it, and to unmatched paths.
        router.add(middleware: TrafficMiddleware(log: core.log))
        router.add(middleware: FaultMiddleware(faults: core.faults, latency: core.options.latency))
        ControlRoutes.install(on: router, core: core)
        AuthRoutes.install(on: router, core: core)
        let fota = router.group("api/fota/v1")
            .add(middleware: FotaAuthMiddleware(tokens: core.tokens, sessions: core.sessions))
        UpgradeRoutes.install(on: fota, core: core)
        ReportRoutes.install(on: fota, core: core)
        LicenseRoutes.install(on: fota, core: core)
        CallbackRoutes.install(on: fota, core: core)
        return router
    }
}

/// One-shot hand-over of the bound port (or the startup failure) from the server task to `start`.
private final class ReadySignal: Sendable {
    private struct State {
        var result: Result<Int, any Error>?
        var waiter: CheckedContinuation<Int, any Error>?
    }

    private let state = Mutex(State())

    func succeed(_ port: Int) { complete(.success(port)) }
    func fail(_ error: any Error) { complete(.failure(error)) }

    private func complete(_ result: Result<Int, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<Int, any Error>? in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: result)
    }

    func wait() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<Int, any Error>? in
                if let result = state.result { return result }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
