import Foundation
import Testing
@testable import ThingSpaceSimulator

@Suite("Public API")
struct ServerTests {
    @Test func portZeroBindsAFreePortReportedInCredentials() async throws {
        try await Sim.with { sim in
            #expect(sim.server.port > 0)
            #expect(sim.credentials.endpoint == "http://127.0.0.1:\(sim.server.port)")
        }
    }

    @Test func credentialsEncodeWithDocumentedKeys() throws {
        let credentials = SimulatorCredentials(endpoint: "http://127.0.0.1:1", account: "0000000001-00001", clientId: "c", clientSecret: "s", username: "u", password: "p")
        let object = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(credentials)) as? [String: Any]
        #expect(Set(object?.keys.map { $0 } ?? []) == ["endpoint", "account", "clientId", "clientSecret", "username", "password"])
    }

    @Test func sameSeedGivesSameAccountAndCredentials() async throws {
        let options = Sim.options { $0.seed = 77 }
        var first: SimulatorCredentials?
        try await Sim.with(options) { first = $0.credentials }
        try await Sim.with(options) { sim in
            #expect(sim.credentials.account == first?.account)
            #expect(sim.credentials.clientSecret == first?.clientSecret)
        }
    }

    @Test func invalidOptionsAreRejectedWithMessages() async {
        var options = SimulatorOptions()
        options.deviceCount = -1
        options.faultRate = 1.5
        options.port = 70000
        #expect(options.problems.count == 3)
        await #expect(throws: SimulatorError.self) { _ = try await SimulatorServer.start(options) }
    }

    @Test func busyPortFailsStartInsteadOfHanging() async throws {
        try await Sim.with { sim in
            var options = SimulatorOptions()
            options.port = sim.server.port
            await #expect(throws: (any Error).self) { _ = try await SimulatorServer.start(options) }
        }
    }

    @Test func stoppedServerRefusesConnections() async throws {
        let server = try await SimulatorServer.start(Sim.options())
        let sim = Sim(server: server)
        #expect(try await sim.control(.GET, "/clock").status == 200)
        await server.stop()
        // AsyncHTTPClient keeps retrying a refused connection until the deadline, so keep it short.
        await #expect(throws: (any Error).self) { _ = try await sim.send(.GET, "/_sim/clock", timeout: .seconds(1)) }
    }

    @Test func lowercaseDeviceListIsAcceptedUnlessKeysAreStrict() async throws {
        for strict in [false, true] {
            try await Sim.with(Sim.options { $0.strictKeys = strict }) { sim in
                let auth = try await sim.authenticate()
                let candidates = try #require(try await sim.schedulable(auth).first)
                let body = #"{"accountName":"\#(sim.account)","firmwareName":"\#(candidates.image["firmwareName"] as? String ?? "")","firmwareTo":"\#(candidates.image["toVersion"] as? String ?? "")","startDate":"2026-03-10","devicelist":\#(jsonList([candidates.devices[0]]))}"#
                let reply = try await sim.fota(.POST, "/upgrades", auth, json: body)
                #expect(reply.status == (strict ? 400 : 200))
                if strict { #expect(reply.errorMessage == "Device list is empty") }
            }
        }
    }

    @Test func sameSeedGivesSameUpgradeIds() async throws {
        var ids: [String] = []
        for _ in 0..<2 {
            try await Sim.with(Sim.options { $0.seed = 5 }) { sim in
                let auth = try await sim.authenticate()
                ids.append(try await sim.scheduleValid(auth, count: 1).id)
            }
        }
        #expect(ids.count == 2)
        #expect(ids[0] == ids[1])
    }
}
