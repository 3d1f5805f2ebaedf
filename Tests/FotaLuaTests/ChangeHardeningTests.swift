import Foundation
@testable import FotaLua
import LuaHost
import Testing
import ThingSpace

/// Faults around changes and listings, one test each, named after the fault.
@Suite("Change and listing faults")
struct ChangeHardeningTests {
    func fault(_ sim: SimulatedAccount, _ rule: String) async throws {
        _ = try await sim.control(.POST, "/_sim/faults", body: rule)
    }

    @Test("an append whose answer is lost is reported and journaled as succeeded, not failed")
    func lostAnswer() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 3)
        // The schedule goes through first; the fault then catches the append.
        let (result, _) = try await sim.run("""
            \(schedule(campaign, devices: [campaign.devices[0]]))
            print(up.id)
            """)
        let id = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        try await fault(sim, #"{"method":"PUT","pathPrefix":"/api/fota/v1/upgrades/","remaining":1,"dropAnswer":true}"#)
        let (append, _) = try await sim.run("""
            local r = fota.append("\(id)", {"\(campaign.devices[1])", "\(campaign.devices[2])"})
            print(#r.succeeded, #r.failed, r.devices[1].outcome)
            """)
        #expect(append.output == "2\t0\tsucceeded\n", "\(append.outcome)")
        let batch = try #require(try sim.journal().last { $0["phase"] as? String == "batchOutcome" })
        #expect(batch["succeeded"] as? Int == 2 && (batch["others"] as? [Any])?.isEmpty == true && batch["settled"] as? Bool == true)
        #expect(try sim.journal().last?["succeeded"] as? Int == 2)
    }

    @Test("a 5xx after retries is NotSent in the result and notSent in the journal")
    func serverErrorVocabulary() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 2)
        let (scheduled, _) = try await sim.run(schedule(campaign, devices: [campaign.devices[0]]) + "\nprint(up.id)")
        let id = scheduled.output.trimmingCharacters(in: .whitespacesAndNewlines)
        try await fault(sim, #"{"method":"PUT","pathPrefix":"/api/fota/v1/upgrades/","remaining":10,"status":500}"#)
        let (result, _) = try await sim.run("""
            local r = fota.append("\(id)", {"\(campaign.devices[1])"})
            print(r.devices[1].status, r.devices[1].outcome, #r.failed)
            """)
        #expect(result.output == "NotSent\tnotSent\t1\n", "\(result.outcome)")
        let batch = try #require(try sim.journal().last { $0["phase"] as? String == "batchOutcome" })
        let others = try #require(batch["others"] as? [[String: Any]])
        #expect(batch["notSent"] as? Int == 1 && others.first?["outcome"] as? String == "notSent")
        #expect(others.first?["devices"] as? [String] == [campaign.devices[1]])
        #expect(try sim.journal().last?["notSent"] as? Int == 1)
    }

    @Test("a whole-call refusal raises an API error, live and dry run alike")
    func wholeCallRefusalRaises() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 1)
        let script = """
            local ok, e = pcall(fota.append, "00000000-0000-4000-8000-000000000000", {"\(campaign.devices[0])"})
            print(ok, type(e) == "table" and e.status or e)
            """
        let (live, _) = try await sim.run(script)
        #expect(live.output == "false\t400\n", "\(live.outcome)")
        let (dry, _) = try await sim.run(script, settings: sim.settings(.dryRun))
        #expect(dry.output == "false\t400\n", "\(dry.outcome)")
        let records = try sim.journal()
        #expect(records.filter { $0["phase"] as? String == "outcome" }.allSatisfy { $0["error"] != nil })
    }

    @Test("IMEIs with a leading zero page through fota.devices()")
    func leadingZeroPaging() async throws {
        // 6,000 devices: page 1 ends inside the block of IMEIs with a leading zero.
        let sim = try await SimulatedAccount.start(devices: 6_000)
        defer { Task { await sim.stop() } }
        let (result, _) = try await sim.run("""
            local n, seen, zero = 0, {}, 0
            for d in fota.devices() do
              n = n + 1
              seen[d.deviceId] = true
              if d.deviceId:sub(1, 1) == "0" then zero = zero + 1 end
            end
            local distinct = 0
            for _ in pairs(seen) do distinct = distinct + 1 end
            print(n, distinct, zero > 1000)
            """)
        #expect(result.output == "6000\t6000\ttrue\n", "\(result.outcome)")
    }

    @Test("a page iterator stops on a cursor that does not move instead of looping forever")
    func stuckCursorStops() async throws {
        let sim = try await SimulatedAccount.start(devices: 20)
        defer { Task { await sim.stop() } }
        let page = #"{\"hasMoreData\":true,\"lastSeenDeviceId\":0,\"deviceList\":[{\"deviceId\":\"990000862471854\"}]}"#
        try await fault(sim, #"{"method":"GET","pathPrefix":"/api/fota/v1/devices/","remaining":50,"body":"\#(page)"}"#)
        let (result, _) = try await sim.run("""
            local n = 0
            local ok, e = pcall(function() for d in fota.devices() do n = n + 1 end end)
            print(n, ok, e.code)
            """)
        #expect(result.output == "1\tfalse\tUNEXPECTED_RESPONSE\n", "\(result.outcome)")
        let counts = try await sim.control(.GET, "/_sim/faults")
        #expect(counts["injected"] as? Int == 1, "one request, not thousands")
    }

    @Test("a page iterator stops on a cursor it has already used")
    func repeatedCursorStops() async throws {
        let sim = try await SimulatedAccount.start(devices: 20)
        defer { Task { await sim.stop() } }
        let a = #"{\"hasMoreFlag\":true,\"lastSeenUpgradeId\":7,\"reportList\":[]}"#
        try await fault(sim, #"{"method":"GET","pathPrefix":"/api/fota/v1/reports/","remaining":50,"body":"\#(a)"}"#)
        let (result, _) = try await sim.run("""
            local ok, e = pcall(function() for u in fota.upgrades("Finished") do end end)
            print(ok, e.code)
            """)
        #expect(result.output == "false\tUNEXPECTED_RESPONSE\n", "\(result.outcome)")
        let counts = try await sim.control(.GET, "/_sim/faults")
        #expect(counts["injected"] as? Int == 2)
    }
}

@Suite("Journal faults")
struct JournalFaultTests {
    @Test("a torn last line stays on its own line and is skipped when reading")
    func tornLastLine() throws {
        let folder = try TempFolder()
        let dir = folder.path
        let path = dir + "/journal.jsonl"
        try Data((#"{"call":"append","phase":"intent"}"# + "\n" + #"{"call":"append","pha"#).utf8).write(to: URL(fileURLWithPath: path))
        try Journal(path: path).append(["call": .string("cancel"), "phase": .string("intent")])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasSuffix("\n{\"call\":\"cancel\",\"phase\":\"intent\"}\n"), "\(text)")
        let (records, skipped) = try Journal.records(path: path)
        #expect(records.map { $0["call"] as? String } == ["append", "cancel"] && skipped == 1)
    }

    @Test("an outcome line that cannot be written says the request was sent")
    func outcomeLineCannotBeWritten() throws {
        let runtime = FotaRuntime(settings: FotaSettings(), client: nil, journal: Journal(path: "/dev/full"))
        do {
            try runtime.record("append", phase: .outcome, ["account": "1"], sent: "2 of 2 devices succeeded")
            Issue.record("expected a journal error")
        } catch let error as FotaCallError {
            #expect(error.code == "JOURNAL")
            #expect(error.message.contains("WAS sent (2 of 2 devices succeeded)") && !error.message.contains("nothing was sent"),
                    "\(error.message)")
        }
        do {
            try runtime.record("append", phase: .intent, ["account": "1"])
        } catch let error as FotaCallError {
            #expect(error.message.hasSuffix("nothing was sent"))
        }
    }

    @Test("a batch intent that cannot be written raises JOURNAL saying that batch was not sent")
    func batchIntentCannotBeWritten() throws {
        let runtime = FotaRuntime(settings: FotaSettings(), client: nil, journal: Journal(path: "/dev/full"))
        let journal = ChangeJournal(runtime: runtime, call: "append", number: 1, base: ["account": "1"])
        let ids = ["350000000000018", "350000000000026"]
        do {
            try journal.batchIntent(BulkBatch(index: 1, count: 3, deviceIds: ids[...]))
            Issue.record("expected a journal error")
        } catch let error as FotaCallError {
            #expect(error.code == "JOURNAL")
            #expect(error.message.hasSuffix("this request was not sent (batch 2 of 3, 2 devices)"), "\(error.message)")
        }
        #expect(!journal.sentBatches)
    }

    @Test("a bad journal folder says it cannot create the journal folder and why")
    func badJournalFolder() throws {
        let folder = try TempFolder()
        let dir = folder.path
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/file"))
        do {
            try Journal(path: dir + "/file/sub/journal.jsonl").append(["call": "cancel"])
            Issue.record("expected an error")
        } catch {
            let text = "\(error)"
            #expect(text.hasPrefix("cannot create the journal folder \(dir)/file"), "\(text)")
            #expect(!text.contains("NSError") && !text.contains("Domain="))
        }
    }
}
