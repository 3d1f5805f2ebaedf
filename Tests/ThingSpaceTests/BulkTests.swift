import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Testing
@testable import ThingSpace

@Suite struct BulkTests {
    let account = StubServer.account

    static func changes(fail: Set<String> = []) -> @Sendable (RecordedRequest) async -> StubReply? {
        { request in request.method == "PUT" && request.path == fotaUpgradePath ? Fixtures.changeReply(for: request.body, fail: fail) : nil }
    }

    @Test func splitsIntoBatchesOfConfiguredSize() async throws {
        try await withStub(fallback: Self.changes()) { server, client in
            let devices = (0..<25).map(Fixtures.imei)
            let result = try await client.addDevices(account: account, upgradeId: Fixtures.upgradeId, devices: devices,
                                                     options: BulkOptions(batchSize: 10, concurrency: 2))
            let sizes = await server.requests("PUT").compactMap { (jsonObject($0.body)?["deviceList"] as? [String])?.count }
            #expect(sizes.sorted() == [5, 10, 10])
            #expect(result.count == 25 && result.allSucceeded)
        }
    }

    @Test func usesConfiguredDefaultsWhenNoOptionsGiven() async throws {
        try await withStub(configure: { $0.batchSize = 4 }, fallback: Self.changes()) { server, client in
            _ = try await client.addDevices(account: account, upgradeId: Fixtures.upgradeId, devices: (0..<9).map(Fixtures.imei))
            #expect(await server.count("PUT", fotaUpgradePath) == 3)
        }
    }

    @Test func concurrencyIsBounded() async throws {
        let inFlight = NIOLockedValueBox((now: 0, peak: 0, started: 0))
        try await withStub(fallback: { request in
            guard request.method == "PUT" else { return nil }
            let order = inFlight.withLockedValue { state -> Int in
                state.now += 1; state.started += 1; state.peak = max(state.peak, state.now)
                return state.started
            }
            // The first three requests wait for each other (observed, not timed: a loaded machine may
            // start them far apart), so three in flight is reached whenever the client allows it.
            if order <= 3 {
                let deadline = ContinuousClock.now + .seconds(20)
                while inFlight.withLockedValue({ $0.started }) < 3 && ContinuousClock.now < deadline {
                    try? await Task.sleep(for: .milliseconds(5))
                }
            }
            try? await Task.sleep(for: .milliseconds(30))
            inFlight.withLockedValue { $0.now -= 1 }
            return Fixtures.changeReply(for: request.body)
        }) { _, client in
            _ = try await client.addDevices(account: account, upgradeId: Fixtures.upgradeId, devices: (0..<40).map(Fixtures.imei),
                                            options: BulkOptions(batchSize: 2, concurrency: 3))
        }
        #expect(inFlight.withLockedValue { $0.peak } == 3)
    }

