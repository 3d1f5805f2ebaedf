import Foundation
import Testing

/// Campaign time from the command line: waits that block without CPU, --timeout durations,
/// rehearsals under --simulate and against `fota sim --clock-rate`, --timeline reports.
@Suite("campaign time from the command line")
struct CampaignTimeTests {
    @Test("--timeout takes seconds or a duration with s, m, h or d; anything else is a usage error")
    func timeoutDurations() throws {
        for value in ["90", "1.5", "90s", "90m", "36h", "14d", "0"] {
            let result = try fotaRun("print('ok')", options: ["--timeout", value])
            #expect(result.status == 0, "--timeout \(value): \(result.stderr)")
            #expect(result.stdout == "ok\n")
        }
        for value in ["2x", "h", "1h30m", "", "1e3"] {
            let result = try fotaRun("print('ok')", options: ["--timeout", value])
            #expect(result.status == 64, "--timeout \(value)")
            #expect(result.stderr.contains("--timeout '\(value)' is not a duration: give seconds (3600) or a number with s, m, h or d (90m, 36h, 14d)"),
                    "\(result.stderr)")
        }
    }

    @Test("a live fota.sleep blocks without CPU: it passes a --cpu-limit shorter than itself, and --timeout ends it")
    func liveSleepLimits() throws {
        let within = try fotaRun("fota.sleep(1.2) print('slept')", options: ["--cpu-limit", "0.5"])
        #expect(within.status == 0, "\(within.stderr)")
        #expect(within.stdout == "slept\n")
        let started = Date()
        let timedOut = try fotaRun("fota.sleep(600) print('never')", options: ["--timeout", "1s"])
        #expect(timedOut.status == 3)
        #expect(timedOut.stdout == "")
        #expect(timedOut.stderr == "fota: time limit exceeded: the run took longer than 1s (raise it with --timeout, e.g. --timeout 36h)\n")
        #expect(Date().timeIntervalSince(started) < 60)
    }

    @Test("Ctrl-C during a live fota.sleep ends the run with status 130")
    func interruptSleep() throws {
        let folder = try TempFolder()
        try folder.write("wait.lua", "log.info('waiting') fota.sleep(600) print('never')")
        let process = try Subprocess(fotaBinary, ["run", "wait.lua"], in: folder.path)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !((try? String(contentsOfFile: "/proc/\(process.pid)/fd/2", encoding: .utf8)) ?? "").contains("[info] waiting") {
            usleep(20_000)
        }
        kill(process.pid, SIGINT)
        let result = process.wait(limit: 30)
        #expect(result.status == 130)
        #expect(result.stdout == "")
        #expect(result.stderr == "[info] waiting\nfota: interrupted\n")
    }

    @Test("Ctrl-C during a fota.wait stuck on a slow ThingSpace ends the run with status 130")
    func interruptWait() throws {
        let folder = try TempFolder()
        try folder.write("wait.lua", """
            log.info("waiting")
            fota.wait("b11d86bc-29a8-43c7-a988-3d1024e0b987")
            print("never")
            """)
        // Every ThingSpace request of the built-in simulator takes 10 s: the wait's first read blocks.
        let process = try Subprocess(fotaBinary, ["run", "--simulate", "--sim-latency-ms", "10000", "--journal", "j.jsonl", "wait.lua"],
                                     in: folder.path)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !((try? String(contentsOfFile: "/proc/\(process.pid)/fd/2", encoding: .utf8)) ?? "").contains("[info] waiting") {
            usleep(20_000)
        }
        kill(process.pid, SIGINT)
        // (The built-in simulator's shutdown still lets the request it is delaying finish: up to 10 s.)
        let result = process.wait(limit: 60)
        #expect(result.status == 130, "\(result.stderr)")
        #expect(result.stdout == "")
        #expect(result.stderr.hasSuffix("fota: interrupted\n"), "\(result.stderr)")
    }

    @Test("--sim-* flags without --simulate are a usage error")
    func simulatorFlagsNeedSimulate() throws {
        for flags in [["--sim-seed", "3"], ["--sim-devices", "10"], ["--sim-latency-ms", "5"], ["--sim-failure-rate", "0.1"],
                      ["--sim-clock-rate", "60"], ["--sim-upgrade-duration", "2h"], ["--sim-licensed", "90%"]] {
            let result = try fotaRun("print('ran')", options: flags)
            #expect(result.status == 64, "\(flags)")
            #expect(result.stdout == "")
            #expect(result.stderr.contains("\(flags[0]) only applies with --simulate"), "\(result.stderr)")
        }
        let repl = try fota(["repl", "--sim-seed", "3"])
        #expect(repl.status == 64)
        for (flags, message) in [(["--sim-failure-rate", "BG96=2"], "--sim-failure-rate BG96 must be between 0 and 1"),
                                 (["--sim-upgrade-duration", "soon"], "--sim-upgrade-duration expects a duration such as 90, 90s, 15m, 2h or 7d"),
                                 (["--sim-devices", "0"], "--sim-devices must be from 1 to 2000000, not 0")] {
            let result = try fotaRun("print('ran')", options: ["--simulate"] + flags)
            #expect(result.status == 64, "\(flags)")
            #expect(result.stderr.contains(message), "\(result.stderr)")
        }
    }

    @Test("--sim-* flags set up the built-in simulator: a slower upgrade shows in fota.wait's simulated time")
    func simulatorFlagsApply() throws {
        let script = """
            local image
            for _, f in ipairs(fota.firmware()) do if f.model == "T10" and f.fromVersion == "1.0.4" then image = f end end
            local devices = {}
            for d in fota.devices() do
              if d.model == "T10" and d.firmware == "1.0.4" and d.fotaEligible and d.licenseAssigned then devices[#devices + 1] = d.deviceId end
              if #devices == 3 then break end
            end
            local t0 = fota.now()
            local u = fota.schedule{firmwareName = image.firmwareName, firmwareTo = image.toVersion,
                                    startDate = os.date("!%Y-%m-%d"), devices = devices}
            local done = fota.wait(u.id, {status = "InProgress"})
            print(done.status, fota.now() - t0)
            """
        let quick = try fotaRun(script, options: ["--simulate", "--sim-devices", "2000", "--journal", "j.jsonl", "--sim-start-delay", "10m"])
        #expect(quick.status == 0, "\(quick.stderr)")
        #expect(quick.stdout == "InProgress\t600.0\n")
        let slow = try fotaRun(script, options: ["--simulate", "--sim-devices", "2000", "--journal", "j.jsonl", "--sim-start-delay", "3h"])
        #expect(slow.stdout == "InProgress\t10800.0\n", "\(slow.stderr)")
    }

    @Test("--timeline needs --simulate and a .jsonl or .csv file in a folder that exists")
    func timelineUsage() throws {
        let cases: [([String], String)] = [
            (["--timeline", "t.jsonl"], "--timeline needs --simulate"),
            (["--simulate", "--timeline", "t.txt"], "the file name must end in .jsonl (JSON Lines) or .csv"),
            (["--simulate", "--timeline", "/nonexistent/t.csv"], "there is no folder /nonexistent"),
        ]
        for (options, message) in cases {
            let result = try fotaRun("print('ran')", options: options)
            #expect(result.status == 64, "\(options)")
            #expect(result.stderr.contains(message), "\(result.stderr)")
            #expect(result.stdout == "")
        }
    }

    @Test("a --simulate run journals into the rehearsal journal, never the production one; each line says so")
    func rehearsalJournal() throws {
        let state = try TempFolder()
        let folder = try TempFolder()
        try folder.write("s.lua", """
            local image
            for _, f in ipairs(fota.firmware()) do if f.fromVersion == "1.0.4" then image = f end end
            local devices = {}
            for d in fota.devices() do
              if d.firmware == "1.0.4" and d.model == image.model and d.fotaEligible and d.licenseAssigned then
                devices[#devices + 1] = d.deviceId
              end
              if #devices == 2 then break end
            end
            fota.schedule{firmwareName = image.firmwareName, firmwareTo = image.toVersion,
                          startDate = os.date("!%Y-%m-%d"), devices = devices}
            """)
        let result = try fota(["run", "--simulate", "--sim-devices", "300", "s.lua"], in: folder.path,
                              environment: ["XDG_STATE_HOME": state.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: state.path + "/fota/journal.jsonl"))
        let lines = journalRecords(state.path + "/fota/rehearsal-journal.jsonl")
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0["rehearsal"] as? Bool == true && ($0["endpoint"] as? String ?? "").hasPrefix("http://127.0.0.1:") })
    }

    /// Schedules a canary of T10 devices for tomorrow only (ThingSpace's clock), waits for it to end,
    /// and prints each device's outcome: the done-when script.
    static let canaryScript = """
        local t0 = fota.now()
        local image
        for _, f in ipairs(fota.firmware()) do
          if f.model == "T10" and f.fromVersion == "1.0.4" then image = f end
        end
        local devices = {}
        for d in fota.devices() do
          if d.model == "T10" and d.firmware == "1.0.4" and d.fotaEligible and d.licenseAssigned then
            devices[#devices + 1] = d.deviceId
          end
          if #devices == 30 then break end
        end
        local u = fota.schedule{firmwareName = image.firmwareName, firmwareTo = image.toVersion,
                                startDate = os.date("!%Y-%m-%d", os.time() + 86400), endDate = os.date("!%Y-%m-%d", os.time() + 86400),
                                devices = devices}
        print("scheduled", u.id, u.startDate, u.endDate)
        local done = fota.wait(u.id, {timeout = 10 * 86400})
        print("ended", done.status, string.format("%.2f", (fota.now() - t0) / 86400))
        for _, d in ipairs(done.deviceList) do print("device", d.deviceId, d.status, d.reason) end
        """

    /// The lines of `text` that start with `word`, split at tabs.
    static func lines(_ text: String, _ word: String) -> [[String]] {
        text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
            .filter { $0.first == word }
    }

    /// Seconds since 1970 at the start of the day after `day` (YYYY-MM-DD, UTC): when an endDate runs out.
    static func endOf(_ day: String) -> Int {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return Int(formatter.date(from: day)!.timeIntervalSince1970) + 86_400
    }

    @Test("done-when: a canary scheduled, waited for and reported rehearses in seconds while days pass; devices end at different times, none after endDate")
    func rehearsedCanary() throws {
        let folder = try TempFolder()
        try folder.write("canary.lua", Self.canaryScript)
        let started = Date()
        let result = try fota(["run", "--simulate", "--sim-devices", "2000", "--journal", folder.path + "/j.jsonl",
                               "--timeline", folder.path + "/timeline.jsonl", "canary.lua"], in: folder.path)
        let wall = Date().timeIntervalSince(started)
        #expect(result.status == 0, "\(result.stderr)")
        // A rehearsal never waits out simulated time (more than a day passes below); how fast it is
        // (seconds) is a benchmark's business, so the bound here only tells "jumped" from "waited".
        #expect(wall < 120, "the rehearsal took \(wall) s of wall time")
        let scheduled = try #require(Self.lines(result.stdout, "scheduled").first)
        let ended = try #require(Self.lines(result.stdout, "ended").first)
        #expect(ended[1] == "Finished")
        let days = try #require(Double(ended[2]))
        #expect(days > 1, "simulated days: \(days)")
        let devices = Self.lines(result.stdout, "device")
        #expect(devices.count == 30)
        #expect(devices.contains { $0[2] == "UpgradeSuccess" })
        #expect(devices.contains { $0[2] == "UpgradeFailed" && $0[3] == "Campaign end date reached before the device upgraded." },
                "a device not reached by endDate fails at its end: \(devices)")

        // The timeline: device outcomes at different times, none after the end of endDate.
        let text = try String(contentsOfFile: folder.path + "/timeline.jsonl", encoding: .utf8)
        let events = text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let outcomes = events.filter { ["UpgradeSuccess", "UpgradeFailed"].contains($0["status"] as? String) && $0["kind"] as? String == "device" }
        #expect(outcomes.count == 30)
        let times = Set(outcomes.compactMap { $0["at"] as? Int })
        #expect(times.count >= 3, "devices ended at \(times.sorted())")
        #expect(times.allSatisfy { $0 <= Self.endOf(scheduled[3]) }, "endDate \(scheduled[3]): \(times.sorted())")
        #expect(result.stderr.contains("timeline: \(events.count) events written to \(folder.path)/timeline.jsonl"), "\(result.stderr)")
        #expect(result.stderr.contains("  upgrades: 1 (Finished 1)\n"), "\(result.stderr)")
        #expect(result.stderr.contains("  devices: 30 (UpgradeSuccess "), "\(result.stderr)")
        #expect(result.stderr.contains("  simulated time: \(Int(days))d "), "\(result.stderr)")
    }

    @Test("done-when: the same script runs unchanged against fota sim --clock-rate N, a simulator whose clock runs on its own")
    func canaryAgainstRunningClock() throws {
        let sim = try SimulatorProcess(["--devices", "2000", "--clock-rate", "20000"])
        let folder = try TempFolder()
        try folder.write("canary.lua", Self.canaryScript)
        let clockBefore = try Self.simulatedNow(sim)
        let result = try fota(["run"] + sim.options(journal: folder.path + "/j.jsonl") + ["canary.lua"],
                              in: folder.path, environment: sim.environment)
        #expect(result.status == 0, "\(result.stderr)")
        let scheduled = try #require(Self.lines(result.stdout, "scheduled").first)
        let ended = try #require(Self.lines(result.stdout, "ended").first)
        #expect(ended[1] == "Finished")
        #expect((Double(ended[2]) ?? 0) > 1)
        #expect(Self.lines(result.stdout, "device").count == 30)
        // "today" was the simulator's today, not the machine's.
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        let simulatedDay = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(clockBefore)))
        let machineDay = formatter.string(from: Date())
        #expect(scheduled[2] >= simulatedDay && scheduled[2] < machineDay, "startDate \(scheduled[2])")
        let journal = journalRecords(folder.path + "/j.jsonl")
        #expect(!journal.isEmpty && journal.allSatisfy { $0["rehearsal"] as? Bool == true && $0["endpoint"] as? String == sim.endpoint })
    }

    static func simulatedNow(_ sim: SimulatorProcess) throws -> Int {
        let answer = try sim.control("GET", "/_sim/clock")
        let object = try JSONSerialization.jsonObject(with: answer.body ?? Data()) as? [String: Any]
        return try #require(object?["epochSeconds"] as? Int)
    }

    @Test("--timeline FILE.csv writes one row per status change with a header")
    func timelineCSV() throws {
        let folder = try TempFolder()
        try folder.write("canary.lua", Self.canaryScript)
        let result = try fota(["run", "--simulate", "--sim-devices", "2000", "--journal", folder.path + "/j.jsonl",
                               "--timeline", "t.csv", "canary.lua"], in: folder.path)
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try String(contentsOfFile: folder.path + "/t.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(rows.first == "time,epochSeconds,upgradeId,kind,deviceId,status,reason")
        let id = try #require(Self.lines(result.stdout, "scheduled").first?[1])
        #expect(rows.contains { $0.hasPrefix("2026-03-02T09:00:00Z,1772442000,\(id),upgrade,,RequestPending") }, "\(rows.prefix(3))")
        #expect(rows.contains { $0.contains(",upgrade,,Finished,") })
        #expect(rows.filter { $0.contains(",device,") && ($0.contains(",UpgradeSuccess,") || $0.contains(",UpgradeFailed,")) }.count == 30)
    }
}

