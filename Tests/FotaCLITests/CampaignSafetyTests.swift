import Foundation
import Testing

@Suite("campaign safety at the command line", .serialized)
struct CampaignSafetyTests {
    static let appendMany = """
        local fw = fota.firmware()[1]
        local up = fota.schedule{firmwareName = fw.firmwareName, firmwareTo = fw.toVersion, startDate = "2026-03-10",
          devices = {"350000000000018"}}
        local devices = {}
        for i = 1, 2000 do devices[i] = string.format("35%013d", i) end
        print("appending")
        fota.append(up.id, devices)
        print("done")
        """

    @Test("a run killed in the middle of a bulk append leaves a journal that says what was sent and what is unknown")
    func killedMidway() throws {
        let sim = try SimulatorProcess(["--latency-ms", "300", "--devices", "500"])
        let folder = try TempFolder()
        let journal = folder.path + "/journal.jsonl"
        try folder.write("bulk.lua", Self.appendMany)
        let run = try Subprocess(
            fotaBinary, ["run"] + sim.options(journal: journal) + ["--batch-size", "100", "--concurrency", "1", "bulk.lua"],
            in: folder.path, environment: sim.environment)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline && !journalRecords(journal).contains(where: { $0["call"] as? String == "append" }) {
            usleep(20_000)
        }
        try sim.waitForArrivals("PUT", atLeast: 3) // a few batches go out
        kill(run.pid, SIGKILL)
        let finished = run.wait()
        #expect(finished.signalled)
        let records = journalRecords(journal)
        #expect(!records.contains { $0["unparsable"] != nil }, "every line is whole JSON")
        let phases = records.map { "\($0["call"] ?? "?")/\($0["phase"] ?? "?")" }
        #expect(Array(phases.prefix(3)) == ["schedule/intent", "schedule/outcome", "append/intent"])
        #expect(!phases.contains("append/outcome"), "the call never finished")
        #expect(records[2]["deviceCount"] as? Int == 2000 && records[2]["batches"] as? Int == 20)
        // Every batch that may have been sent has its intent, listing its devices; the rest were never sent.
        let intents = records.filter { $0["phase"] as? String == "batchIntent" }
        #expect(intents.count >= 3 && intents.count < 20)
        #expect(intents.allSatisfy { ($0["devices"] as? [String])?.count == 100 })
        let text = try String(contentsOfFile: journal, encoding: .utf8)
        for secret in sim.secrets { #expect(!text.contains(secret)) }
    }

    @Test("Ctrl-C during a slow API call interrupts the run with status 130 and journals the unknown outcome")
    func interruptSlowCall() throws {
        let sim = try SimulatorProcess(["--latency-ms", "10000", "--devices", "50"])
        let folder = try TempFolder()
        let journal = folder.path + "/journal.jsonl"
        try folder.write("slow.lua", """
            fota.cancel("00000000-0000-4000-8000-000000000000")
            print("not reached")
            """)
        let run = try Subprocess(fotaBinary, ["run"] + sim.options(journal: journal) + ["slow.lua"], in: folder.path, environment: sim.environment)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && journalRecords(journal).isEmpty { usleep(20_000) }
        try sim.waitForArrivals(nil, atLeast: 1) // the call is under way: its request waits out the latency
        let sent = Date()
        kill(run.pid, SIGINT)
        let finished = run.wait(limit: 20)
        #expect(finished.status == 130)
        #expect(Date().timeIntervalSince(sent) < 6, "the 10 s call must not be waited out")
        #expect(finished.stderr.contains("interrupted"))
        #expect(!finished.stdout.contains("not reached"))
        let records = journalRecords(journal)
        #expect(records.map { $0["phase"] as? String } == ["intent", "outcome"])
        #expect((records.last?["error"] as? String)?.contains("outcome is unknown") == true)
    }

    @Test("--verbose logs requests without any secret")
    func verboseRedacts() throws {
        let sim = try SimulatorProcess(["--devices", "50"])
        let folder = try TempFolder()
        try folder.write("read.lua", "print(#fota.firmware())")
        let finished = try fota(
            ["run", "--verbose"] + sim.options(journal: folder.path + "/j.jsonl") + ["read.lua"], in: folder.path,
            environment: sim.environment)
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(finished.stderr.contains("/api/fota/v1/firmware/"))
        // through fota's own handler, which escapes what it writes like print (TerminalText)
        #expect(finished.stderr.contains("fota: [info] GET /api/fota/v1/firmware/"), "\(finished.stderr)")
        for secret in sim.secrets { #expect(!finished.stderr.contains(secret) && !finished.stdout.contains(secret)) }
    }

    @Test("files named with @ can be read, other files cannot, reports go only under --out")
    func fileAccess() throws {
        let folder = try TempFolder()
        try folder.write("devices.csv", "imei\n350000000000018\n")
        try folder.write("secret.txt", "do not read")
        try folder.write("files.lua", """
            local rows = files.csv(arg[1])
            print(#rows, rows[2][1])
            print(pcall(files.read, "secret.txt"))
            print(pcall(files.write, "../escape.txt", "x"))
            print(files.write("report/summary.txt", "ok") ~= nil)
            """)
        let finished = try fota(["run", "--out", folder.path + "/out", "files.lua", "@devices.csv"], in: folder.path)
        #expect(finished.status == 0, "\(finished.stderr)")
        let lines = finished.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "2\t350000000000018")
        #expect(lines.dropFirst().first?.hasPrefix("false") == true && lines[1].contains("may not read 'secret.txt'"))
        #expect(lines[1].contains("@secret.txt") && lines[1].contains("--in"), "the command line names its own flags: \(lines[1])")
        #expect(lines[2].hasPrefix("false") && lines[2].contains("relative path inside the --out folder"))
        #expect(FileManager.default.fileExists(atPath: folder.path + "/out/report/summary.txt"))
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/escape.txt"))
        let missing = try fota(["run", "files.lua", "@nope.csv"], in: folder.path)
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("cannot read input file 'nope.csv'"))
    }

    @Test("without credentials a script that never calls the API runs, and one that does gets a clear error")
    func noCredentials() throws {
        let environment: [String: String?] = ["XDG_CONFIG_HOME": "/nonexistent", "HOME": "/nonexistent"]
        let folder = try TempFolder()
        try folder.write("plain.lua", "print(fota.mode)")
        try folder.write("api.lua", "fota.firmware()")
        let plain = try fota(["run", "plain.lua"], in: folder.path, environment: environment)
        #expect(plain.status == 0 && plain.stdout == "live\n", "\(plain.stderr)")
        let api = try fota(["run", "api.lua"], in: folder.path, environment: environment)
        #expect(api.status == 1)
        #expect(api.stderr.contains("api.lua:1: fota.firmware: NO_CREDENTIALS"))
    }

    @Test("what a script returns is ignored: returning a function still exits 0")
    func returnedValuesIgnored() throws {
        let finished = try fotaRun("print('work done') return {run = function() end}")
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(finished.stdout == "work done\n")
    }
}
