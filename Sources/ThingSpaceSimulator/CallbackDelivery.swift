import AsyncHTTPClient
import Foundation
import NIOCore
import ServiceLifecycle

/// POSTs queued callback messages to their listeners, in order, and records each answer's status in the
/// outbox. Runs as a service next to the HTTP server; polling keeps campaign code free of I/O.
struct CallbackDelivery: Service {
    let core: SimulatorCore

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var next = 0
            while !Task.isCancelled {
                let pending = core.world.withLock { world in Array(world.outbox.dropFirst(next)) }
                for message in pending {
                    let status = await Self.post(message, timeout: core.options.callbackTimeout)
                    core.world.withLock { world in
                        if next < world.outbox.count { world.outbox[next].deliveryStatus = status }
                    }
                    next += 1
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// The listener's HTTP status, or 0 when it could not be reached within `timeout` (a refused
    /// connection is retried until then).
    static func post(_ message: CallbackMessage, timeout: Duration) async -> Int {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        guard let body = try? encoder.encode(message.envelope) else { return 0 }
        var request = HTTPClientRequest(url: message.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: TimeAmount(timeout))
            _ = try? await response.body.collect(upTo: 1024 * 1024)
            return Int(response.status.code)
        } catch {
            return 0
        }
    }
}
