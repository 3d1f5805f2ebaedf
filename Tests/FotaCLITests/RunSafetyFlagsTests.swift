import Foundation
import Testing

/// Issue 13 items 1, 2 and 5, issue 14's `run -e` / `run -`: fota's flags cannot be swallowed by
/// the script, FOTA_MODE, the live banner and summary, --max-devices and --strict.
@Suite("fota run: safety flags, modes, banner and summary")
struct RunSafetyFlagsTests {
    static let echo = "print(fota.mode, #arg, ...)"

    @Test("a fota flag after the script is a usage error (64) showing the corrected command; the script does not run")
    func swallowedFlag() throws {
        let result = try fotaRun(Self.echo, name: "x.lua", arguments: ["--dry-run"])
        #expect(result.status == 64)
        #expect(result.stdout == "")
        #expect(result.stderr.contains("--dry-run is a fota flag"), "\(result.stderr)")
        #expect(result.stderr.contains("\n  fota run --dry-run x.lua\n"), "\(result.stderr)")
        #expect(result.stderr.contains("\n  fota run x.lua -- --dry-run\n"), "\(result.stderr)")
    }

    @Test("options move with their values, --flag=value included; fota's flags before the script stay first")
    func swallowedOptions() throws {
        let result = try fotaRun(
            Self.echo, name: "x.lua", options: ["--simulate"],
            arguments: ["a", "--endpoint", "http://example.test", "--journal=j.jsonl", "b c"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--endpoint and --journal are fota flags"), "\(result.stderr)")
        #expect(result.stderr.contains("\n  fota run --simulate --endpoint http://example.test --journal=j.jsonl x.lua a 'b c'\n"),
                "\(result.stderr)")
    }

    @Test("every group of fota's flags is covered: connection, safety, limits, simulator")
    func flagGroups() throws {
        for flag in ["--read-only", "--simulate", "--profile", "--account", "--max-devices", "--memory-limit", "--timeout", "--sim-seed", "--ca-file"] {
            let result = try fotaRun(Self.echo, name: "x.lua", arguments: [flag, "1"])
            #expect(result.status == 64, "\(flag): \(result.stdout)")
            #expect(result.stderr.contains("\(flag) is a fota flag"), "\(flag): \(result.stderr)")
        }
        // The script's own flags are not fota's.
        let own = try fotaRun(Self.echo, name: "x.lua", arguments: ["--count", "5", "--dry", "--devices"])
        #expect(own.status == 0, "\(own.stderr)")
        #expect(own.stdout == "live\t4\t--count\t5\t--dry\t--devices\n")
    }

    @Test("-- after the script hands fota's flags to the script (arg[1]); the run keeps its own mode")
    func doubleDash() throws {
        let result = try fotaRun("print(fota.mode, #arg, arg[1], arg[2])", name: "x.lua", arguments: ["--", "--dry-run", "--"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "live\t2\t--dry-run\t--\n")
        // A later -- ends the check too, and stays for the script.
        let later = try fotaRun(Self.echo, name: "x.lua", arguments: ["a", "--", "--simulate"])
        #expect(later.status == 0, "\(later.stderr)")
        #expect(later.stdout == "live\t3\ta\t--\t--simulate\n")
    }

    @Test("FOTA_MODE=dry-run runs a #! script as a dry run")
    func fotaModeShebang() throws {
        let folder = try TempFolder()
        let script = try folder.write("campaign.lua", "#!/usr/bin/env -S fota run\n" + Self.echo + "\n", executable: true)
        let path = URL(fileURLWithPath: fotaBinary).deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let result = try Subprocess(script, ["a"], in: folder.path, environment: ["PATH": path, "FOTA_MODE": "dry-run"]).wait()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "dry-run\t1\ta\n")
        #expect(result.stderr.contains("Dry run: nothing was sent"), "\(result.stderr)")
        let readOnly = try Subprocess(script, [], in: folder.path, environment: ["PATH": path, "FOTA_MODE": "read-only"]).wait()
        #expect(readOnly.stdout == "read-only\t0\n", "\(readOnly.stderr)")
    }

    @Test("a mode flag wins over FOTA_MODE; a bad FOTA_MODE is a usage error naming it")
    func flagBeatsEnvironment() throws {
        let folder = try TempFolder()
        try folder.write("x.lua", Self.echo)
        for (variable, flag, expected) in [("dry-run", "--read-only", "read-only"), ("read-only", "--dry-run", "dry-run"), ("live", "--dry-run", "dry-run")] {
            let result = try fota(["run", flag, "x.lua"], in: folder.path, environment: ["FOTA_MODE": variable])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "\(expected)\t0\n", "FOTA_MODE=\(variable) \(flag)")
        }
        let bad = try fota(["run", "x.lua"], in: folder.path, environment: ["FOTA_MODE": "dryrun"])
        #expect(bad.status == 64)
        #expect(bad.stdout == "")
        #expect(bad.stderr.contains("FOTA_MODE 'dryrun' is not a mode: use dry-run, read-only or live"), "\(bad.stderr)")
    }

