import Foundation
import Testing
@testable import ThingSpace

/// Attacks and faults from the hardening review, one test each, named after it.
@Suite struct HardeningTests {
    let account = StubServer.account
    let secrets = [StubServer.credentials.clientSecret, StubServer.credentials.password]

    func configurationError(_ body: () throws -> Void) -> ConfigurationError? {
        do {
            try body()
        } catch let error as ThingSpaceError {
            if case .configuration(let bad) = error { return bad }
        } catch {}
        Issue.record("expected a configuration error")
        return nil
    }

    // MARK: Configuration files

    @Test("a credentials file with CRLF line endings never quotes a secret")
    func crlfCredentialsFile() throws {
        let folder = try ConfigFolder()
        defer { folder.remove() }
        // Read as one line before: the error quoted it, secret and password included.
        try folder.write("credentials", "[default]\r\nclient_id = id\r\nclient_secret = S3cr3t-value\r\npassword = P4ss-word\r\nbogus line\r\n")
        let error = configurationError {
            _ = try ClientConfiguration.resolve(flags: ConfigurationFlags(), environment: [:], configDirectory: folder.path)
        }
        let text = error.map { ThingSpaceError.configuration($0).description } ?? ""
        #expect(error?.line == 5 && error?.file == folder.path + "/credentials", "\(text)")
        #expect(!text.contains("S3cr3t-value") && !text.contains("P4ss-word") && !text.contains("bogus"))
    }

    @Test("a CRLF credentials file is read line by line")
    func crlfCredentialsFileWorks() throws {
        let folder = try ConfigFolder()
        defer { folder.remove() }
        try folder.write("credentials", "[default]\r\nclient_id = id\r\nclient_secret = S3cr3t-value\r\nusername = u\r\npassword = P4ss-word\r\n")
        let configuration = try ClientConfiguration.resolve(flags: ConfigurationFlags(), environment: [:], configDirectory: folder.path)
        #expect(configuration.credentials.clientSecret == "S3cr3t-value" && configuration.credentials.password == "P4ss-word")
    }

    @Test("a credentials file starting with a byte order mark is read, not called malformed")
    func bomCredentialsFile() throws {
        let folder = try ConfigFolder()
        defer { folder.remove() }
        try folder.write("credentials", "\u{FEFF}[default]\r\nclient_id = id\r\nclient_secret = s3cret\r\nusername = u\r\npassword = pw-1234\r\n")
        let configuration = try ClientConfiguration.resolve(flags: ConfigurationFlags(), environment: [:], configDirectory: folder.path)
        #expect(configuration.credentials.clientId == "id" && configuration.credentials.username == "u")
    }

    @Test("a secret typed where a key belongs is not quoted in the error")
    func secretInKeyPosition() throws {
        let folder = try ConfigFolder()
        defer { folder.remove() }
        try folder.write("credentials", "[default]\nclient_id = id\nhunter2!S3CRET = x\n")
        let error = configurationError {
            _ = try ClientConfiguration.resolve(flags: ConfigurationFlags(), environment: [:], configDirectory: folder.path)
        }
        #expect(error?.line == 3)
        #expect(error?.message.contains("hunter2") == false, "\(String(describing: error))")
    }

    // MARK: Redaction

