import AsyncHTTPClient
import Foundation
import Testing
@testable import ThingSpaceSimulator

@Suite("Lost answers and IMEIs with a leading zero")
struct LostAnswerAndLeadingZeroTests {
    @Test("a dropAnswer fault applies the request, then drops its answer")
    func dropAnswerAppliesThenDrops() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let campaign = try await sim.scheduleValid(auth, count: 2)
            let extra = try #require(try await sim.schedulable(auth).first?.devices.dropFirst(2).first)
            _ = try await sim.control(.POST, "/faults", json: #"{"method":"PUT","pathPrefix":"/api/fota/v1/upgrades","remaining":1,"dropAnswer":true}"#)
            await #expect(throws: (any Error).self) {
                _ = try await sim.fota(.PUT, "/upgrades/\(sim.account)/upgrade/\(campaign.id)", auth,
                                       json: #"{"type":"append","deviceList":["\#(extra)"]}"#)
            }
            // The change happened although no answer came.
            let details = try await sim.fota(.GET, "/upgrades/\(sim.account)/upgrade/\(campaign.id)", auth).object
            let held = (details["deviceList"] as? [[String: Any]] ?? []).compactMap { $0["deviceId"] as? String }
            #expect(held.contains(extra))
        }
    }

    @Test("drop and dropAnswer together are refused")
    func dropAndDropAnswerExcludeEachOther() async throws {
        try await Sim.with { sim in
            let reply = try await sim.control(.POST, "/faults", json: #"{"remaining":1,"drop":true,"dropAnswer":true}"#)
            #expect(reply.status == 400)
        }
    }

    @Test("the seeded fleet includes IMEIs with a leading zero, still sorted and Luhn-valid")
    func fleetHasLeadingZeroIMEIs() {
        let fleet = FleetGenerator.generate(seed: 1, count: 1_000, licenseTime: 0, unlicensedPermille: 300)
        let ids = fleet.devices.map { Identifiers.imeiString($0.imei) }
        #expect(ids.contains { $0.hasPrefix("0") })
        #expect(ids.allSatisfy { $0.count == 15 })
        #expect(zip(fleet.devices, fleet.devices.dropFirst()).allSatisfy { $0.imei < $1.imei })
    }

    @Test("a device cursor sent back as an integer (leading zero lost) pages on")
    func integerCursorPagesOn() async throws {
        try await Sim.with(Sim.options(devices: 6_000)) { sim in
            let auth = try await sim.authenticate()
            let first = try await sim.fota(.GET, "/devices/\(sim.account)/index/0", auth).object
            let cursor = try #require(first["lastSeenDeviceId"] as? Int)
            #expect(String(cursor).count < 15, "page 1 ends on an IMEI with a leading zero")
            let second = try await sim.fota(.GET, "/devices/\(sim.account)/index/\(cursor)", auth)
            #expect(second.status == 200)
            let padded = String(repeating: "0", count: 15 - String(cursor).count) + String(cursor)
            let third = try await sim.fota(.GET, "/devices/\(sim.account)/index/\(padded)", auth).object
            let ids = (third["deviceList"] as? [[String: Any]] ?? []).compactMap { $0["deviceId"] as? String }
            #expect(ids.first.map { $0 > padded } == true)
        }
    }
}
