import AsyncHTTPClient
import Foundation
import Testing
@testable import ThingSpace

@Suite struct AuthTests {
    let account = StubServer.account
    static let subscriptionPath = "/api/fota/v1/subscriptions/\(StubServer.account)"
    static let subscription: @Sendable (RecordedRequest) async -> StubReply? = { request in
        request.path == subscriptionPath ? .ok(#"{"accountName":"x","licenseCount":1}"#) : nil
    }
    let tokenPath = "/api/ts/v1/oauth2/token"
    let loginPath = "/api/m2m/v1/session/login"

    @Test func tokenRequestUsesBasicAuthAndFormBody() async throws {
        try await withStub(fallback: Self.subscription) { server, client in
            _ = try await client.subscription(account: account)
            let request = try #require(await server.requests("POST", tokenPath).first)
            let basic = "Basic " + Data("stub-client-id:stub-client-SECRET-0xC0FFEE".utf8).base64EncodedString()
            #expect(request.header("authorization") == basic)
            #expect(request.header("content-type") == "application/x-www-form-urlencoded")
            #expect(request.body == "grant_type=client_credentials")
        }
    }

    @Test func loginSendsBearerAndJSONCredentials() async throws {
        try await withStub(fallback: Self.subscription) { server, client in
            _ = try await client.subscription(account: account)
            let request = try #require(await server.requests("POST", loginPath).first)
            #expect(request.header("authorization") == "Bearer token-1-SECRETTOKEN")
            #expect(request.header("content-type") == "application/json")
            let body = try #require(jsonObject(request.body))
            #expect(body["username"] as? String == "stub-user" && body["password"] as? String == "stub-PASSWORD-hunter2!")
        }
    }

    @Test func tokenAndSessionAreCachedAcrossCalls() async throws {
        try await withStub(fallback: Self.subscription) { server, client in
            for _ in 0..<5 { _ = try await client.subscription(account: account) }
            #expect(await server.count("POST", tokenPath) == 1)
            #expect(await server.count("POST", loginPath) == 1)
        }
    }

    @Test func concurrentCallersShareOneTokenFetchAndOneLogin() async throws {
        try await withStub(latency: .milliseconds(50), fallback: Self.subscription) { server, client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 { group.addTask { _ = try await client.subscription(account: account) } }
                try await group.waitForAll()
            }
            #expect(await server.count("POST", tokenPath) == 1)
            #expect(await server.count("POST", loginPath) == 1)
            #expect(await server.count("GET", Self.subscriptionPath) == 8)
        }
    }

    @Test func gatewayFault900901FetchesNewTokenOnceAndRetries() async throws {
        try await withStub(fallback: Self.subscription) { server, client in
            _ = try await client.subscription(account: account)
            await server.state.expireToken()
            _ = try await client.subscription(account: account)
            #expect(await server.count("POST", tokenPath) == 2)
            #expect(await server.count("GET", Self.subscriptionPath) == 3)
            #expect(await server.requests("GET", Self.subscriptionPath).last?.header("authorization") == "Bearer token-2-SECRETTOKEN")
        }
    }

    @Test func persistentGatewayFaultIsReportedAfterOneRefresh() async throws {
        try await withStub { server, client in
            await server.enqueue("GET", Self.subscriptionPath, .tokenFault, .tokenFault, .tokenFault)
            let error = await thingSpaceError { _ = try await client.subscription(account: account) }
            guard case .gatewayAuth(let fault) = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(fault.code == "900901" && fault.httpStatus == 401)
            #expect(await server.count("GET", Self.subscriptionPath) == 2)
            #expect(await server.count("POST", tokenPath) == 2, "one token fetch, one refetch after the fault, no more")
        }
    }

    @Test func sessionExpiredLogsInAgainOnceAndRetries() async throws {
        try await withStub(fallback: Self.subscription) { server, client in
            _ = try await client.subscription(account: account)
            await server.state.expireSession()
            _ = try await client.subscription(account: account)
            #expect(await server.count("POST", loginPath) == 2)
            #expect(await server.requests("GET", Self.subscriptionPath).last?.header("vz-m2m-token") == "session-2-SECRETSESSION")
        }
    }

    @Test func sessionExpiredTwiceInARowIsReportedNotLooped() async throws {
        try await withStub { server, client in
            await server.enqueue("GET", Self.subscriptionPath, .sessionExpired, .sessionExpired, .sessionExpired)
            let error = await thingSpaceError { _ = try await client.subscription(account: account) }
            guard case .api(let api) = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(api.isSessionExpired)
            #expect(await server.count("POST", loginPath) == 2)
            #expect(await server.count("GET", Self.subscriptionPath) == 2)
        }
    }

