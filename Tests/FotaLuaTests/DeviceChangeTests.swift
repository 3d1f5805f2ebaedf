import Foundation
@testable import FotaLua
import LuaHost
import Testing

/// Lua that schedules the campaign for `devices` as `up`.
func schedule(_ campaign: (firmwareName: String, firmwareTo: String, devices: [String]), devices: [String]) -> String {
    """
    local up = fota.schedule{firmwareName = "\(campaign.firmwareName)", firmwareTo = "\(campaign.firmwareTo)",
      startDate = "2026-03-10", devices = \(luaList(devices))}
    """
}

@Suite("fota.append and fota.remove")
struct DeviceChangeTests {
    @Test("append adds devices and returns one entry per input device, in input order")
    func appendInOrder() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 6)
        let first = Array(campaign.devices.prefix(2))
        let more = Array(campaign.devices.suffix(4))
        let (result, _) = try await sim.run("""
            \(schedule(campaign, devices: first))
            local r = fota.append(up.id, \(luaList(more.reversed() + ["990000862471854"])))
            print(r.id == up.id, r.accountName, #r.devices, #r.succeeded, #r.failed)
            for i, d in ipairs(r.devices) do print(i, d.deviceId, d.status, d.reason) end
            local details = fota.upgrade(up.id)
            print("now", #details.deviceList)
            """)
        #expect(result.finished, "\(result.outcome)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "true\t\(sim.account)\t5\t5\t0")
        let order = lines.dropFirst().prefix(5).map { $0.split(separator: "\t")[1] }
        #expect(order == (more.reversed() + ["990000862471854"]).map { Substring($0) })
        #expect(lines.contains { $0.contains("AddDeviceSucceed\tDevice added Successfully") })
        #expect(lines.last == "now\t7")
    }

    @Test("a remove of one device in the upgrade and one not in it: one succeeded, one unchanged, none failed")
    func mixedOutcome() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 3)
        let (result, _) = try await sim.run("""
            \(schedule(campaign, devices: [campaign.devices[0], campaign.devices[2]]))
            local r = fota.remove(up.id, {"\(campaign.devices[0])", "\(campaign.devices[1])"})
            print(#r.succeeded, #r.unchanged, #r.failed, r.unchanged[1])
            print(r.devices[1].status, r.devices[2].status)
            """)
        #expect(result.finished, "\(result.outcome)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "1\t1\t0\t\(campaign.devices[1])")
        #expect(lines.last == "RemoveDeviceSucceed\tUnchanged")
    }

    @Test("a repeated device is sent once and reported at each position")
    func duplicates() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 2)
        let (result, _) = try await sim.run("""
            \(schedule(campaign, devices: [campaign.devices[0]]))
            local r = fota.append(up.id, {"\(campaign.devices[1])", "\(campaign.devices[1])"})
            print(#r.devices, r.devices[2].status, #r.warnings, #r.succeeded)
            """)
        #expect(result.output == "2\tDuplicate\t1\t1\n", "\(result.outcome)")
    }

    @Test("the journal gets an intent line before and an outcome line after each change, without secrets")
    func journal() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 3)
        let (result, runtime) = try await sim.run("""
            \(schedule(campaign, devices: [campaign.devices[0]]))
            fota.append(up.id, {"\(campaign.devices[1])", "\(campaign.devices[2])"})
            fota.cancel(up.id)
            """)
        #expect(result.finished, "\(result.outcome)")
        let records = try sim.journal()
        #expect(records.map { "\($0["call"]!)/\($0["phase"]!)" } == [
            "schedule/intent", "schedule/outcome", "append/intent", "append/batchIntent", "append/batchOutcome", "append/outcome",
            "cancel/intent", "cancel/outcome",
        ])
        #expect(records.allSatisfy { $0["runId"] as? String == runtime.runId && $0["dryRun"] as? Bool == false })
        #expect(records.map { $0["change"] as? Int } == [1, 1, 2, 2, 2, 2, 3, 3])
        #expect(records[2]["deviceCount"] as? Int == 2)
        #expect((records[3]["devices"] as? [String]) == [campaign.devices[1], campaign.devices[2]])
        #expect(records[4]["succeeded"] as? Int == 2 && (records[4]["others"] as? [Any])?.isEmpty == true)
        #expect(records[5]["succeeded"] as? Int == 2 && records[5]["failed"] as? Int == 0)
        let text = try String(contentsOfFile: sim.journalPath, encoding: .utf8)
        let c = sim.server.credentials
        for secret in [c.clientSecret, c.password] { #expect(!text.contains(secret)) }
    }

    @Test("a dry run sends nothing, returns what a real call would, marked dryRun, and plans it")
    func dryRun() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 3)
        let (result, runtime) = try await sim.run("""
            \(schedule(campaign, devices: [campaign.devices[0]]))
            print(up.dryRun, up.status, #up.deviceList)
            local r = fota.append(up.id, {"\(campaign.devices[1])", "\(campaign.devices[2])"})
            print(r.dryRun, #r.succeeded, r.devices[1].status)
            local c = fota.cancel(up.id)
            print(c.dryRun, c.success)
            print(#fota.firmware() > 0)
            """, settings: sim.settings(.dryRun))
        #expect(result.output == "true\tRequestPending\t1\ntrue\t2\tAddDeviceSucceed\ntrue\ttrue\ntrue\n", "\(result.outcome)")
        #expect(try await sim.mutatingRequests() == 0)
        let plan = try #require(runtime.dryRunReport)
        #expect(plan.contains("nothing was sent"))
        #expect(plan.contains("add 2 devices: \(campaign.devices[1]), \(campaign.devices[2])"))
        #expect(plan.contains("1 upgrade to schedule"))
        #expect(plan.contains("1 upgrade to cancel"))
        #expect(try sim.journal().allSatisfy { $0["dryRun"] as? Bool == true })
    }

    @Test("read-only mode refuses every change, naming the call, and still reads")
    func readOnly() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let (result, _) = try await sim.run("""
            print(#fota.firmware() > 0)
            for _, call in ipairs{"append", "remove", "cancel"} do
              local devices = call ~= "cancel" and "990000862471854" or nil
              local ok, e = pcall(fota[call], "00000000-0000-4000-8000-000000000000", devices)
              print(call, ok, e.code, tostring(e))
            end
            local ok, e = pcall(fota.schedule, {firmwareName = "x", firmwareTo = "y", startDate = "2026-03-10", devices = {"990000862471854"}})
            print("schedule", ok, e.code)
            """, settings: sim.settings(.readOnly))
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "true")
        #expect(lines[1] == "append\tfalse\tREAD_ONLY\tfota.append: READ_ONLY: fota.append changes ThingSpace and this run is read-only")
        #expect(lines[2].hasPrefix("remove\tfalse\tREAD_ONLY"))
        #expect(lines[3].hasPrefix("cancel\tfalse\tREAD_ONLY"))
        #expect(lines[4] == "schedule\tfalse\tREAD_ONLY")
        #expect(try await sim.mutatingRequests() == 0)
        #expect(try sim.journal().isEmpty)
    }
}