    @Test func duplicatesAreSentOnceAndReported() async throws {
        try await withStub(fallback: Self.changes()) { server, client in
            let a = Fixtures.imei(1), b = Fixtures.imei(2)
            let result = try await client.addDevices(account: account, upgradeId: Fixtures.upgradeId, devices: [a, b, a, b, a])
            #expect(result.map(\.deviceId) == [a, b])
            #expect(result.map(\.position) == [1, 2])
            #expect(result.duplicates == [
                DuplicateDevice(deviceId: a, position: 3, firstPosition: 1),
                DuplicateDevice(deviceId: b, position: 4, firstPosition: 2),
                DuplicateDevice(deviceId: a, position: 5, firstPosition: 1),
            ])
            let sent = await server.requests("PUT").flatMap { jsonObject($0.body)?["deviceList"] as? [String] ?? [] }
            #expect(sent == [a, b])
        }
    }

    @Test func perDeviceFailuresCarryTheServersReason() async throws {
        let bad = Fixtures.imei(3)
        try await withStub(fallback: Self.changes(fail: [bad])) { _, client in
            let result = try await client.addDevices(account: account, upgradeId: Fixtures.upgradeId, devices: (0..<6).map(Fixtures.imei))
            #expect(result.failedCount == 1 && result.succeededCount == 5)
            let failed = try #require(result.first { $0.kind == .failed })
            #expect(failed.deviceId == bad && failed.status == "AddDeviceFailed" && failed.reason == "Device not found")
        }
    }

    @Test func deviceMissingFromAnswerIsFailedNotDropped() async throws {
        try await withStub(fallback: { request in
            request.method == "PUT" ? .ok(#"{"deviceList":[{"deviceId":"\#(Fixtures.imei(0))","status":"AddDeviceSucceed","Reason":"ok"}]}"#) : nil
        }) { _, client in
            let result = try await client.addDevices(account: account, upgradeId: Fixtures.upgradeId, devices: [Fixtures.imei(0), Fixtures.imei(1)])
            #expect(result.map(\.kind) == [.succeeded, .failed])
            #expect(result[1].reason?.contains("no result") == true)
        }
    }

    @Test func batchFailingAfterRetriesIsNotSentOthersSucceedInInputOrder() async throws {
        let devices = (0..<30).map(Fixtures.imei).reversed().map { $0 }
        let poisoned = devices[10]  // first device of the second batch
        try await withStub(fallback: { request in
            guard request.method == "PUT" else { return nil }
            if request.body.contains(poisoned) { return .apiError(500, "REQUEST_FAILED.UnexpectedError", "batch exploded") }
            return Fixtures.changeReply(for: request.body)
        }) { server, client in
            let result = try await client.addDevices(account: account, upgradeId: Fixtures.upgradeId, devices: devices,
                                                     options: BulkOptions(batchSize: 10, concurrency: 3))
            #expect(result.map(\.deviceId) == devices, "every device once, in input order")
            #expect(result.map(\.position) == Array(1...30))
            #expect(result[0..<10].allSatisfy { $0.kind == .succeeded })
            #expect(result[20..<30].allSatisfy { $0.kind == .succeeded })
            #expect(result[10..<20].allSatisfy { $0.kind == .notSent })
            guard case .api(let api) = result[15].error else { Issue.record("got \(String(describing: result[15].error))"); return }
            #expect(api.httpStatus == 500 && api.errorMessage == "batch exploded")
            #expect(result.notSentCount == 10 && result.errors.count == 1)
            #expect(await server.requests("PUT").filter { $0.body.contains(poisoned) }.count == 3, "retried up to maxAttempts")
        }
    }

    @Test func droppedBatchIsRetriedAndSucceeds() async throws {
        try await withStub(fallback: Self.changes()) { server, client in
            await server.enqueue("PUT", fotaUpgradePath, .drop)
            let result = try await client.addDevices(account: account, upgradeId: Fixtures.upgradeId, devices: (0..<3).map(Fixtures.imei))
            #expect(result.allSucceeded)
            #expect(await server.count("PUT", fotaUpgradePath) == 2)
        }
    }

    @Test func progressReportsEveryBatchUpToTotal() async throws {
        let seen = NIOLockedValueBox<[BulkProgress]>([])
        try await withStub(fallback: Self.changes()) { _, client in
            _ = try await client.addDevices(account: account, upgradeId: Fixtures.upgradeId, devices: (0..<23).map(Fixtures.imei),
                                            options: BulkOptions(batchSize: 5, concurrency: 2, progress: { p in seen.withLockedValue { $0.append(p) } }))
        }
        let progress = seen.withLockedValue { $0 }
        #expect(progress.count == 5)
        #expect(progress.map(\.done) == progress.map(\.done).sorted())
        #expect(progress.last == BulkProgress(done: 23, total: 23))
    }

    @Test func luhnFailureIsAWarningAndTheDeviceIsStillSent() async throws {
        try await withStub(fallback: Self.changes()) { server, client in
            let good = Fixtures.imei(7)
            let offByOne = String(good.dropLast()) + String((Int(String(good.last!))! + 1) % 10)
            let result = try await client.addDevices(account: account, upgradeId: Fixtures.upgradeId, devices: [good, offByOne])
            #expect(result.warnings.map(\.deviceId) == [offByOne])
            #expect(result.warnings.first?.position == 2)
            #expect(result.count == 2 && result.allSucceeded)
            #expect(await server.requests("PUT").first?.body.contains(offByOne) == true)
        }
    }

    @Test func invalidIMEIStopsEverythingBeforeSending() async throws {
        try await withStub(fallback: Self.changes()) { server, client in
            let devices = [Fixtures.imei(1), Fixtures.imei(2), "35000000000001X"]
            let error = await thingSpaceError { _ = try await client.addDevices(account: account, upgradeId: Fixtures.upgradeId, devices: devices) }
            guard case .validation(let invalid) = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(invalid.position == 3 && invalid.value == "35000000000001X")
            #expect(await server.requests().isEmpty)
        }
    }

    @Test func encodedBatchBodyIsCompactJSON() {
        let body = ThingSpaceClient.encodeChange(.append, ["990000862471854", "990000862471862"][...])
        #expect(String(buffer: body) == #"{"type":"append","deviceList":["990000862471854","990000862471862"]}"#)
    }
}