    @Test("fota run -e 'chunk' runs the chunk with the words after it as arguments, under the same flag rule")
    func chunk() throws {
        let folder = try TempFolder()
        let result = try fota(["run", "-e", Self.echo, "a", "b"], in: folder.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "live\t2\ta\tb\n")
        let dry = try fota(["run", "--dry-run", "-e", Self.echo], in: folder.path)
        #expect(dry.stdout == "dry-run\t0\n", "\(dry.stderr)")
        let swallowed = try fota(["run", "-e", Self.echo, "a", "--dry-run"], in: folder.path)
        #expect(swallowed.status == 64)
        #expect(swallowed.stdout == "")
        #expect(swallowed.stderr.contains("--dry-run a\n"), "\(swallowed.stderr)")
        let passed = try fota(["run", "-e", Self.echo, "--", "--dry-run"], in: folder.path)
        #expect(passed.status == 0, "\(passed.stderr)")
        #expect(passed.stdout == "live\t1\t--dry-run\n")
        let failing = try fota(["run", "-e", "error('boom')"], in: folder.path)
        #expect(failing.status == 1)
        #expect(failing.stderr == "fota: (command line):1: boom\n")
        let nothing = try fota(["run"], in: folder.path)
        #expect(nothing.status == 64)
        #expect(nothing.stderr.contains("give the script to run: a file, - for standard input, or -e 'chunk'"), "\(nothing.stderr)")
    }

