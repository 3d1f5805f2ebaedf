import Foundation
import Testing

@Suite("fota journal", .serialized)
struct JournalCommandTests {
    /// Schedules an upgrade of one device, then appends 2,000 more in batches of 100.
    static let appendMany = CampaignSafetyTests.appendMany

    /// The batches of the append with an intent line and no outcome line.
    static func openBatches(_ records: [[String: Any]]) -> Set<Int> {
        let append = records.filter { $0["call"] as? String == "append" }
        let sent = Set(append.filter { $0["phase"] as? String == "batchIntent" }.compactMap { $0["batch"] as? Int })
        let done = Set(append.filter { $0["phase"] as? String == "batchOutcome" }.compactMap { $0["batch"] as? Int })
        return sent.subtracting(done)
    }

    @Test("after a bulk append killed mid-call, `journal unknown` lists only the batches sent without an outcome and `reconcile` settles them against the simulator")
    func killedAppendUnknownAndReconciled() async throws {
        let sim = try SimulatorProcess(["--latency-ms", "1500", "--devices", "500"])
        let folder = try TempFolder()
        let journal = folder.path + "/journal.jsonl"
        try folder.write("bulk.lua", Self.appendMany)
        let run = try Subprocess(
            fotaBinary, ["run"] + sim.options(journal: journal) + ["--batch-size", "100", "--concurrency", "2", "bulk.lua"],
            in: folder.path, environment: sim.environment)
        // Wait for two finished batches, then for the next two requests to arrive: they are in the
        // simulator's latency when the run is killed.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && journalRecords(journal).filter({ $0["phase"] as? String == "batchOutcome" }).count < 2 {
            usleep(20_000)
        }
        let finishedBefore = journalRecords(journal).filter { $0["phase"] as? String == "batchOutcome" }.count
        try sim.waitForArrivals("PUT", atLeast: finishedBefore + 2)
        kill(run.pid, SIGKILL)
        #expect(run.wait().signalled)

