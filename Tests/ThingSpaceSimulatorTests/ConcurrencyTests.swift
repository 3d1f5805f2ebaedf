import Foundation
import Testing
@testable import ThingSpaceSimulator

@Suite("Concurrent modification")
struct ConcurrencyTests {
    @Test func parallelAppendAndRemoveBatchesLoseAndDuplicateNothing() async throws {
        try await Sim.with(Sim.options(devices: 5000)) { sim in
            let auth = try await sim.authenticate()
            let (id, seed, _) = try await sim.scheduleValid(auth, count: 1)
            let all = try await sim.devices(auth).compactMap { $0["deviceId"] as? String }.filter { $0 != seed[0] }
            let batches = stride(from: 0, to: 4000, by: 100).map { Array(all[$0..<min($0 + 100, all.count)]) }
            let path = "/upgrades/\(sim.account)/upgrade/\(id)"
            // Append every batch in parallel, then remove every other batch in parallel with re-appending the rest.
            try await withThrowingTaskGroup(of: Int.self) { group in
                for batch in batches {
                    group.addTask { try await sim.fota(.PUT, path, auth, json: #"{"type":"append","deviceList":\#(jsonList(batch))}"#).status }
                }
                for try await status in group { #expect(status == 200) }
            }
            let removed = batches.enumerated().filter { $0.offset % 2 == 0 }.flatMap(\.element)
            try await withThrowingTaskGroup(of: [String].self) { group in
                for (index, batch) in batches.enumerated() {
                    let type = index % 2 == 0 ? "remove" : "append"
                    group.addTask {
                        let reply = try await sim.fota(.PUT, path, auth, json: #"{"type":"\#(type)","deviceList":\#(jsonList(batch))}"#)
                        let results = try reply.object["deviceList"] as? [[String: Any]] ?? []
                        return results.compactMap { $0["status"] as? String }
                    }
                }
                var statuses: [String] = []
                for try await batch in group { statuses += batch }
                #expect(statuses.filter { $0 == "RemoveDeviceSucceed" }.count == removed.count)
                #expect(statuses.filter { $0 == "AddDeviceFailed" }.count == 4000 - removed.count)
            }
            let listed = try #require(try await sim.details(auth, id)["deviceList"] as? [[String: Any]]).compactMap { $0["deviceId"] as? String }
            let expected = Set(all.prefix(4000)).subtracting(removed).union(seed)
            #expect(listed.count == expected.count)
            #expect(Set(listed) == expected)
        }
    }

    @Test func parallelSchedulesGetDistinctIds() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let candidates = try #require(try await sim.schedulable(auth).first)
            // Only Sendable strings cross into the child tasks.
            let firmwareName = candidates.image["firmwareName"] as? String ?? ""
            let toVersion = candidates.image["toVersion"] as? String ?? ""
            let ids = try await withThrowingTaskGroup(of: String?.self) { group in
                for index in 0..<16 {
                    let device = candidates.devices[index % candidates.devices.count]
                    group.addTask {
                        let image: [String: Any] = ["firmwareName": firmwareName, "toVersion": toVersion]
                        return try await sim.schedule(auth, image: image, devices: [device]).object["id"] as? String
                    }
                }
                var ids: [String] = []
                for try await id in group { if let id { ids.append(id) } }
                return ids
            }
            #expect(ids.count == 16)
            #expect(Set(ids).count == 16)
        }
    }
}
