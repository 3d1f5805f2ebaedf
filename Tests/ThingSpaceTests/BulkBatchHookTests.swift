import Foundation
import NIOConcurrencyHelpers
import Testing
@testable import ThingSpace

@Suite struct BulkBatchHookTests {
    let account = StubServer.account

    @Test("every sent batch gets a before-hook and an after-hook with its devices' outcomes, before-hook first")
    func hooksPerBatch() async throws {
        let events = NIOLockedValueBox<[String]>([])
        try await withStub(fallback: BulkTests.changes(fail: [Fixtures.imei(3)])) { server, client in
            var options = BulkOptions(batchSize: 4, concurrency: 2)
            options.willSendBatch = { batch in events.withLockedValue { $0.append("send \(batch.index)/\(batch.count) \(batch.deviceIds.count)") } }
            options.didFinishBatch = { report in
                let failed = report.outcomes.filter { $0.kind == .failed }.map(\.deviceId)
                events.withLockedValue { $0.append("done \(report.batch.index) \(report.outcomes.count) failed=\(failed) settled=\(report.settled)") }
            }
            let result = try await client.addDevices(account: account, upgradeId: Fixtures.upgradeId, devices: (0..<10).map(Fixtures.imei),
                                                     options: options)
            #expect(result.failedCount == 1)
            #expect(await server.count("PUT", fotaUpgradePath) == 3)
        }
        let log = events.withLockedValue { $0 }
        #expect(log.filter { $0.hasPrefix("send") }.sorted() == ["send 0/3 4", "send 1/3 4", "send 2/3 2"])
        #expect(log.contains("done 0 4 failed=[\"\(Fixtures.imei(3))\"] settled=true"))
        for batch in 0..<3 {
            let sent = try #require(log.firstIndex { $0.hasPrefix("send \(batch)/") })
            let done = try #require(log.firstIndex { $0.hasPrefix("done \(batch) ") })
            #expect(sent < done)
        }
    }

    @Test("a before-hook that throws keeps its batch and every later one from being sent, and the error is rethrown")
    func throwingHookStops() async throws {
        struct Refused: Error {}
        let finished = NIOLockedValueBox<[Int]>([])
        try await withStub(fallback: BulkTests.changes()) { server, client in
            var options = BulkOptions(batchSize: 2, concurrency: 1)
            options.willSendBatch = { batch in if batch.index == 2 { throw Refused() } }
            options.didFinishBatch = { report in finished.withLockedValue { $0.append(report.batch.index) } }
            await #expect(throws: Refused.self) {
                _ = try await client.addDevices(account: account, upgradeId: Fixtures.upgradeId, devices: (0..<10).map(Fixtures.imei),
                                                options: options)
            }
            #expect(await server.count("PUT", fotaUpgradePath) == 2)
        }
        #expect(finished.withLockedValue { $0 } == [0, 1], "the batches sent before the refusal still report their outcome")
    }

    @Test("only ThingSpace's same-upgrade answers (D8, D10) count as unchanged; any other failure text stays a failure")
    func unchangedClassification() {
        #expect(BulkResultBuilder.isUnchanged(.append, status: "AddDeviceFailed", reason: "Device already in upgrade"))
        #expect(BulkResultBuilder.isUnchanged(.remove, status: "RemoveDeviceFailed", reason: "Device not in upgrade"))
        #expect(!BulkResultBuilder.isUnchanged(.append, status: "AddDeviceFailed", reason: "Device not found"))
        #expect(!BulkResultBuilder.isUnchanged(.remove, status: "AddDeviceFailed", reason: "Device already in upgrade"))
        #expect(!BulkResultBuilder.isUnchanged(.append, status: "AddDeviceFailed", reason: nil))
    }

    @Test("a result of succeeded and unchanged devices counts as all succeeded; a failure does not")
    func unchangedIsFine() async throws {
        try await withStub(fallback: { request in
            guard request.method == "PUT" else { return nil }
            return .ok(#"{"deviceList":[{"deviceId":"\#(Fixtures.imei(0))","status":"AddDeviceSucceed"},{"deviceId":"\#(Fixtures.imei(1))","status":"AddDeviceFailed","Reason":"Device already in upgrade"}]}"#)
        }) { _, client in
            let result = try await client.addDevices(account: account, upgradeId: Fixtures.upgradeId, devices: (0..<2).map(Fixtures.imei))
            #expect(result.succeededCount == 1 && result.unchangedCount == 1 && result.failedCount == 0)
            #expect(result.allSucceeded)
            #expect(result[1].kind == .unchanged && result[1].reason == "Device already in upgrade")
        }
    }
}