    @Test func rejectedLoginIsNeverRetriedAndSaysWhy() async throws {
        try await withStub(configure: { $0.credentials.password = "wrong-password" }, fallback: Self.subscription) { server, client in
            let error = await thingSpaceError { _ = try await client.subscription(account: account) }
            guard case .loginRejected(let rejected) = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(rejected.stage == .session && rejected.principal == "stub-user")
            #expect(error!.description.contains("locks the account after 5 failed logins"))
            // A second call must not try again either.
            _ = await thingSpaceError { _ = try await client.subscription(account: account) }
            #expect(await server.count("POST", loginPath) == 1)
        }
    }

    @Test func rejectedLoginStopsBulkWithoutFurtherLogins() async throws {
        try await withStub(configure: { $0.credentials.password = "wrong-password" }) { server, client in
            let devices = (0..<50).map(Fixtures.imei)
            let result = try await client.addDevices(account: account, upgradeId: Fixtures.upgradeId, devices: devices,
                                                     options: BulkOptions(batchSize: 5, concurrency: 4))
            #expect(result.notSentCount == 50)
            #expect(result.allSatisfy { if case .loginRejected = $0.error { true } else { false } })
            #expect(await server.count("POST", loginPath) == 1)
            #expect(await server.count("PUT", fotaUpgradePath) == 0)
        }
    }

    @Test func loginFailingWith503IsRetriedLikeASafeRequest() async throws {
        try await withStub(fallback: Self.subscription) { server, client in
            await server.enqueue("POST", loginPath, .apiError(503, "SERVICE_UNAVAILABLE", "try later"))
            _ = try await client.subscription(account: account)
            #expect(await server.count("POST", loginPath) == 2)
        }
    }

    @Test func tokenRequestDroppedConnectionIsRetried() async throws {
        try await withStub(fallback: Self.subscription) { server, client in
            await server.enqueue("POST", tokenPath, .drop)
            _ = try await client.subscription(account: account)
            #expect(await server.count("POST", tokenPath) == 2)
        }
    }

    @Test func rejectedClientSecretIsLoginRejectedAtTokenStage() async throws {
        try await withStub(configure: { $0.credentials.clientSecret = "bad-secret" }) { server, client in
            let error = await thingSpaceError { _ = try await client.subscription(account: account) }
            guard case .loginRejected(let rejected) = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(rejected.stage == .accessToken && rejected.errorCode == "invalid_client")
            #expect(await server.count("POST", tokenPath) == 1)
            #expect(await server.count("POST", loginPath) == 0)
        }
    }

    @Test func loginWithRejectedAccessTokenRefetchesTokenNotCountedAsBadPassword() async throws {
        try await withStub(fallback: Self.subscription) { server, client in
            await server.enqueue("POST", loginPath, .tokenFault)
            _ = try await client.subscription(account: account)
            #expect(await server.count("POST", loginPath) == 2)
            #expect(await server.count("POST", tokenPath) == 2, "the refused token was fetched again")
        }
    }

    @Test func shutdownLogsOutTheSession() async throws {
        let server = try await StubServer.start(fallback: Self.subscription)
        let client = ThingSpaceClient(configuration: server.configuration())
        _ = try await client.subscription(account: account)
        await client.shutdown()
        let logout = try #require(await server.requests("POST", "/api/m2m/v1/session/logout").first)
        #expect(logout.header("vz-m2m-token") == "session-1-SECRETSESSION")
        #expect(logout.header("authorization") == "Bearer token-1-SECRETTOKEN")
        await server.stop()
    }

    @Test func clientReleasedWithoutShutdownClosesQuietly() async throws {
        let server = try await StubServer.start(fallback: Self.subscription)
        weak var http: HTTPClient?
        do {
            let client = ThingSpaceClient(configuration: server.configuration())
            _ = try await client.subscription(account: account)
            #expect(client.hasStarted)
            http = client.transport.currentClient
        }
        // The transport's deinit shuts the HTTPClient down; it is released once that has finished,
        // where AsyncHTTPClient would trap had it been released without a shutdown.
        let deadline = ContinuousClock.now + .seconds(30)
        while http != nil && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(http == nil)
        #expect(await server.count("GET", Self.subscriptionPath) == 1)
        await server.stop()
    }

    @Test func clientStartsNothingAndLogsOutNothingWithoutRequests() async throws {
        let server = try await StubServer.start()
        let client = ThingSpaceClient(configuration: server.configuration())
        #expect(!client.hasStarted)
        await client.shutdown()
        #expect(await server.requests().isEmpty)
        await server.stop()
    }
}
