import Foundation
import Testing
@testable import ThingSpace

@Suite struct RetryTests {
    let account = StubServer.account
    static let subscriptionPath = "/api/fota/v1/subscriptions/\(StubServer.account)"
    static let ok: @Sendable (RecordedRequest) async -> StubReply? = { request in
        request.method == "GET" && request.path == subscriptionPath ? .ok(#"{"accountName":"x"}"#) : nil
    }
    let schedulePath = "/api/fota/v1/upgrades"
    let request = UpgradeRequest(accountName: StubServer.account, firmwareName: "FOTA_TEST_1.0", firmwareTo: "1.1",
                                 startDate: "2026-12-01", deviceList: Fixtures.imeis)

    @Test func getIsRetriedAfter500ThenSucceeds() async throws {
        try await withStub(fallback: Self.ok) { server, client in
            await server.enqueue("GET", Self.subscriptionPath, .apiError(500, "REQUEST_FAILED.UnexpectedError", "boom"))
            _ = try await client.subscription(account: account)
            #expect(await server.count("GET", Self.subscriptionPath) == 2)
        }
    }

    @Test func getIsRetriedAfterDroppedConnection() async throws {
        try await withStub(fallback: Self.ok) { server, client in
            await server.enqueue("GET", Self.subscriptionPath, .drop)
            _ = try await client.subscription(account: account)
            #expect(await server.count("GET", Self.subscriptionPath) == 2)
        }
    }

    @Test func getGivesUpAfterMaxAttemptsWith5xxAsAPIError() async throws {
        try await withStub(fallback: { _ in .apiError(502, "BAD_GATEWAY", "upstream") }) { server, client in
            let error = await thingSpaceError { _ = try await client.subscription(account: account) }
            guard case .api(let api) = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(api.httpStatus == 502)
            #expect(await server.count("GET", Self.subscriptionPath) == 3)
        }
    }

    @Test func status400IsNotRetried() async throws {
        try await withStub(fallback: { _ in .apiError(400, "INVALID_PARAMETER", "Invalid account name format") }) { server, client in
            _ = await thingSpaceError { _ = try await client.subscription(account: account) }
            #expect(await server.count("GET", Self.subscriptionPath) == 1)
        }
    }

    @Test func status429HonoursRetryAfter() async throws {
        try await withStub(fallback: Self.ok) { server, client in
            await server.enqueue("GET", Self.subscriptionPath, .json(429, #"{"errorCode":"TOO_MANY","errorMessage":"slow down"}"#, headers: ["Retry-After": "1"]))
            let started = ContinuousClock.now
            _ = try await client.subscription(account: account)
            let elapsed = ContinuousClock.now - started
            #expect(elapsed >= .milliseconds(950), "waited \(elapsed), backoff alone is ≤ 20 ms")
            #expect(await server.count("GET", Self.subscriptionPath) == 2)
        }
    }

    @Test func slowAnswerTimesOutAndIsRetried() async throws {
        // The first answer comes after the timeout, so the call succeeds only by retrying. How many
        // retries that takes is the machine's business: a loaded one can miss the timeout once more,
        // or (seen beside a CPU busy-loop during a full run) with every attempt, and then the call
        // must end as a timeout after its three attempts. Either way the slow answer was retried.
        try await withStub(configure: { $0.timeout = .milliseconds(1500) }, fallback: Self.ok) { server, client in
            await server.enqueue("GET", Self.subscriptionPath, .delayed(.seconds(4), .ok("{}")))
            do {
                _ = try await client.subscription(account: account)
            } catch let error as ThingSpaceError {
                guard case .transport(let failure) = error, failure.kind == .timeout, failure.attempts == 3 else {
                    Issue.record("expected success after a retry, or a timeout after 3 attempts; got \(error)")
                    return
                }
            }
            #expect(await server.count("GET", Self.subscriptionPath) >= 2)
        }
    }

    @Test func timeoutsExhaustingRetriesThrowTransportTimeout() async throws {
        try await withStub(configure: { $0.timeout = .milliseconds(200) }) { server, client in
            await server.enqueue("GET", Self.subscriptionPath, .delayed(.seconds(1), .ok("{}")), .delayed(.seconds(1), .ok("{}")),
                                 .delayed(.seconds(1), .ok("{}")))
            let error = await thingSpaceError { _ = try await client.subscription(account: account) }
            guard case .transport(let failure) = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(failure.kind == .timeout && failure.attempts == 3)
        }
    }

    @Test func connectionRefusedIsTransportConnectError() async throws {
        // Bind a stub to get a free port, then stop it so nothing listens there.
        let server = try await StubServer.start()
        let configuration = server.configuration(retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(1)))
        await server.stop()
        let client = ThingSpaceClient(configuration: configuration)
        let error = await thingSpaceError { _ = try await client.subscription(account: account) }
        guard case .transport(let failure) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(failure.kind == .connect && failure.attempts == 2)
        await client.shutdown()
    }

    // MARK: Scheduling is not blindly retried

    @Test func scheduleIsNotResentAfter400() async throws {
        try await withStub(fallback: { _ in .apiError(400, "INVALID_PARAMETER", "Device list is empty") }) { server, client in
            _ = await thingSpaceError { _ = try await client.scheduleUpgrade(request) }
            #expect(await server.count("POST", schedulePath) == 1)
        }
    }

    @Test func scheduleAfter500ReadsBackAndReturnsTheCreatedUpgrade() async throws {
        let pending = "/api/fota/v1/reports/\(StubServer.account)/status/RequestPending/index/0"
        try await withStub(fallback: { request in
            request.path == pending
                ? .ok(#"{"hasMoreFlag":false,"lastSeenUpgradeId":0,"reportList":[\#(Fixtures.upgradeJSON(devices: Fixtures.imeis.reversed()))]}"#)
                : nil
        }) { server, client in
            await server.enqueue("POST", schedulePath, .apiError(500, "REQUEST_FAILED.UnexpectedError", "oops"))
            let upgrade = try await client.scheduleUpgrade(request)
            #expect(upgrade.id == Fixtures.upgradeId)
            #expect(await server.count("POST", schedulePath) == 1, "found by read-back, so not sent again")
            #expect(await server.count("GET", pending) == 1)
        }
    }

    @Test func scheduleAfterDropReadsBackAndResendsWhenNotCreated() async throws {
        try await withStub(fallback: { request in
            if request.path.contains("/reports/") {
                // A different upgrade (other devices) must not be mistaken for ours.
                return .ok(#"{"hasMoreFlag":false,"lastSeenUpgradeId":0,"reportList":[\#(Fixtures.upgradeJSON(id: "00000000-0000-4000-8000-000000000000", devices: [Fixtures.imeis[0]]))]}"#)
            }
            return request.path == "/api/fota/v1/upgrades" ? .ok(Fixtures.upgradeJSON()) : nil
        }) { server, client in
            await server.enqueue("POST", schedulePath, .drop)
            let upgrade = try await client.scheduleUpgrade(request)
            #expect(upgrade.id == Fixtures.upgradeId)
            #expect(await server.count("POST", schedulePath) == 2)
            let reads = await server.requests("GET").map(\.path).filter { $0.contains("/reports/") }
            #expect(reads.contains { $0.contains("/status/RequestPending/") } && reads.contains { $0.contains("/status/Queued/") })
        }
    }

    @Test func scheduleTimeoutWithFailingReadBackReportsUnknownOutcome() async throws {
        // The read-back must be answered within the timeout, also on a loaded machine.
        try await withStub(configure: { $0.timeout = .milliseconds(1500) }, fallback: { request in
            request.path.contains("/reports/") ? .apiError(400, "INVALID_PARAMETER", "nope") : nil
        }) { server, client in
            await server.enqueue("POST", schedulePath, .delayed(.seconds(4), .ok(Fixtures.upgradeJSON())))
            let error = await thingSpaceError { _ = try await client.scheduleUpgrade(request) }
            guard case .scheduleOutcomeUnknown(let unknown) = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(unknown.scheduleFailure.contains("timed out"))
            #expect(error!.description.contains("RequestPending and Queued"))
            #expect(await server.count("POST", schedulePath) == 1)
        }
    }

    @Test func scheduleRetriesConnectFailureAnd429WithoutReadBack() async throws {
        try await withStub(fallback: { request in
            request.path == "/api/fota/v1/upgrades" ? .ok(Fixtures.upgradeJSON()) : nil
        }) { server, client in
            await server.enqueue("POST", schedulePath, .json(429, "{}", headers: ["Retry-After": "0"]))
            _ = try await client.scheduleUpgrade(request)
            #expect(await server.count("POST", schedulePath) == 2)
            #expect(await server.requests("GET").filter { $0.path.contains("/reports/") }.isEmpty)
        }
    }

    @Test func scheduleGivesUpWhenReadBackKeepsConfirmingNothingWasCreated() async throws {
        try await withStub(fallback: { request in
            request.path.contains("/reports/") ? .ok(#"{"hasMoreFlag":false,"lastSeenUpgradeId":0,"reportList":[]}"#)
                : request.method == "POST" && request.path == "/api/fota/v1/upgrades" ? .apiError(503, "UNAVAILABLE", "down") : nil
        }) { server, client in
            let error = await thingSpaceError { _ = try await client.scheduleUpgrade(request) }
            guard case .api(let api) = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(api.httpStatus == 503)
            #expect(await server.count("POST", schedulePath) == 3)
        }
    }

    @Test func backoffGrowsExponentiallyWithBoundedJitter() {
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(100), maxDelay: .milliseconds(350))
        for _ in 0..<50 {
            let first = policy.backoff(retry: 1)
            let second = policy.backoff(retry: 2)
            let capped = policy.backoff(retry: 6)
            #expect(first >= .milliseconds(50) && first <= .milliseconds(100))
            #expect(second >= .milliseconds(100) && second <= .milliseconds(200))
            #expect(capped >= .milliseconds(175) && capped <= .milliseconds(350))
        }
    }

    @Test func retryAfterAcceptsSecondsAndHTTPDate() {
        let policy = RetryPolicy(maxRetryAfter: .seconds(60))
        #expect(policy.retryAfterDelay("3", now: 0) == .seconds(3))
        #expect(policy.retryAfterDelay("3600", now: 0) == .seconds(60))
        // 1994-11-06T08:49:37Z = 784111777
        #expect(policy.retryAfterDelay("Sun, 06 Nov 1994 08:49:37 GMT", now: 784_111_770) == .seconds(7))
        #expect(policy.retryAfterDelay("soon", now: 0) == nil)
    }
}
