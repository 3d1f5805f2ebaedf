import Foundation
@testable import FotaLua
import LuaHost
import Testing

/// Lua that finds an eligible device without a licence as `free` (and fails the script if none).
let findUnlicensed = """
    local free
    for d in fota.devices() do
      if d.licenseAssigned == false then free = d.deviceId break end
    end
    assert(free, "the simulated fleet has no unlicensed device")
    """

@Suite("Licences, subscription and callbacks in Lua")
struct LicenceAndCallbackTests {
    @Test("assignLicenses licenses a device once (a repeat is a warning, a second assign a per-device failure) and removeLicenses frees it")
    func assignAndRemove() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let (result, _) = try await sim.run("""
            \(findUnlicensed)
            local before = fota.subscription()
            local r = fota.assignLicenses({free, free})
            print(#r.devices, r.devices[1].status, r.devices[1].outcome, #r.succeeded, #r.warnings, r.licenseUsedCount - before.licenseUsedCount)
            local listed = false
            for _, d in ipairs(fota.licenses().devices) do if d.deviceId == free then listed = d.assignmentTime ~= nil end end
            print("listed", listed)
            local again = fota.assignLicenses(free)
            print(again.devices[1].status, again.devices[1].reason, #again.failed)
            local rm = fota.removeLicenses(free)
            print(rm.devices[1].status, rm.licenseUsedCount == before.licenseUsedCount)
            """)
        #expect(result.finished, "\(result.outcome)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines == [
            "1\tLicenseAssignSuccess\tsucceeded\t1\t1\t1",
            "listed\ttrue",
            "LicenseAssignFailed\tLicense already assigned to device\t1",
            "LicenseRemoveSuccess\ttrue",
        ])
        let records = try sim.journal()
        #expect(records.filter { $0["call"] as? String == "assignLicenses" }.map { $0["phase"] as? String } == ["intent", "outcome", "intent", "outcome"])
        #expect(records.contains { $0["call"] as? String == "removeLicenses" && $0["phase"] as? String == "outcome" && $0["outcome"] != nil })
    }

    @Test("fota.subscription and fota.licenses report the account's counts, which agree")
    func subscriptionAndStatus() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let (result, _) = try await sim.run("""
            local s, l = fota.subscription(), fota.licenses()
            local licensed = 0
            for d in fota.devices() do if d.licenseAssigned then licensed = licensed + 1 end end
            print(s.accountName == fota.account, s.purchaseType ~= nil, s.licenseCount == l.totalLicenses,
                  s.licenseUsedCount == l.assignedLicenses, #l.devices == licensed, licensed > 0)
            """)
        #expect(result.finished, "\(result.outcome)")
        #expect(result.output == "true\ttrue\ttrue\ttrue\ttrue\ttrue\n")
    }

    @Test("the list of licences to remove is replaced, appended to, read back and emptied")
    func licencesToRemove() async throws {
        let sim = try await SimulatedAccount.start(devices: 50)
        defer { Task { await sim.stop() } }
        let (result, _) = try await sim.run("""
            local ids = {}
            for d in fota.devices() do ids[#ids + 1] = d.deviceId end
            print(fota.setLicensesToRemove({ids[1], ids[2]}).count)
            print(fota.setLicensesToRemove(ids[3], {append = true}).count)
            local list = fota.licensesToRemove()
            print(list.count, list.devices[3] == ids[3], list.updateTime ~= nil)
            print(fota.setLicensesToRemove(ids[4]).count)
            print(fota.clearLicensesToRemove().success, fota.licensesToRemove().count)
            """)
        #expect(result.finished, "\(result.outcome)")
        #expect(result.output == "2\n3\n3\ttrue\ttrue\n1\ntrue\t0\n")
    }

    @Test("licence changes are refused in read-only mode and planned, not sent, in a dry run")
    func modes() async throws {
        let sim = try await SimulatedAccount.start(devices: 50)
        defer { Task { await sim.stop() } }
        let script = """
            \(findUnlicensed)
            for _, f in ipairs{
              function() return fota.assignLicenses(free) end, function() return fota.removeLicenses(free) end,
              function() return fota.setLicensesToRemove(free) end, function() return fota.clearLicensesToRemove() end,
              function() return fota.registerCallback{url = "https://listener.example/hook"} end,
              function() return fota.deleteCallback() end,
            } do
              local ok, e = pcall(f)
              print(ok, ok and tostring(e.dryRun) or e.code)
            end
            """
        let (readOnly, _) = try await sim.run(script, settings: sim.settings(.readOnly))
        #expect(readOnly.finished, "\(readOnly.outcome)")
        #expect(readOnly.output == String(repeating: "false\tREAD_ONLY\n", count: 6))
        let (dryRun, runtime) = try await sim.run(script, settings: sim.settings(.dryRun))
        #expect(dryRun.finished, "\(dryRun.outcome)")
        #expect(dryRun.output == String(repeating: "true\ttrue\n", count: 6))
        #expect(try await sim.mutatingRequests() == 0)
        let plan = try #require(runtime.dryRunReport)
        #expect(plan.contains("6 account changes:"))
        #expect(plan.contains("assign licences of 1 device"))
        #expect(plan.contains("register the callback listener https://listener.example/hook"))
    }

    @Test("a callback is registered, listed without its secrets, and deleted; no secret reaches the journal")
    func callbacks() async throws {
        let sim = try await SimulatedAccount.start(devices: 20)
        defer { Task { await sim.stop() } }
        let (result, _) = try await sim.run("""
            print(#fota.callbacks())
            local r = fota.registerCallback{url = "https://hook-user:url-s3cret@listener.example/fota?token=q-s3cret",
                                            username = "listener", password = "pw-s3cret"}
            print(r.serviceName)
            local c = fota.callbacks()[1]
            print(c.name, c.url, c.username, c.hasPassword)
            print(fota.deleteCallback().success, #fota.callbacks())
            """)
        #expect(result.finished, "\(result.outcome)")
        #expect(result.output == "0\nFota\nFota\thttps://listener.example/fota\tlistener\ttrue\ntrue\t0\n")
        let journal = try String(contentsOfFile: sim.journalPath, encoding: .utf8)
        #expect(journal.contains("registerCallback") && journal.contains("deleteCallback"))
        #expect(journal.contains("https://listener.example/fota"))
        #expect(!journal.contains("s3cret"), "the journal holds a secret: \(journal)")
    }

    @Test("fota.devices and fota.devicesPage with clientType list only devices of that client type")
    func clientTypeFilter() async throws {
        let sim = try await SimulatedAccount.start(devices: 200)
        defer { Task { await sim.stop() } }
        let (result, _) = try await sim.run("""
            local lwm2m = {BG96 = true, RV55 = true, ["SARA-R410M-02B"] = true}
            local all, expected, listed, wrong = 0, 0, 0, 0
            for d in fota.devices() do
              all = all + 1
              if lwm2m[d.model] then expected = expected + 1 end
            end
            for d in fota.devices{clientType = "LWM2M"} do
              listed = listed + 1
              if not lwm2m[d.model] then wrong = wrong + 1 end
            end
            local page = fota.devicesPage("0", {clientType = "OMADM"})
            print(all, listed == expected, expected > 0 and expected < all, wrong, #page.devices == all - expected)
            """)
        #expect(result.finished, "\(result.outcome)")
        #expect(result.output == "200\ttrue\ttrue\t0\ttrue\n")
    }
}
