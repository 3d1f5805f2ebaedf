import Foundation
import Testing
@testable import ThingSpaceSimulator

/// `GET /_sim/next-change` and `GET /_sim/events` (docs/simulator.md, The `/_sim` control API): what `fota.wait`
/// and `--timeline` rely on.
@Suite("Control API: next change and events")
struct ControlTimelineTests {
    /// 2026-03-02T09:00:00Z, the default simulated start.
    static let clockStart: Int64 = 1_772_442_000
    static let march10: Int64 = 1_773_100_800

    func nextChange(_ sim: Sim, _ id: String? = nil) async throws -> (at: Int64?, now: Int64) {
        let reply = try await sim.control(.GET, "/next-change" + (id.map { "?upgrade=\($0)" } ?? ""))
        #expect(reply.status == 200)
        let object = try reply.object
        #expect(object.keys.contains("at"), "at must be present, null when nothing will change")
        return ((object["at"] as? NSNumber)?.int64Value, try #require((object["now"] as? NSNumber)?.int64Value))
    }

    func events(_ sim: Sim, since: Int64, extra: String = "") async throws -> (events: [[String: Any]], next: Int64, more: Bool) {
        let object = try await sim.control(.GET, "/events?since=\(since)" + extra).object
        let list = try #require(object["events"] as? [[String: Any]])
        return (list, try #require((object["next"] as? NSNumber)?.int64Value), try #require(object["more"] as? Bool))
    }

    @Test func nextChangeFollowsValidationStartAndEnd() async throws {
        try await Sim.with { sim in
            #expect(try await nextChange(sim).at == nil)
            let auth = try await sim.authenticate()
            let (id, _, _) = try await sim.scheduleValid(auth, count: 3, startDate: "2026-03-10")
            let first = try await nextChange(sim, id)
            #expect(first.now == Self.clockStart)
            #expect(first.at == Self.clockStart + 120)
            #expect(try await nextChange(sim).at == Self.clockStart + 120)
            _ = try await sim.control(.POST, "/clock/advance", json: #"{"to":"\#(SimTime.rfc3339(first.at!))"}"#)
            #expect(try await sim.status(auth, id) == "Queued")
            #expect(try await nextChange(sim, id).at == Self.march10)
            // Jumping from change to change walks the campaign to its end; then nothing is left to happen.
            var steps = 0
            while let at = try await nextChange(sim, id).at {
                steps += 1
                #expect(steps < 100)
                if steps >= 100 { break }
                _ = try await sim.control(.POST, "/clock/advance", json: #"{"to":"\#(SimTime.rfc3339(at))"}"#)
            }
            let status = try await sim.status(auth, id)
            #expect(status == "Finished" || status == "UpgradeFailed")
            #expect(try await nextChange(sim).at == nil)
        }
    }

    @Test func nextChangeRefusesBadAndUnknownUpgradesButKnowsCancelledOnes() async throws {
        try await Sim.with { sim in
            let bad = try await sim.control(.GET, "/next-change?upgrade=not-a-uuid")
            #expect(bad.status == 400)
            #expect(bad.errorMessage == "Invalid uuid")
            let unknown = try await sim.control(.GET, "/next-change?upgrade=00000000-0000-4000-8000-000000000000")
            #expect(unknown.status == 400)
            #expect(unknown.errorMessage == "Invalid upgradeId")
            let auth = try await sim.authenticate()
            let (id, _, _) = try await sim.scheduleValid(auth, count: 1)
            #expect(try await sim.fota(.DELETE, "/upgrades/\(sim.account)/upgrade/\(id)", auth).status == 200)
            #expect(try await nextChange(sim, id.uppercased()).at == nil)
        }
    }

    @Test func eventsListEveryChangeInOrderWithACursor() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let (id, devices, _) = try await sim.scheduleValid(auth, count: 2, startDate: "2026-03-10")
            let scheduled = try await events(sim, since: 0)
            #expect(scheduled.events.count == 3)
            #expect(scheduled.events.map { $0["seq"] as? Int } == [1, 2, 3])
            #expect(scheduled.next == 3)
            #expect(!scheduled.more)
            let created = scheduled.events[0]
            #expect(created["kind"] as? String == "upgrade")
            #expect(created["upgradeId"] as? String == id)
            #expect(created["status"] as? String == "RequestPending")
            #expect(created["deviceId"] == nil)
            #expect((created["at"] as? NSNumber)?.int64Value == Self.clockStart)
            #expect(created["time"] as? String == "2026-03-02T09:00:00Z")
            #expect(scheduled.events.dropFirst().compactMap { $0["deviceId"] as? String } == devices)
            #expect(try await events(sim, since: 3).events.isEmpty)
            #expect(try await events(sim, since: 3).next == 3)

            try await sim.advance(seconds: 3600)
            let validated = try await events(sim, since: scheduled.next)
            // Two devices accepted, then the campaign queued, all when validation was due, not when the clock was read.
            #expect(validated.events.map { $0["status"] as? String } == ["Device Accepted", "Device Accepted", "Queued"])
            #expect(validated.events.allSatisfy { ($0["at"] as? NSNumber)?.int64Value == Self.clockStart + 120 })
            #expect(validated.events[0]["reason"] as? String == "success")
            #expect(validated.next == 6)

            _ = try await sim.control(.POST, "/clock/advance", json: #"{"to":"2026-04-30"}"#)
            let rest = try await events(sim, since: validated.next)
            let times = rest.events.compactMap { ($0["at"] as? NSNumber)?.int64Value }
            #expect(times == times.sorted())
            #expect(rest.events.first?["status"] as? String == "InProgress")
            #expect((rest.events.first?["at"] as? NSNumber)?.int64Value == Self.march10)
            let last = try #require(rest.events.last)
            #expect(last["kind"] as? String == "upgrade")
            #expect(["Finished", "UpgradeFailed"].contains(last["status"] as? String))
            // Each device: UpgradeInProgress at the start, then exactly one outcome.
            for device in devices {
                let statuses = rest.events.filter { $0["deviceId"] as? String == device }.compactMap { $0["status"] as? String }
                #expect(statuses.count == 2)
                #expect(statuses.first == "UpgradeInProgress")
                #expect(["UpgradeSuccess", "UpgradeFailed"].contains(statuses.last))
            }
        }
    }

    @Test func eventsPageByLimitAndFilterByUpgrade() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let groups = try await sim.schedulable(auth)
            let first = try #require(try await sim.schedule(auth, image: groups[0].image, devices: Array(groups[0].devices.prefix(3))).object["id"] as? String)
            let second = try #require(try await sim.schedule(auth, image: groups[1].image, devices: [groups[1].devices[0]]).object["id"] as? String)
            let page = try await events(sim, since: 0, extra: "&limit=2")
            #expect(page.events.count == 2)
            #expect(page.more)
            #expect(page.next == 2)
            let rest = try await events(sim, since: page.next)
            #expect(rest.events.count == 4)
            #expect(!rest.more)
            let onlySecond = try await events(sim, since: 0, extra: "&upgrade=\(second.uppercased())")
            #expect(onlySecond.events.count == 2)
            #expect(onlySecond.events.allSatisfy { $0["upgradeId"] as? String == second })
            #expect(first != second)
            for query in ["since=-1", "since=abc", "since=0&limit=0", "since=0&limit=10001"] {
                let reply = try await sim.control(.GET, "/events?\(query)")
                #expect(reply.status == 400, "\(query)")
                #expect(reply.errorCode == "INVALID_PARAMETER")
            }
        }
    }

    @Test func eventLogDropsOldestBeyondCapacityAndKeepsCursorsValid() {
        var log = EventLog(capacity: 4)
        for index in 0..<10 { log.record(at: Int64(index), upgradeId: "u", status: "S\(index)") }
        let all = log.after(0, upgrade: nil, limit: 100).events
        #expect(all.count >= 4 && all.count <= 5)
        #expect(all.last?.seq == 10)
        #expect(all.map(\.seq) == Array(all.first!.seq...10))
        #expect(log.after(8, upgrade: nil, limit: 100).events.map(\.seq) == [9, 10])
        #expect(log.after(10, upgrade: nil, limit: 100).events.isEmpty)
    }
}
