import Foundation
@testable import FotaLua
import LuaHost
import Testing

@Suite("idempotent device changes: unchanged is not a failure")
struct IdempotentChangeTests {
    @Test("re-running an append reports every device unchanged, with no failure")
    func appendTwice() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 4)
        let more = Array(campaign.devices.dropFirst())
        let (result, _) = try await sim.run("""
            \(schedule(campaign, devices: [campaign.devices[0]]))
            local first = fota.append(up.id, \(luaList(more)))
            print(#first.succeeded, #first.unchanged, #first.failed)
            local again = fota.append(up.id, \(luaList(more)))
            print(#again.succeeded, #again.unchanged, #again.failed, #again.warnings)
            for _, d in ipairs(again.devices) do print(d.deviceId, d.outcome, d.status, d.reason) end
            print(#fota.upgrade(up.id).deviceList)
            """)
        #expect(result.finished, "\(result.outcome)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "3\t0\t0")
        #expect(lines[1] == "0\t3\t0\t0")
        #expect(Array(lines[2...4]) == more.map { "\($0)\tunchanged\tUnchanged\tDevice already in upgrade" })
        #expect(lines.last == "4")
        let outcome = try #require(try sim.journal().last { $0["call"] as? String == "append" && $0["phase"] as? String == "outcome" })
        #expect(outcome["succeeded"] as? Int == 0 && outcome["unchanged"] as? Int == 3 && outcome["failed"] as? Int == 0)
    }

    @Test("removing devices that are not in the upgrade reports them unchanged")
    func removeAbsent() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 3)
        let (result, _) = try await sim.run("""
            \(schedule(campaign, devices: [campaign.devices[0]]))
            local r = fota.remove(up.id, {"\(campaign.devices[1])", "\(campaign.devices[2])"})
            print(#r.succeeded, #r.unchanged, #r.failed, r.devices[1].outcome, r.devices[1].reason)
            """)
        #expect(result.finished, "\(result.outcome)")
        #expect(result.output == "0\t2\t0\tunchanged\tDevice not in upgrade\n")
    }

    @Test("a device held by another upgrade is added to this one, not reported unchanged (only the same upgrade counts)")
    func otherUpgradeIsNotUnchanged() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 3)
        let (result, _) = try await sim.run("""
            \(schedule(campaign, devices: [campaign.devices[0], campaign.devices[1]]))
            local other = fota.schedule{firmwareName = "\(campaign.firmwareName)", firmwareTo = "\(campaign.firmwareTo)",
              startDate = "2026-03-11", devices = {"\(campaign.devices[2])"}}
            local r = fota.append(other.id, {"\(campaign.devices[1])"})
            print(#r.succeeded, #r.unchanged, r.devices[1].status)
            """)
        #expect(result.finished, "\(result.outcome)")
        #expect(result.output == "1\t0\tAddDeviceSucceed\n")
    }
}
