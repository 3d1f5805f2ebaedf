import NIOConcurrencyHelpers

/// A cached credential (access token or session token) with one shared in-flight fetch:
/// concurrent callers that find no valid credential all wait for the same request, so a burst
/// of 4 bulk batches logs in once, not 4 times.
actor CredentialCache {
    struct Credential: Sendable {
        var value: String
        /// Considered stale after this instant (fetched again proactively).
        var expiresAt: ContinuousClock.Instant
    }

    typealias Fetch = @Sendable () async throws -> Credential

    private let fetch: Fetch
    /// For sliding lifetimes (the M2M session expires after 20 minutes idle): each use extends it.
    private nonisolated let slidingLifetime: Duration?
    private var cached: Credential? {
        didSet { snapshot.withLockedValue { $0 = cached } }
    }
    /// Copy of `cached` readable without hopping onto the actor: every request needs both
    /// credentials, and two actor hops per request were measurable in bulk changes.
    private nonisolated let snapshot = NIOLockedValueBox<Credential?>(nil)
    private var inFlight: Task<Credential, any Error>?
    /// A refused login is remembered so that no further attempt is made (account lockout guard).
    private var rejection: ThingSpaceError?
    private(set) var fetchCount = 0

    init(slidingLifetime: Duration? = nil, fetch: @escaping Fetch) {
        self.fetch = fetch
        self.slidingLifetime = slidingLifetime
    }

    /// The cached credential if it is still valid, without suspending; nil otherwise.
    nonisolated func currentIfValid() -> String? {
        let now = ContinuousClock.now
        return snapshot.withLockedValue { credential -> String? in
            guard let value = credential, now < value.expiresAt else { return nil }
            if let slidingLifetime { credential?.expiresAt = now + slidingLifetime }
            return value.value
        }
    }

    /// The current credential, fetching one if needed.
    func current() async throws -> String {
        if let value = currentIfValid() { return value }
        if let rejection { throw rejection }
        let now = ContinuousClock.now
        if let cached, now < cached.expiresAt {
            if let slidingLifetime { self.cached?.expiresAt = now + slidingLifetime }
            return cached.value
        }
        if let inFlight {
            return try await inFlight.value.value
        }
        fetchCount += 1
        let task = Task { try await fetch() }
        inFlight = task
        do {
            let credential = try await task.value
            cached = credential
            inFlight = nil
            return credential.value
        } catch {
            inFlight = nil
            if let error = error as? ThingSpaceError, case .loginRejected = error { rejection = error }
            throw error
        }
    }

    /// Drop `value` if it is still the cached one (a request reported it expired). Comparing
    /// values stops several failing requests from discarding a credential another one just fetched.
    func invalidate(_ value: String) {
        if cached?.value == value { cached = nil }
    }

    /// The cached value, if any, without fetching.
    func peek() -> String? { cached?.value }

    func clear() { cached = nil }
}
