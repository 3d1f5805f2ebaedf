import Testing
@testable import ThingSpaceSimulator

/// A campaign's device bookkeeping (insertion order, positions, states and counts through tombstones
/// compacted in bulk, failures kept per device) against a plain model, through enough removals to
/// compact many times.
@Suite("Campaign device bookkeeping")
struct UpgradeRecordTests {
    private static func record() throws -> UpgradeRecord {
        let image = try #require(Catalogue.firmware.first)
        return UpgradeRecord(id: "u", sequence: 1, accountName: "a", firmware: image, firmwareTo: image.toVersion,
                             startDate: "2026-03-10", endDate: nil, startAt: 0, endAt: 1)
    }

    @Test func orderAndEntriesMatchAModelThroughManyCompactions() throws {
        var upgrade = try Self.record()
        var model: [UInt64] = []  // devices in the order they were added
        var random = SeededGenerator(seed: 42)
        var validateAt: [UInt64: Int64] = [:]
        var states: [UInt64: DeviceState] = [:]  // devices no longer pending
        for round in 0..<40 {
            // Grow by a batch (some already present), then remove a large share (compaction needs over 1,024 tombstones).
            for _ in 0..<1_500 {
                let imei = random.below(20_000)
                let at = Int64(round)
                let added = upgrade.add(imei, validateAt: at)
                #expect(added == (validateAt[imei] == nil))
                if added {
                    model.append(imei)
                    validateAt[imei] = at
                }
            }
            // Move some devices on (their state must follow them through compactions).
            for imei in model where random.below(10) == 0 {
                let next: DeviceState = random.below(2) == 0 ? .inProgress : .accepted
                upgrade.setState(imei, next)
                states[imei] = next
            }
            let share = random.below(90)
            for imei in model where random.below(100) < share {
                let entry = upgrade.remove(imei)
                #expect(entry?.validateAt == validateAt[imei] && entry?.state == states[imei] ?? .pending)
                validateAt[imei] = nil
                states[imei] = nil
            }
            let absent = upgrade.remove(20_001)
            #expect(absent == nil)
            model = model.filter { validateAt[$0] != nil }
            let kept = Array(upgrade.devicesInOrder)
            #expect(kept.map(\.0) == model)
            #expect(kept.allSatisfy { $0.1.validateAt == validateAt[$0.0] && $0.1.state == states[$0.0] ?? .pending })
            #expect(model.allSatisfy { upgrade.entry($0)?.validateAt == validateAt[$0] && upgrade.contains($0) })
            #expect(upgrade.entry(20_001) == nil && !upgrade.contains(20_001))
            #expect(Array(upgrade.allEntries).map(\.validateAt) == model.map { validateAt[$0]! })
            let running = states.values.filter { $0 == .inProgress }.count
            #expect(upgrade.deviceCount == model.count && upgrade.runningCount == running)
            #expect(upgrade.pendingCount == model.count - states.count)
        }
    }

    /// Forced and drawn failures belong to one device and stay with it in the campaign; a copy of the
    /// campaign keeps its own.
    @Test func failuresStayWithTheirDeviceAndCopy() throws {
        var upgrade = try Self.record()
        for imei: UInt64 in 1...3 { _ = upgrade.add(imei, validateAt: 0) }
        let forced = upgrade.forceFailure(2, reason: "forced")
        let absent = upgrade.forceFailure(9, reason: "forced")
        #expect(forced && !absent)
        let before = upgrade
        upgrade.planOutcomes([(imei: 1, at: 5, failure: "drawn"), (imei: 2, at: 6, failure: nil), (imei: 3, at: 7, failure: "late")])
        let entries = Dictionary(uniqueKeysWithValues: Array(upgrade.devicesInOrder))
        #expect(entries[1]?.forcedFailure == nil && entries[1]?.drawnFailure == "drawn")
        #expect(entries[2]?.forcedFailure == "forced" && entries[2]?.drawnFailure == nil)
        #expect(entries[3]?.forcedFailure == nil && entries[3]?.drawnFailure == "late")
        let earlier = Dictionary(uniqueKeysWithValues: Array(before.devicesInOrder))
        #expect(earlier[1]?.drawnFailure == nil && earlier[2]?.forcedFailure == "forced" && earlier[3]?.drawnFailure == nil)
        // A device removed and added again starts without failures.
        _ = upgrade.remove(2)
        let readded = upgrade.add(2, validateAt: 0)
        #expect(readded)
        let again = Dictionary(uniqueKeysWithValues: Array(upgrade.devicesInOrder))
        #expect(again[2]?.forcedFailure == nil && again[2]?.drawnFailure == nil)
        #expect(Array(upgrade.devicesInOrder).map(\.0) == [1, 3, 2])
    }
}