/// examples/waves.lua rehearsed with injected failures: one rollout completes, one halts.
@Suite("waves example")
struct WavesExampleTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func run(_ options: [String], _ arguments: [String]) throws -> Finished {
        let folder = try TempFolder()
        return try fota(["run", "--simulate", "--journal", folder.path + "/j.jsonl"] + options + ["examples/waves.lua"] + arguments,
                        in: packageRoot)
    }

    @Test("with 5 % of T10 upgrades failing, every wave starts after the one before ended, and the rollout completes")
    func completes() throws {
        let result = try Self.run(["--sim-failure-rate", "T10=0.05"], ["--model", "T10", "--count", "60", "--max-failure", "0.2"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("Firmware FOTA_T10_1.0.4_to_1.1.0 (Franklin Wireless T10, 1.0.4 -> 1.1.0): 60 devices in 3 waves, halting above 20% failed") == true, "\(lines)")
        #expect(lines.filter { $0.hasPrefix("canary: 5 devices") || $0.hasPrefix("wave 1: 10 devices") || $0.hasPrefix("wave 2: 45 devices") }.count == 3, "\(lines)")
        #expect(lines.filter { $0.hasPrefix("  Finished: ") }.count == 3, "\(lines)")
        #expect(lines.last?.hasPrefix("Done: 60 devices in 3 waves, ") == true, "\(lines)")
        // Each wave starts on or after the day the one before it ended.
        let starts = lines.compactMap { line -> String? in
            guard line.hasPrefix("canary:") || line.hasPrefix("wave ") else { return nil }
            return line.split(separator: ",").last.map { String($0.split(separator: " ")[0]) }
        }
        #expect(starts.count == 3 && starts == starts.sorted(), "\(starts)")
    }

    @Test("with most T10 upgrades failing, the rollout halts after the canary with status 2 and schedules nothing more")
    func halts() throws {
        let folder = try TempFolder()
        let result = try fota(["run", "--simulate", "--journal", folder.path + "/j.jsonl", "--sim-failure-rate", "T10=0.6",
                               "examples/waves.lua", "--model", "T10", "--count", "60", "--max-failure", "0.2"],
                              in: Self.packageRoot)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stdout.contains("\nHalted: "), "\(result.stdout)")
        #expect(result.stdout.contains("\nHalted: canary: "), "\(result.stdout)")
        #expect(result.stdout.contains("failed, above 20%; 55 devices were not scheduled\n"), "\(result.stdout)")
        #expect(!result.stdout.contains("wave 1:"))
        let schedules = journalRecords(folder.path + "/j.jsonl").filter { $0["call"] as? String == "schedule" && $0["phase"] as? String == "outcome" }
        #expect(schedules.count == 1)
    }

    @Test("waves.lua refuses bad options with status 64")
    func usage() throws {
        for arguments in [["--waves", "0.5,0.25,1"], ["--waves", "0.5"], ["--max-failure", "2"]] {
            let result = try Self.run([], arguments)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("[error] waves: "), "\(result.stderr)")
        }
        // fota.args' own refusals print the usage.
        for arguments in [["--colour", "red"], ["--days", "two"], ["--canary"], ["--canary", "0"], ["--days", "1.5"]] {
            let result = try Self.run([], arguments)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("waves.lua: ") && result.stderr.contains("\nusage: fota run waves.lua [options]\n"), "\(result.stderr)")
        }
    }
}
