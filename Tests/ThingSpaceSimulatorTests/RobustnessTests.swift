import Foundation
import NIOHTTP1
import Testing
@testable import ThingSpaceSimulator

@Suite("Bad input never breaks the simulator")
struct RobustnessTests {
    static let bodies: [Data] = [
        Data(), Data("null".utf8), Data("[]".utf8), Data("{}".utf8), Data("\"text\"".utf8), Data([0, 0xFF, 0xC3, 0x28]),
        Data(#"{"deviceList":"x","type":7,"accountName":[],"startDate":{}}"#.utf8),
        Data(#"{"deviceList":[null,1e309,"\u0000"],"type":"append"}"#.utf8),
        Data(String(repeating: "[", count: 5000).utf8),
        Data(#"{"seconds":1e30,"to":123,"remaining":-1,"status":99999}"#.utf8),
    ]

    @Test func garbageToEveryRouteGetsAClientErrorAndTheServerKeepsServing() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let (id, _, _) = try await sim.scheduleValid(auth, count: 1)
            let account = sim.account
            let fotaRoutes: [(HTTPMethod, String)] = [
                (.POST, "/upgrades"), (.PUT, "/upgrades/\(account)/upgrade/\(id)"),
                (.POST, "/licenses/\(account)/assign"), (.POST, "/licenses/\(account)/remove"),
                (.POST, "/licenses/\(account)/cancel"), (.POST, "/callbacks/\(account)"),
            ]
            for (method, path) in fotaRoutes {
                for body in Self.bodies {
                    let reply = try await sim.fota(method, path, auth, raw: body)
                    #expect(reply.status == 400, "\(method) \(path) with \(body.count) bytes → \(reply.status)")
                    #expect(reply.errorCode != nil)
                }
            }
            for path in ["/clock/advance", "/faults", "/upgrades/\(id)/fail", "/sink"] {
                for body in Self.bodies.dropFirst() {
                    let reply = try await sim.control(.POST, path, json: String(decoding: body, as: UTF8.self))
                    #expect(reply.status < 500, "POST /_sim\(path) → \(reply.status)")
                }
            }
            for form in ["", "%%%", "grant_type=%E0%A4%A", String(repeating: "a=b&", count: 10_000)] {
                #expect(try await sim.requestToken(form: form).status == 400)
            }
            #expect(try await sim.fota(.GET, "/subscriptions/\(account)", auth).status == 200)
        }
    }

    @Test func oddPathParametersAreRefusedCleanly() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let account = sim.account
            let long = String(repeating: "9", count: 5000)
            let paths = [
                "/firmware/\(long)", "/firmware/%00", "/firmware/caf%C3%A9",
                "/devices/\(account)/index/\(long)", "/devices/\(account)/index/-1",
                "/upgrades/\(account)/upgrade/\(long)", "/reports/\(account)/status/Queued/index/\(long)",
                "/reports/\(account)/devices/\(long)", "/licenses/\(account)/cancel/index/\(long)",
                "/licenses/\(account)/index/%20",
            ]
            for path in paths {
                let reply = try await sim.fota(.GET, path, auth)
                #expect(reply.status == 400, "\(path.prefix(60)) → \(reply.status)")
            }
            #expect(try await sim.fota(.GET, "/subscriptions/\(account)", auth).status == 200)
        }
    }
}