    @Test("fota run - reads the script from standard input, under the same flag rule")
    func standardInput() throws {
        let folder = try TempFolder()
        try folder.write("piped.lua", "#!/usr/bin/env -S fota run\n" + Self.echo)
        func shell(_ line: String) throws -> Finished {
            try Subprocess("/bin/sh", ["-c", line], in: folder.path, environment: ["FOTA": fotaBinary]).wait()
        }
        let result = try shell("\"$FOTA\" run - a < piped.lua")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "live\t1\ta\n")
        let swallowed = try shell("\"$FOTA\" run - a --read-only < piped.lua")
        #expect(swallowed.status == 64)
        #expect(swallowed.stderr.contains("\n  fota run --read-only - a\n"), "\(swallowed.stderr)")
        let failing = try shell("echo 'error(\"boom\")' | \"$FOTA\" run -")
        #expect(failing.stderr == "fota: (stdin):1: boom\n")
    }

    // MARK: - Against a fota sim process

    static let scheduleOne = """
        local fw = fota.firmware()[1]
        local up = fota.schedule{firmwareName = fw.firmwareName, firmwareTo = fw.toVersion, startDate = "2026-03-10",
          devices = {"350000000000018"}}
        """

    @Test("a live run prints where its changes go before the script starts, and a summary with its run id at the end")
    func bannerAndSummary() throws {
        let sim = try SimulatorProcess(["--devices", "50"])
        let folder = try TempFolder()
        let journal = folder.path + "/journal.jsonl"
        try folder.write("run.lua", "log.info('script started')\n" + Self.scheduleOne + """
            fota.append(up.id, {"350000000000026", "350000000000034"})
            """)
        let result = try fota(["run"] + sim.options(journal: journal) + ["run.lua"], in: folder.path, environment: sim.environment)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        let banner = try #require(lines.first)
        #expect(banner == "fota: run against \(sim.endpoint), account \(sim.account), profile (none: credentials from the environment), "
                + "mode live (rehearsal: the endpoint is a fota sim), journal \(journal)", "\(result.stderr)")
        #expect(lines.firstIndex { $0.contains("script started") } == 1, "the banner comes before the script: \(result.stderr)")
        let runId = try #require(journalRecords(journal).first?["runId"] as? String)
        #expect(lines.last == "Run complete: 2 added, 0 removed, 1 scheduled, 0 cancelled, 0 failed. Run id \(runId) (fota journal show \(runId.prefix(8)) --journal \(journal)).")
        for secret in sim.secrets { #expect(!result.stderr.contains(secret)) }
    }

    @Test("no banner or summary under --simulate or --dry-run")
    func noBannerInRehearsalOrDryRun() throws {
        let sim = try SimulatorProcess(["--devices", "50"])
        let folder = try TempFolder()
        try folder.write("run.lua", Self.scheduleOne)
        let dry = try fota(["run", "--dry-run"] + sim.options(journal: folder.path + "/j.jsonl") + ["run.lua"],
                           in: folder.path, environment: sim.environment)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(!dry.stderr.contains("run against") && !dry.stderr.contains("Run complete"), "\(dry.stderr)")
        let simulated = try fota(["run", "--simulate", "--journal", folder.path + "/r.jsonl", "run.lua"], in: folder.path)
        #expect(simulated.status == 0, "\(simulated.stderr)")
        #expect(!simulated.stderr.contains("run against") && !simulated.stderr.contains("Run complete"), "\(simulated.stderr)")
    }

    @Test("--max-devices refuses a change above it, alone or with the run's earlier changes, naming call and count; nothing is sent")
    func maxDevices() throws {
        let sim = try SimulatorProcess(["--devices", "50"])
        let folder = try TempFolder()
        let journal = folder.path + "/journal.jsonl"
        try folder.write("run.lua", Self.scheduleOne + """
            local ok, e = pcall(fota.append, up.id, {"350000000000026", "350000000000034", "350000000000042"})
            print(ok, e.call, e.code)
            print(e.message)
            fota.append(up.id, {"350000000000026", "350000000000034", "350000000000042", "350000000000059", "350000000000067"})
            print("not reached")
            """)
        let result = try fota(["run", "--max-devices", "3"] + sim.options(journal: journal) + ["run.lua"],
                              in: folder.path, environment: sim.environment)
        #expect(result.status == 1)
        #expect(result.stdout == """
            false\tfota.append\tMAX_DEVICES
            this change names 3 devices, which would bring the run to 4, more than its limit of 3 (--max-devices 3); nothing was sent

            """, "\(result.stderr)")
        #expect(result.stderr.contains(
            "fota.append: MAX_DEVICES: this change names 5 devices, more than the run's limit of 3 (--max-devices 3); nothing was sent"),
                "\(result.stderr)")
        #expect(journalRecords(journal).map { $0["call"] as? String } == ["schedule", "schedule"], "only the schedule is journaled")
        #expect(result.stderr.contains("Run ended with exit status 1: 0 added, 0 removed, 1 scheduled, 0 cancelled, 8 failed."),
                "refused changes count as failed: \(result.stderr)")
        let counts = try Self.requestCounts(sim)
        #expect(counts["fotaMutating"] as? Int == 1, "only the schedule was sent: \(counts)")
        #expect((counts["byMethod"] as? [String: Int])?["PUT"] == nil, "no add request: \(counts)")
    }

    @Test("an append whose result would not fit the memory limit is refused before its first request, not after the devices are sent")
    func resultTooLargeForMemoryLimit() throws {
        let sim = try SimulatorProcess(["--devices", "50"])
        let folder = try TempFolder()
        let journal = folder.path + "/journal.jsonl"
        // 20,000 IMEIs fit in 8 MiB as a Lua list; a result table for 20,000 devices does not.
        try folder.write("run.lua", Self.scheduleOne + """
            local devices = {}
            for n = 1, 20000 do devices[n] = string.format("35%013d", n) end
            local ok, e = pcall(fota.append, up.id, devices)
            print(ok, e.call, e.code)
            print(e.message)
            local small = fota.append(up.id, {"350000000000026", "350000000000034"})
            print(#small.devices, #small.succeeded)
            """)
        let result = try fota(["run", "--memory-limit", "8"] + sim.options(journal: journal) + ["run.lua"],
                              in: folder.path, environment: sim.environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("2 added, 0 removed, 1 scheduled, 0 cancelled, 20000 failed"), "refused devices count as failed: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "false\tfota.append\tMEMORY", "\(result.stdout)\n\(result.stderr)")
        #expect(lines.count > 1 && lines[1].hasPrefix("the result of 20000 devices needs about ")
            && lines[1].contains("of its 8.0 MiB limit are free (--memory-limit); nothing was sent"), "\(result.stdout)")
        #expect(lines.last == "2\t2", "a change whose result fits is sent: \(result.stdout)\n\(result.stderr)")
        #expect(!result.stderr.contains("memory limit exceeded"), "the refusal is not the run's memory error: \(result.stderr)")
        let intents = journalRecords(journal).filter { $0["call"] as? String == "append" && $0["phase"] as? String == "intent" }
        #expect(intents.map { $0["deviceCount"] as? Int } == [2], "only the small append is journaled: \(intents)")
        let counts = try Self.requestCounts(sim)
        #expect(counts["fotaMutating"] as? Int == 2, "the schedule and the small append's one batch: \(counts)")
    }

    @Test("a bad IMEI at the end of a list of several batches stops the call before its first request: nothing sent or journaled")
    func badLastDeviceSendsNothing() throws {
        let sim = try SimulatorProcess(["--devices", "50"])
        let folder = try TempFolder()
        let journal = folder.path + "/journal.jsonl"
        try folder.write("run.lua", Self.scheduleOne + """
            local devices = {}
            for n = 1, 4999 do devices[n] = string.format("35%013d", n) end
            for _, last in ipairs({"3500000000050001", 350000000005000}) do
              devices[5000] = last
              local ok, e = pcall(fota.append, up.id, devices)
              print(ok, e)
            end
            """)
        let result = try fota(["run"] + sim.options(journal: journal) + ["run.lua"], in: folder.path, environment: sim.environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("false\t") && result.stdout.contains("device #5000 '3500000000050001' is not an IMEI (15 digits)"),
                "\(result.stdout)")
        #expect(result.stdout.contains("device #5000 is a number, not an IMEI string"), "\(result.stdout)")
        #expect(!journalRecords(journal).contains { $0["call"] as? String == "append" }, "nothing of the append is journaled")
        let counts = try Self.requestCounts(sim)
        #expect(counts["fotaMutating"] as? Int == 1, "only the schedule was sent: \(counts)")
    }

    @Test("FOTA_MAX_DEVICES sets the limit; a bad value is a usage error naming it")
    func maxDevicesFromEnvironment() throws {
        let sim = try SimulatorProcess(["--devices", "50"])
        let folder = try TempFolder()
        try folder.write("run.lua", """
            local fw = fota.firmware()[1]
            fota.schedule{firmwareName = fw.firmwareName, firmwareTo = fw.toVersion, startDate = "2026-03-10",
              devices = {"350000000000018", "350000000000026"}}
            """)
        var environment = sim.environment
        environment["FOTA_MAX_DEVICES"] = "1"
        let result = try fota(["run"] + sim.options(journal: folder.path + "/j.jsonl") + ["run.lua"], in: folder.path, environment: environment)
        #expect(result.status == 1)
        #expect(result.stderr.contains("fota.schedule: MAX_DEVICES: this change names 2 devices, more than the run's limit of 1 (FOTA_MAX_DEVICES=1)"),
                "\(result.stderr)")
        let counts = try Self.requestCounts(sim)
        #expect(counts["fotaMutating"] as? Int == 0, "\(counts)")
        // A dry run refuses the same way, so it shows what the real run would hit.
        let dry = try fota(["run", "--dry-run"] + sim.options(journal: folder.path + "/j.jsonl") + ["run.lua"], in: folder.path, environment: environment)
        #expect(dry.status == 1)
        #expect(dry.stderr.contains("fota.schedule: MAX_DEVICES: this change names 2 devices"), "\(dry.stderr)")
        environment["FOTA_MAX_DEVICES"] = "many"
        let bad = try fota(["run"] + sim.options(journal: folder.path + "/j.jsonl") + ["run.lua"], in: folder.path, environment: environment)
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("FOTA_MAX_DEVICES 'many' is not a number of devices"), "\(bad.stderr)")
    }

    @Test("--strict: a run whose changes partly failed exits 4; without it, 0; the summary counts the failure")
    func strict() throws {
        let sim = try SimulatorProcess(["--devices", "50"])
        let folder = try TempFolder()
        try folder.write("run.lua", Self.scheduleOne + """
            local ok, e = pcall(fota.cancel, "00000000-0000-4000-8000-000000000000")
            print(ok)
            """)
        let options = sim.options(journal: folder.path + "/j.jsonl")
        let lenient = try fota(["run"] + options + ["run.lua"], in: folder.path, environment: sim.environment)
        #expect(lenient.status == 0, "\(lenient.stderr)")
        #expect(lenient.stdout == "false\n")
        #expect(lenient.stderr.contains("Run complete: 0 added, 0 removed, 1 scheduled, 0 cancelled, 1 failed."), "\(lenient.stderr)")
        let strict = try fota(["run", "--strict"] + options + ["run.lua"], in: folder.path, environment: sim.environment)
        #expect(strict.status == 4, "\(strict.stderr)")
        #expect(strict.stderr.contains("--strict: 1 of the run's changes failed"), "\(strict.stderr)")
        // All changes succeeded: --strict changes nothing.
        try folder.write("fine.lua", Self.scheduleOne)
        let fine = try fota(["run", "--strict"] + options + ["fine.lua"], in: folder.path, environment: sim.environment)
        #expect(fine.status == 0, "\(fine.stderr)")
    }

    /// The simulator's request counters (`GET /_sim/requests/counts`).
    static func requestCounts(_ sim: SimulatorProcess) throws -> [String: Any] {
        let body = try #require(try sim.control("GET", "/_sim/requests/counts").body)
        return try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
    }
}
