import Foundation
import Logging
import Testing
@testable import ThingSpace

/// Starts a stub, runs `body` with a client pointed at it, then shuts both down.
func withStub<T>(
    latency: Duration = .zero,
    configure: (inout ClientConfiguration) -> Void = { _ in },
    logger: Logger? = nil,
    fallback: @escaping @Sendable (RecordedRequest) async -> StubReply? = { _ in nil },
    _ body: (StubServer, ThingSpaceClient) async throws -> T
) async throws -> T {
    let server = try await StubServer.start(latency: latency, fallback: fallback)
    var configuration = server.configuration()
    configure(&configuration)
    let client = ThingSpaceClient(configuration: configuration, logger: logger ?? Logger(label: "test"))
    do {
        let result = try await body(server, client)
        await client.shutdown()
        await server.stop()
        return result
    } catch {
        await client.shutdown()
        await server.stop()
        throw error
    }
}

/// The `ThingSpaceError` thrown by `body`, or a test failure.
func thingSpaceError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> ThingSpaceError? {
    do {
        try await body()
        Issue.record("expected a ThingSpaceError", sourceLocation: sourceLocation)
        return nil
    } catch let error as ThingSpaceError {
        return error
    } catch {
        Issue.record("expected a ThingSpaceError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

func jsonObject(_ text: String) -> [String: Any]? {
    try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
}

let fotaUpgradePath = "/api/fota/v1/upgrades/\(StubServer.account)/upgrade/\(Fixtures.upgradeId)"