    @Test("an endpoint echoing the Basic header in an XML gateway fault leaks no secret")
    func echoedBasicHeaderInXMLFault() async throws {
        let basic = "Basic " + Data("\(StubServer.credentials.clientId):\(StubServer.credentials.clientSecret)".utf8).base64EncodedString()
        try await withStub { server, client in
            let xml = "<am:fault xmlns:am=\"x\"><am:code>900902</am:code><am:message>got \(basic) and \(StubServer.credentials.clientSecret)</am:message></am:fault>"
            await server.enqueue("POST", "/api/ts/v1/oauth2/token", .json(401, xml))
            let error = await thingSpaceError { _ = try await client.subscription(account: account) }
            let text = error?.description ?? ""
            #expect(text.contains("<redacted>"), "\(text)")
            #expect(!text.contains(basic.dropFirst(6)))
            for secret in secrets { #expect(!text.contains(secret)) }
        }
    }

    @Test("a secret across the 200-character cut of an error body does not survive in part")
    func secretAcrossTheCut() async throws {
        let password = StubServer.credentials.password
        let padding = String(repeating: "x", count: 195)
        try await withStub(fallback: { request in
            request.path.contains("/subscriptions/") ? .json(400, padding + password + " and more text") : nil
        }) { _, client in
            let error = await thingSpaceError { _ = try await client.subscription(account: account) }
            let text = error?.description ?? ""
            #expect(!text.contains(String(password.prefix(5))), "\(text)")
        }
    }

    @Test("a URL-encoded or JSON-escaped secret in an error is scrubbed")
    func encodedSecretsAreScrubbed() async throws {
        let password = StubServer.credentials.password  // contains "!", which URL-encoding changes
        let encoded = password.replacingOccurrences(of: "!", with: "%21")
        try await withStub(fallback: { request in
            request.path.contains("/subscriptions/") ? .apiError(400, "BAD", "body was password=\(encoded)") : nil
        }) { _, client in
            let error = await thingSpaceError { _ = try await client.subscription(account: account) }
            let text = error?.description ?? ""
            #expect(!text.contains(encoded) && text.contains("<redacted>"), "\(text)")
        }
    }

    // MARK: Bulk changes

    @Test("one throttled batch (four 429 answers) is reported per device and the other batches go on")
    func throttledBatchDoesNotStopTheOthers() async throws {
        let devices = (0..<100).map(Fixtures.imei)
        let throttled = StubReply.json(
            429, #"{"fault":{"code":"900800","message":"Message throttled out","description":"rate limit"}}"#)
        try await withStub(configure: { $0.retry = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(2), maxDelay: .milliseconds(5)) },
                           fallback: BulkTests.changes()) { server, client in
            await server.enqueue("PUT", fotaUpgradePath, throttled, throttled, throttled, throttled)
            let result = try await client.addDevices(account: account, upgradeId: Fixtures.upgradeId, devices: devices,
                                                     options: BulkOptions(batchSize: 25, concurrency: 1))
            #expect(result.notSentCount == 25 && result.succeededCount == 75)
            #expect(result[0..<25].allSatisfy { $0.kind == .notSent })
            #expect(result.refusal == nil)
        }
    }

    @Test("a whole-call refusal (unknown upgrade) stops the batches and is set as the refusal")
    func wholeCallRefusal() async throws {
        try await withStub(fallback: { request in
            request.method == "PUT" ? .apiError(400, "REQUEST_FAILED.InvalidUpgradeId", "Invalid upgradeId") : nil
        }) { server, client in
            let result = try await client.addDevices(account: account, upgradeId: Fixtures.upgradeId, devices: (0..<30).map(Fixtures.imei),
                                                     options: BulkOptions(batchSize: 10, concurrency: 1))
            guard case .api(let api) = result.refusal else { Issue.record("no refusal: \(String(describing: result.refusal))"); return }
            #expect(api.httpStatus == 400 && result.notSentCount == 30)
            #expect(await server.count("PUT", fotaUpgradePath) == 1, "the other batches would get the same refusal")
        }
    }

    // MARK: Auth

    @Test("gateway fault 900903 (access token expired) fetches a new token and retries")
    func expiredTokenFault900903() async throws {
        try await withStub(fallback: AuthTests.subscription) { server, client in
            _ = try await client.subscription(account: account)
            await server.enqueue("GET", AuthTests.subscriptionPath, .json(
                401, #"{"fault":{"code":"900903","message":"Access Token Expired","description":"expired"}}"#))
            _ = try await client.subscription(account: account)
            #expect(await server.count("POST", "/api/ts/v1/oauth2/token") == 2)
            #expect(await server.count("GET", AuthTests.subscriptionPath) == 3)
        }
    }

    // MARK: Answers

    @Test("a DELETE answered with {} is an unexpected answer, not a silent false")
    func deleteAnsweredWithEmptyObject() async throws {
        try await withStub(fallback: { request in request.method == "DELETE" ? .ok("{}") : nil }) { _, client in
            let error = await thingSpaceError { _ = try await client.cancelUpgrade(account: account, upgradeId: Fixtures.upgradeId) }
            guard case .unexpectedResponse(let bad) = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(bad.method == "DELETE" && bad.detail.contains("success"))
        }
    }

    @Test("a device cursor sent as a JSON integer keeps the IMEI's leading zero")
    func leadingZeroCursor() throws {
        let page = try JSONDecoder().decode(
            DeviceListPage.self, from: Data(#"{"hasMoreData":true,"lastSeenDeviceId":13417000123456,"deviceList":[]}"#.utf8))
        #expect(page.lastSeenDeviceId == "013417000123456")
        let end = try JSONDecoder().decode(DeviceListPage.self, from: Data(#"{"hasMoreData":false,"lastSeenDeviceId":0,"deviceList":[]}"#.utf8))
        #expect(end.lastSeenDeviceId == "0")
    }

    @Test("a connection error message has balanced parentheses")
    func connectionErrorParentheses() async throws {
        let server = try await StubServer.start()
        let configuration = server.configuration(retry: RetryPolicy(maxAttempts: 1))
        await server.stop()
        let client = ThingSpaceClient(configuration: configuration)
        let error = await thingSpaceError { _ = try await client.subscription(account: account) }
        let text = error?.description ?? ""
        #expect(text.filter { $0 == "(" }.count == text.filter { $0 == ")" }.count, "\(text)")
        #expect(text.contains("could not connect"), "\(text)")
        await client.shutdown()
    }

    // MARK: Paging

    @Test("a page walk stops on a cursor that repeats an earlier one")
    func repeatedCursorStopsTheWalk() throws {
        var walk = PageWalk(listing: "device list")
        #expect(try walk.nextCursor() == "0")
        walk.accept(hasMore: true, next: "111111111111111")
        #expect(try walk.nextCursor() == "111111111111111")
        walk.accept(hasMore: true, next: "222222222222222")
        _ = try walk.nextCursor()
        walk.accept(hasMore: true, next: "111111111111111")
        #expect(throws: ThingSpaceError.self) { _ = try walk.nextCursor() }
        #expect(try walk.nextCursor() == nil)
    }
}

/// Faults against the simulator.
@Suite struct LostAnswerTests {
    func fault(_ sim: SimulatorHarness, remaining: Int) async throws {
        try await sim.control(.POST, "faults", #"{"method":"PUT","pathPrefix":"/api/fota/v1/upgrades/","remaining":\#(remaining),"dropAnswer":true}"#)
    }

    func extraDevices(_ sim: SimulatorHarness, excluding: [String], count: Int) async throws -> [String] {
        try await Array(sim.client.accountDevicesPage(account: sim.account).deviceList.map(\.deviceId)
            .filter { !excluding.contains($0) }.prefix(count))
    }

    @Test("an append whose answer is lost and whose retry says 'already in upgrade' is reported succeeded")
    func lostAnswerThenRetry() async throws {
        try await withSimulator(devices: 100) { sim in
            let (upgrade, request) = try await sim.schedule()
            let devices = try await extraDevices(sim, excluding: request.deviceList, count: 5)
            try await fault(sim, remaining: 1)
            let result = try await sim.client.addDevices(account: sim.account, upgradeId: upgrade.id, devices: devices)
            #expect(result.allSucceeded, "\(result.map { "\($0.kind) \($0.status ?? "-") \($0.reason ?? "-")" })")
            #expect(result.first?.reason?.contains("read back") == true)
            let held = try await sim.client.upgrade(account: sim.account, upgradeId: upgrade.id).deviceList.map(\.deviceId)
            #expect(Set(devices).isSubset(of: Set(held)))
        }
    }

    @Test("an append whose every answer is lost is reported by what the upgrade holds, not NotSent")
    func everyAnswerLost() async throws {
        try await withSimulator(devices: 100) { sim in
            let (upgrade, request) = try await sim.schedule()
            let devices = try await extraDevices(sim, excluding: request.deviceList, count: 3)
            try await fault(sim, remaining: 3)  // the harness allows 3 attempts
            let result = try await sim.client.addDevices(account: sim.account, upgradeId: upgrade.id, devices: devices)
            #expect(result.allSucceeded && result.notSentCount == 0)
        }
    }

    @Test("a remove whose answer is lost is reported succeeded once the devices are out of the upgrade")
    func lostAnswerOnRemove() async throws {
        try await withSimulator(devices: 100) { sim in
            let (upgrade, request) = try await sim.schedule()
            let devices = try await extraDevices(sim, excluding: request.deviceList, count: 3)
            _ = try await sim.client.addDevices(account: sim.account, upgradeId: upgrade.id, devices: devices)
            try await fault(sim, remaining: 1)
            let result = try await sim.client.removeDevices(account: sim.account, upgradeId: upgrade.id, devices: devices)
            #expect(result.allSucceeded, "\(result.map { "\($0.kind) \($0.reason ?? "-")" })")
        }
    }

    @Test("IMEIs with a leading zero page through the whole fleet")
    func leadingZeroIMEIsPage() async throws {
        // 6,000 devices: the RV55 block (TAC 01390000) holds more than the first page, so page 1
        // ends on an IMEI with a leading zero, which the simulator sends as a JSON integer.
        try await withSimulator(devices: 6_000) { sim in
            let first = try await sim.client.accountDevicesPage(account: sim.account)
            #expect(first.lastSeenDeviceId.hasPrefix("0") && first.lastSeenDeviceId.count == 15)
            let devices = try await sim.client.accountDevices(account: sim.account).collect()
            #expect(devices.count == 6_000 && Set(devices.map(\.deviceId)).count == 6_000)
        }
    }
}
