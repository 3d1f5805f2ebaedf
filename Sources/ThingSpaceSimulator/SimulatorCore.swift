import Synchronization

/// Everything a request handler may touch. Each part guards itself; the world has one mutex so a
/// campaign change is applied atomically with respect to every other request.
final class SimulatorCore: Sendable {
    let options: SimulatorOptions
    let account: String
    let clientId: String
    let clientSecret: String
    let username: String
    let password: String
    let world: Mutex<World>
    let tokens: TokenStore
    let sessions: SessionStore
    let faults: FaultInjector
    let log = RequestLog()
    /// Bodies received by the `/_sim/sink` listener.
    let sink = Mutex<[String]>([])

    init(options: SimulatorOptions) {
        self.options = options
        let derived = options.credentials
        // Leading zero on purpose: clients must treat the account as a string.
        account = derived?.account ?? "0\(Identifiers.digits(options.seed % 1_000_000_000, width: 9))-00001"
        clientId = derived?.clientId ?? "sim-client-\(options.seed)"
        clientSecret = derived?.clientSecret ?? "sim-secret-\(options.seed)"
        username = derived?.username ?? "sim-user"
        password = derived?.password ?? "sim-password-\(options.seed)"
        world = Mutex(World(settings: WorldSettings(
            seed: options.seed, deviceCount: options.deviceCount, accountName: account,
            clockStart: options.clockStart, clockRate: options.clockRate,
            campaign: CampaignModel(options), licensedShare: options.licensedShare,
            mrcOnly: options.mrcOnly, strictKeys: options.strictKeys,
            wallClock: options.wallClock
        )))
        tokens = TokenStore(clientId: clientId, clientSecret: clientSecret, ttl: options.tokenTTL, clock: options.wallClock)
        sessions = SessionStore(username: username, password: password, idle: options.sessionIdle, clock: options.wallClock)
        faults = FaultInjector(rate: options.faultRate, seed: options.seed)
    }

    func credentials(port: Int) -> SimulatorCredentials {
        let host = options.host.contains(":") ? "[\(options.host)]" : options.host
        return SimulatorCredentials(
            endpoint: "http://\(host):\(port)", account: account, clientId: clientId,
            clientSecret: clientSecret, username: username, password: password
        )
    }

    /// Runs `body` on the world under the lock; the result is encoded by the caller, outside the lock.
    func withWorld<Result: Sendable>(_ body: (inout World) throws -> Result) throws -> Result {
        try world.withLock { world in try body(&world) }
    }
}

extension Duration {
    var wholeSeconds: Int64 { components.seconds }
}
