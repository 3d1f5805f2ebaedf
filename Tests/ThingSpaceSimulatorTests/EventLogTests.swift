import Testing
@testable import ThingSpaceSimulator

/// The event log stores events compactly; what `/_sim/events` reads back must be exactly what was
/// recorded, in order, with contiguous sequence numbers, per-upgrade filtering, pages and trimming.
@Suite("Event log")
struct EventLogTests {
    private struct Recorded: Equatable {
        var seq: Int64, at: Int64, upgradeId: String, imei: UInt64?, status: String, reason: String?
        init(_ event: SimEvent) {
            (seq, at, upgradeId, imei, status, reason) = (event.seq, event.at, event.upgradeId, event.imei, event.status, event.reason)
        }
        init(seq: Int64, at: Int64, upgradeId: String, imei: UInt64?, status: String, reason: String?) {
            (self.seq, self.at, self.upgradeId, self.imei, self.status, self.reason) = (seq, at, upgradeId, imei, status, reason)
        }
    }

    @Test func readsBackWhatWasRecordedAgainstAModel() {
        for capacity in [7, 1_000] {
            var log = EventLog(capacity: capacity)
            var model: [Recorded] = []
            var random = SeededGenerator(seed: UInt64(capacity))
            let upgrades = ["6a1e2f9c-0000-4000-8000-000000000001", "6a1e2f9c-0000-4000-8000-000000000002", "u", ""]
            let statuses = ["RequestPending", "Device Accepted", "UpgradeFailed", "Cancelled", ""]
            let reasons: [String?] = [nil, nil, "Device not found", "forced é", ""]
            for seq in Int64(1)...300 {
                let upgrade = upgrades[Int(random.below(UInt64(upgrades.count)))]
                // A fresh copy of the id as well as the same one, as requests make them.
                let id = random.below(2) == 0 ? upgrade : String(Array(upgrade))
                let imei: UInt64? = random.below(4) == 0 ? nil : [0, 1, 999_999_999_999_999, random.below(1_000_000_000_000_000)][Int(random.below(4))]
                let status = statuses[Int(random.below(UInt64(statuses.count)))]
                let reason = reasons[Int(random.below(UInt64(reasons.count)))]
                let at = Int64(random.below(10_000)) - 5
                log.record(at: at, upgradeId: id, imei: imei, status: status, reason: reason)
                model.append(Recorded(seq: seq, at: at, upgradeId: upgrade, imei: imei, status: status, reason: reason))
                #expect(log.nextSeq == seq + 1)
            }
            let all = log.after(0, upgrade: nil, limit: 10_000).events.map(Recorded.init)
            #expect(all.count >= min(capacity, 300) && all.count <= 300)
            #expect(all == Array(model.suffix(all.count)))
            for since in [Int64(0), 150, 297, 300, 400] {
                for upgrade in [nil, upgrades[0], "u", "", "absent"] {
                    for limit in [1, 2, 10_000] {
                        let expected = all.filter { $0.seq > since && (upgrade == nil || $0.upgradeId == upgrade) }
                        let (events, more) = log.after(since, upgrade: upgrade, limit: limit)
                        #expect(events.map(Recorded.init) == Array(expected.prefix(limit)))
                        #expect(more == (expected.count > limit))
                    }
                }
            }
        }
    }
}
