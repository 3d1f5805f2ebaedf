import Foundation
@testable import FotaLua
import LuaHost
import Testing

/// Lua that builds `count` Luhn-valid IMEIs 35xxxxxxxxxxxxC as `devices`.
func luhnDevices(_ count: Int, from start: Int = 1) -> String {
    """
    local devices = {}
    for n = \(start), \(start + count - 1) do
      local body = string.format("35%012d", n)
      local sum = 0
      for i = 1, 14 do
        local d = body:byte(i) - 48
        if i % 2 == 0 then d = d * 2; if d > 9 then d = d - 9 end end
        sum = sum + d
      end
      devices[#devices + 1] = body .. ((10 - sum % 10) % 10)
    end
    """
}

@Suite("the journal per batch")
struct JournalPerBatchTests {
    @Test("a bulk append writes one intent and one outcome line per batch between the call's own lines, listing each device once")
    func perBatchLines() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 6)
        var settings = sim.settings()
        settings.batchSize = 2
        let more = Array(campaign.devices.dropFirst())
        let (result, runtime) = try await sim.run("""
            \(schedule(campaign, devices: [campaign.devices[0]]))
            fota.append(up.id, \(luaList(more)))
            fota.append(up.id, \(luaList(Array(more.prefix(2)))))
            """, settings: settings)
        #expect(result.finished, "\(result.outcome)")
        let lines = try sim.journal().filter { $0["call"] as? String == "append" }
        let first = lines.filter { $0["change"] as? Int == 2 }
        #expect(first.map { $0["phase"] as? String ?? "?" }.first == "intent")
        #expect(first.map { $0["phase"] as? String ?? "?" }.last == "outcome")
        let intent = first[0]
        #expect(intent["devices"] == nil, "the call's intent counts the devices; its batches list them")
        #expect(intent["deviceCount"] as? Int == 5 && intent["batches"] as? Int == 3)
        let batchIntents = first.filter { $0["phase"] as? String == "batchIntent" }
        #expect(batchIntents.compactMap { $0["batch"] as? Int }.sorted() == [1, 2, 3])
        #expect(batchIntents.sorted { ($0["batch"] as? Int ?? 0) < ($1["batch"] as? Int ?? 0) }
            .flatMap { $0["devices"] as? [String] ?? [] } == more)
        let batchOutcomes = first.filter { $0["phase"] as? String == "batchOutcome" }
        #expect(batchOutcomes.count == 3)
        #expect(batchOutcomes.allSatisfy { ($0["others"] as? [Any])?.isEmpty == true && $0["settled"] as? Bool == true })
        #expect(batchOutcomes.compactMap { $0["succeeded"] as? Int }.reduce(0, +) == 5)
        // Each batch's intent comes before its outcome.
        for batch in 1...3 {
            let i = try #require(first.firstIndex { $0["phase"] as? String == "batchIntent" && $0["batch"] as? Int == batch })
            let o = try #require(first.firstIndex { $0["phase"] as? String == "batchOutcome" && $0["batch"] as? Int == batch })
            #expect(i < o)
        }
        #expect(first.last?["succeeded"] as? Int == 5 && first.last?["unchanged"] as? Int == 0)
        // The repeat: one batch, its devices listed once more as unchanged with ThingSpace's reason.
        let again = lines.filter { $0["change"] as? Int == 3 && $0["phase"] as? String == "batchOutcome" }
        let others = try #require(again.first?["others"] as? [[String: Any]])
        #expect(others.count == 1)
        #expect(others.first?["outcome"] as? String == "unchanged" && others.first?["reason"] as? String == "Device already in upgrade")
        #expect(others.first?["devices"] as? [String] == Array(more.prefix(2)))
        #expect(lines.allSatisfy { $0["runId"] as? String == runtime.runId })
    }

    @Test("the journal of a 100,000-device append stays near 20 bytes per device")
    func sizePerDevice() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 1)
        let (result, _) = try await sim.run("""
            \(schedule(campaign, devices: campaign.devices))
            \(luhnDevices(100_000))
            local r = fota.append(up.id, devices)
            print(#r.succeeded, #r.failed)
            """, timeout: 300)
        #expect(result.finished, "\(result.outcome)")
        #expect(result.output == "100000\t0\n")
        let text = try String(contentsOfFile: sim.journalPath, encoding: .utf8)
        let appendBytes = text.split(separator: "\n").filter { $0.contains("\"call\":\"append\"") }.reduce(0) { $0 + $1.utf8.count + 1 }
        let perDevice = Double(appendBytes) / 100_000
        print("journal bytes per device of a 100,000-device append: \(perDevice)")
        #expect(perDevice > 15 && perDevice < 30, "\(perDevice) bytes per device")
    }
}
