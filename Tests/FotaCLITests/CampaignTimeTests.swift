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

    @Test("--sim-* flags without --simulate are a usage error")
    func simulatorFlagsNeedSimulate() throws {
        for flags in [["--sim-seed", "3"], ["--sim-devices", "10"], ["--sim-latency-ms", "5"]] {
            let result = try fotaRun("print('ran')", options: flags)
            #expect(result.status == 64, "\(flags)")
            #expect(result.stdout == "")
            #expect(result.stderr.contains("\(flags[0]) only applies with --simulate"), "\(result.stderr)")
        }
        let repl = try fota(["repl", "--sim-seed", "3"])
        #expect(repl.status == 64)
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
}
