import Foundation
@testable import FotaLua
import LuaHost
import Testing

/// Lua calling fota.rollout for the campaign's devices; `extra` adds fields; prints the report as JSON and alreadyDone.
private func rollout(_ campaign: (firmwareName: String, firmwareTo: String, devices: [String]), waves: String = "{1, 0.4, 1.0}",
                     extra: String = "", name: String = "r1") -> String {
    """
    local report, done = fota.rollout{name = "\(name)", firmwareName = "\(campaign.firmwareName)", firmwareTo = "\(campaign.firmwareTo)",
      devices = \(luaList(campaign.devices)), waves = \(waves), soak = 3600\(extra.isEmpty ? "" : ", " + extra)}
    print(json.encode(report))
    print(done)
    """
}

private func report(_ output: String) throws -> [String: Any] {
    let line = try #require(output.split(separator: "\n").first)
    return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
}

@Suite("fota.rollout")
struct RolloutTests {
    @Test("waves by count and share, one keyed upgrade each, every device in one wave; a re-run does nothing")
    func finishesOnceAndOnlyOnce() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 10)
        let folder = sim.folder + "/state"
        let (first, _) = try await sim.run(rollout(campaign), state: CampaignState(folder: folder))
        #expect(first.finished, "\(first.outcome)")
        let done = try report(first.output)
        #expect(done["status"] as? String == "finished")
        let waves = try #require(done["waves"] as? [[String: Any]])
        #expect(waves.map { ($0["devices"] as? [String])?.count } == [1, 3, 6])
        #expect(waves.flatMap { $0["devices"] as? [String] ?? [] } == campaign.devices)
        #expect(waves.allSatisfy { $0["decision"] as? String == "continue" && ($0["stats"] as? [String: Any])?["total"] != nil })
        #expect(first.output.hasSuffix("\nnil\n"))
        let posts = try await sim.mutatingRequests()
        #expect(posts == 3)
        let keys = try sim.journal().filter { $0["phase"] as? String == "intent" }.compactMap { $0["key"] as? String }
        #expect(keys == ["r1/wave-1", "r1/wave-2", "r1/wave-3"])
        #expect(try sim.journal().filter { $0["call"] as? String == "rollout" }.count == 4, "a decision line per gate, and the end")

        // Another device list on the re-run changes nothing: the list was frozen at the first run.
        var other = campaign
        other.devices.removeLast()
        let (again, _) = try await sim.run(rollout(other), state: CampaignState(folder: folder))
        #expect(again.output.hasSuffix("\ntrue\n"), "\(again.outcome)")
        #expect(NSDictionary(dictionary: try report(again.output)) == NSDictionary(dictionary: done))
        #expect(try await sim.mutatingRequests() == posts)
    }

    @Test("a device held by another active upgrade is skipped with the upgrade that holds it")
    func skipsHeldDevices() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 10)
        let (result, _) = try await sim.run("""
            local other = fota.schedule{firmwareName = "\(campaign.firmwareName)", firmwareTo = "\(campaign.firmwareTo)",
              startDate = "2026-04-01", devices = {"\(campaign.devices[2])"}}
            \(rollout(campaign))
            print(other.id)
            """)
        #expect(result.finished, "\(result.outcome)")
        let other = try #require(result.output.split(separator: "\n").last.map(String.init))
        let waves = try #require(try report(result.output)["waves"] as? [[String: Any]])
        let skipped = try #require(waves[1]["skipped"] as? [[String: Any]])
        #expect(skipped.count == 1)
        #expect(skipped.first?["deviceId"] as? String == campaign.devices[2])
        #expect(skipped.first?["reason"] as? String == "held by upgrade \(other)")
        #expect((waves[1]["devices"] as? [String])?.contains(campaign.devices[2]) == false)
    }

    @Test("a gate that says no halts: cancel-pending is final, keep asks the gate again on the next run")
    func gateHalts() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 10)
        let no = #"gate = function(wave, stats) return false, "wave " .. wave.wave .. " of " .. stats.total end"#
        let cancelFolder = sim.folder + "/cancel"
        let (halted, _) = try await sim.run(rollout(campaign, extra: no), state: CampaignState(folder: cancelFolder))
        let report1 = try report(halted.output)
        #expect(report1["status"] as? String == "halted", "\(halted.outcome)")
        let waves = try #require(report1["waves"] as? [[String: Any]])
        #expect(waves.count == 1 && waves[0]["decision"] as? String == "halt" && waves[0]["reason"] as? String == "wave 1 of 1")
        let yes = "gate = function() return true end"
        let (final, _) = try await sim.run(rollout(campaign, extra: yes + #", onHalt = "cancel-pending""#),
                                           state: CampaignState(folder: cancelFolder))
        #expect(final.output.hasSuffix("\ntrue\n"), "a halt with cancel-pending is final: \(final.outcome)")
        #expect(try await sim.mutatingRequests() == 1)

        let keepFolder = sim.folder + "/keep"
        let (kept, _) = try await sim.run(rollout(campaign, extra: no + #", onHalt = "keep""#, name: "r2"), state: CampaignState(folder: keepFolder))
        #expect(try report(kept.output)["status"] as? String == "halted")
        let (resumed, _) = try await sim.run(rollout(campaign, extra: yes + #", onHalt = "keep""#, name: "r2"), state: CampaignState(folder: keepFolder))
        #expect(try report(resumed.output)["status"] as? String == "finished", "\(resumed.outcome)")
        #expect(try await sim.mutatingRequests() == 1 + 3, "the kept rollout's first wave is not scheduled again")
        let keys = try sim.journal().filter { $0["phase"] as? String == "intent" }.compactMap { $0["key"] as? String }
        #expect(keys == ["r1/wave-1", "r2/wave-1", "r2/wave-2", "r2/wave-3"])
    }

    @Test("a dry run plans the first wave and schedules nothing")
    func dryRun() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 10)
        let (result, runtime) = try await sim.run(rollout(campaign), settings: sim.settings(.dryRun),
                                                  state: CampaignState(folder: sim.folder + "/state"))
        #expect(try report(result.output)["status"] as? String == "dry-run", "\(result.outcome)")
        #expect(runtime.dryRunReport?.contains("schedule") == true)
        #expect(try await sim.mutatingRequests() == 0)
        #expect(!FileManager.default.fileExists(atPath: sim.folder + "/state/r1.json"))
    }

    @Test("bad fields are refused, naming the field")
    func badArguments() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 4)
        let cases: [(String, String)] = [
            ("waves = {0.5}", "waves cover 2 of the 4 devices"),
            ("waves = {1.0}, onHalt = \"stop\"", "field 'onHalt' must be"),
            ("waves = {0}", "waves[1] is a count of devices and must be at least 1"),
            ("waves = {1.0}, soak = -1", "field 'soak'"),
            ("waves = {1.0}, colour = 1", "unknown field 'colour'"),
        ]
        for (fields, expected) in cases {
            let (result, _) = try await sim.run("""
                local ok, err = pcall(fota.rollout, {name = "x", firmwareName = "f", firmwareTo = "t",
                  devices = \(luaList(campaign.devices)), \(fields)})
                print(ok, err)
                """)
            #expect(result.output.hasPrefix("false") && result.output.contains(expected), "\(fields): \(result.output)")
        }
        #expect(try await sim.mutatingRequests() == 0)
    }
}
