@testable import FotaLua
import Foundation
import Testing

@Suite("dry run as a plan")
struct DryRunPlanTests {
    @Test("later steps see earlier ones: a device a planned schedule took is busy for the next, and free again once removed")
    func stepsSeeEachOther() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 3)
        let (d1, d2, d3) = (campaign.devices[0], campaign.devices[1], campaign.devices[2])
        func schedule(_ devices: [String]) -> String {
            """
            fota.schedule{firmwareName = "\(campaign.firmwareName)", firmwareTo = "\(campaign.firmwareTo)",
              startDate = "2026-03-10", devices = \(luaList(devices))}
            """
        }
        let (result, runtime) = try await sim.run("""
            local a = \(schedule([d1, d2]))
            local b = \(schedule([d2, d3]))
            print(a.id, b.id)
            for _, d in ipairs(b.deviceList) do print(d.deviceId, d.status, d.reason or "-") end
            local r = fota.remove(a.id, {"\(d2)", "\(d3)"})
            print(#r.succeeded, #r.unchanged, r.devices[2].outcome)
            local c = \(schedule([d2]))
            print(c.deviceList[1].status)
            local up = fota.upgrade(a.id)
            print(up.dryRun, up.id == a.id, #up.deviceList, up.deviceList[1].deviceId)
            """, settings: sim.settings(.dryRun))
        #expect(result.output == """
            00000000-0000-0000-0000-000000000001\t00000000-0000-0000-0000-000000000002
            \(d2)\tDevice Rejected\tDevice scheduled for firmware-upgrade previously, it needs to be completed first.
            \(d3)\tRequestPending\t-
            1\t1\tunchanged
            RequestPending
            true\ttrue\t1\t\(d1)

            """, "\(result.outcome)")
        #expect(try await sim.mutatingRequests() == 0)
        let plan = try #require(runtime.dryRunReport)
        #expect(plan.contains("3 upgrades to schedule"), "\(plan)")
        #expect(plan.contains("1 × Device scheduled for firmware-upgrade previously, it needs to be completed first. \(d2)"), "\(plan)")
        #expect(plan.hasSuffix("Plan: 0 to add, 1 to remove, 1 unchanged, 1 would be rejected, 3 to schedule, 0 to cancel."), "\(plan)")
    }

    @Test("repeated dry-run appends to one upgrade read ThingSpace a bounded number of times, not once per call or device")
    func readsOncePerUpgrade() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 4)
        let (scheduled, _) = try await sim.run(schedule(campaign, devices: [campaign.devices[0]]) + "\nprint(up.id)")
        let id = scheduled.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let before = try await sim.control(.GET, "/_sim/requests/counts")["fota"] as? Int ?? -1
        let (result, _) = try await sim.run("""
            for i = 1, 5 do fota.append("\(id)", {"\(campaign.devices[1])", "\(campaign.devices[2])"}) end
            local r = fota.append("\(id)", {"\(campaign.devices[0])", "\(campaign.devices[3])"})
            print(#r.succeeded, #r.unchanged, #r.failed)
            """, settings: sim.settings(.dryRun))
        #expect(result.output == "1\t1\t0\n", "\(result.outcome)")
        let reads = (try await sim.control(.GET, "/_sim/requests/counts")["fota"] as? Int ?? -1) - before
        // the upgrade, the firmware list, the subscription, one device page, three report walks: never one per call
        #expect(reads > 0 && reads <= 8, "\(reads) FOTA reads for 6 appends")
    }
}