        let records = journalRecords(journal)
        let open = Self.openBatches(records)
        #expect(!open.isEmpty, "the requests in flight had no answer when the run was killed")
        let unknown = try fota(["journal", "unknown", "--journal", journal, "-o", "json"])
        #expect(unknown.status == 1, "\(unknown.stderr)")
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(unknown.stdout.utf8)) as? [[String: Any]])
        #expect(Set(listed.compactMap { $0["batch"] as? Int }) == open, "only the batches sent without an outcome: \(listed)")
        #expect(listed.allSatisfy { $0["call"] as? String == "append" && $0["deviceCount"] as? Int == 100 && $0["batches"] as? Int == 20 })
        let text = try fota(["journal", "unknown", "--journal", journal])
        #expect(text.stdout.split(separator: "\n").count == open.count)
        #expect(text.stdout.contains("append, upgrade "), "\(text.stdout)")

        let reconcile = try fota(["journal", "reconcile", "--journal", journal, "--endpoint", sim.endpoint, "--account", sim.account],
                                 environment: sim.environment)
        #expect(reconcile.status == 0, "\(reconcile.stderr)")
        #expect(reconcile.stdout.contains("reconciled \(open.count) of \(open.count); 0 still unknown"), "\(reconcile.stdout)")
        // What reconcile recorded is what the simulator holds.
        let auth = try await sim.sim.authenticate()
        let upgradeId = try #require(records.first { $0["phase"] as? String == "batchIntent" }?["upgradeId"] as? String)
        let held = Set((try await sim.sim.details(auth, upgradeId)["deviceList"] as? [[String: Any]] ?? []).compactMap { $0["deviceId"] as? String })
        let after = journalRecords(journal)
        for batch in open {
            let devices = try #require(after.first { $0["phase"] as? String == "batchIntent" && $0["batch"] as? Int == batch }?["devices"] as? [String])
            let line = try #require(after.first { $0["phase"] as? String == "reconciled" && $0["batch"] as? Int == batch })
            #expect(line["applied"] as? Int == devices.filter(held.contains).count)
            #expect(Set(line["notApplied"] as? [String] ?? []) == Set(devices.filter { !held.contains($0) }))
        }
        let settled = try fota(["journal", "unknown", "--journal", journal])
        #expect(settled.status == 0 && settled.stdout.hasPrefix("nothing unknown"), "\(settled.stdout)")
        let text2 = try String(contentsOfFile: journal, encoding: .utf8)
        for secret in sim.secrets { #expect(!text2.contains(secret)) }
    }

    @Test("re-running a bulk append exits 0 with every device unchanged and no warning; `journal runs` and `show` say so")
    func rerunAppendUnchanged() throws {
        let sim = try SimulatorProcess(["--devices", "500"])
        let folder = try TempFolder()
        let journal = folder.path + "/journal.jsonl"
        try folder.write("again.lua", """
            local up = fota.upgrade(arg[1])
            local devices = {}
            for i = 1, 250 do devices[i] = string.format("35%013d", 1000 + i) end
            local r = fota.append(up.id, devices)
            print(#r.succeeded, #r.unchanged, #r.failed)
            """)
        try folder.write("first.lua", """
            local fw = fota.firmware()[1]
            local up = fota.schedule{firmwareName = fw.firmwareName, firmwareTo = fw.toVersion, startDate = "2026-03-10",
              devices = {"350000000000018"}}
            print(up.id)
            """)
        let options = sim.options(journal: journal) + ["--batch-size", "100"]
        let first = try fota(["run"] + options + ["first.lua"], in: folder.path, environment: sim.environment)
        #expect(first.status == 0, "\(first.stderr)")
        let id = first.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let once = try fota(["run"] + options + ["again.lua", id], in: folder.path, environment: sim.environment)
        #expect(once.stdout == "250\t0\t0\n", "\(once.stderr)")
        let twice = try fota(["run"] + options + ["again.lua", id], in: folder.path, environment: sim.environment)
        #expect(twice.status == 0, "\(twice.stderr)")
        #expect(twice.stdout == "0\t250\t0\n")
        #expect(!twice.stderr.contains("warn"), "\(twice.stderr)")

        let runs = try fota(["journal", "runs", "--journal", journal])
        #expect(runs.status == 0, "\(runs.stderr)")
        let lines = runs.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines.last?.contains("again.lua") == true && lines.last?.contains("changed 0, unchanged 250, failed 0, not sent 0; 0 unknown") == true, "\(lines)")
        let runId = try #require(lines.last?.split(separator: " ").first.map(String.init))
        let show = try fota(["journal", "show", String(runId.prefix(8)), "--journal", journal])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("#1 append, upgrade \(id), account \(sim.account), 250 device(s), in 3 batch(es)"), "\(show.stdout)")
        #expect(show.stdout.contains("changed 0, unchanged 250, failed 0, not sent 0; batches: 3 finished, 0 unknown, 0 not sent"))
        #expect(show.stdout.contains("batch 1/3 (100 devices): unchanged 100 (Unchanged: Device already in upgrade)") ||
                show.stdout.contains("batch 1/3 (100 devices): unchanged 100 (AddDeviceFailed: Device already in upgrade)"), "\(show.stdout)")
        let json = try fota(["journal", "show", runId, "--journal", journal, "-o", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["runId"] as? String == runId && (object["changes"] as? [Any])?.count == 1)
    }

    @Test("Ctrl-C during a bulk append records how its batches stand (finished, unknown, not sent), and the batch in flight is listed unknown")
    func interruptedAppendStanding() throws {
        let sim = try SimulatorProcess(["--latency-ms", "1500", "--devices", "500"])
        let folder = try TempFolder()
        let journal = folder.path + "/journal.jsonl"
        try folder.write("bulk.lua", Self.appendMany)
        let run = try Subprocess(
            fotaBinary, ["run"] + sim.options(journal: journal) + ["--batch-size", "100", "--concurrency", "1", "bulk.lua"],
            in: folder.path, environment: sim.environment)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && !journalRecords(journal).contains(where: { $0["phase"] as? String == "batchOutcome" }) {
            usleep(20_000)
        }
        let finished = journalRecords(journal).filter { $0["phase"] as? String == "batchOutcome" }.count
        try sim.waitForArrivals("PUT", atLeast: finished + 1)
        kill(run.pid, SIGINT)
        let result = run.wait(limit: 30)
        #expect(result.status == 130, "\(result.stderr)")
        #expect(!result.stderr.contains("see the journal"), "\(result.stderr)")
        let records = journalRecords(journal)
        let outcome = try #require(records.last { $0["call"] as? String == "append" && $0["phase"] as? String == "outcome" })
        let standing = try #require(outcome["batchStanding"] as? String, "\(outcome)")
        #expect(standing.contains("of 20 batches finished, ") && standing.hasSuffix(" not sent"), "\(standing)")
        #expect(!standing.contains("see the journal"))
        // The batch whose request was in flight: sent, answer unknown (no outcome, or a failed read-back).
        let unknown = try fota(["journal", "unknown", "--journal", journal, "-o", "json"])
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(unknown.stdout.utf8)) as? [[String: Any]])
        let sent = Set(records.filter { $0["phase"] as? String == "batchIntent" }.compactMap { $0["batch"] as? Int })
        let settled = Set(records.filter { $0["phase"] as? String == "batchOutcome" && $0["settled"] as? Bool == true }.compactMap { $0["batch"] as? Int })
        #expect(Set(listed.compactMap { $0["batch"] as? Int }) == sent.subtracting(settled), "\(listed)")
        #expect(!listed.isEmpty)
    }

    @Test("journal text from the server cannot drive the terminal: control characters are escaped in text and JSON output")
    func escapesControlCharacters() throws {
        let folder = try TempFolder()
        let line = #"{"runId":"r1","call":"schedule","phase":"intent","change":1,"script":"evil\u001b[2J\u009b2J.lua","time":"t","endpoint":"e","account":"A"}"#
        let journal = try folder.write("j.jsonl", line + "\n")
        let runs = try fota(["journal", "runs", "--journal", journal])
        #expect(runs.status == 0 && !runs.stdout.contains("\u{1b}") && !runs.stdout.contains("\u{9b}"), "\(runs.stdout)")
        let json = try fota(["journal", "show", "r1", "--journal", journal, "-o", "json"])
        #expect(json.status == 0 && !json.stdout.contains("\u{1b}") && !json.stdout.contains("\u{9b}"))
        #expect(json.stdout.contains(#"evil\u001b[2J\u009b2J.lua"#), "\(json.stdout)")
    }

    @Test("a run id that matches nothing is a usage error naming it")
    func unknownRun() throws {
        let folder = try TempFolder()
        let journal = try folder.write("j.jsonl", "")
        let show = try fota(["journal", "show", "nope", "--journal", journal])
        #expect(show.status == 64)
        #expect(show.stderr.contains("no run in the journal has an id starting with 'nope'"), "\(show.stderr)")
    }
}
