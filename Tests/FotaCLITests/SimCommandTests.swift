import Foundation
import Testing

/// `fota sim` as a command group: `--env` for shells, and the control commands (`clock`, `advance`, `fail`,
/// `state`) against a running simulator (docs/simulator.md, Steering a running simulator).
@Suite("fota sim commands", .serialized)
struct SimCommandTests {
    /// `fota sim <arguments>` against `sim`, found through FOTA_ENDPOINT like after `. ./sim.env`.
    func control(_ sim: SimulatorProcess, _ arguments: [String]) throws -> Finished {
        try fota(["sim"] + arguments, environment: ["FOTA_ENDPOINT": sim.endpoint], limit: 60)
    }

    /// A `fota sim --env` child process and its first stdout line, read once it is there.
    func envSimulator(_ extra: [String] = []) throws -> (process: Subprocess, line: String) {
        let process = try Subprocess(fotaBinary, ["sim", "--port", "0", "--env", "--devices", "50"] + extra)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let out = (try? String(contentsOfFile: "/proc/\(process.pid)/fd/1", encoding: .utf8)) ?? ""
            if out.hasSuffix("\n"), let line = out.split(separator: "\n").first { return (process, String(line)) }
            usleep(20_000)
        }
        kill(process.pid, SIGTERM)
        _ = process.wait(limit: 10)
        throw CLITestFailure("fota sim --env printed no line")
    }

    @Test("--env prints one shell-quoted export line at once; sourcing it lets the control commands find the simulator")
    func envLine() throws {
        let (process, line) = try envSimulator()
        defer {
            kill(process.pid, SIGTERM)
            _ = process.wait(limit: 10)
        }
        #expect(line.hasPrefix("export FOTA_ENDPOINT='http://127.0.0.1:"))
        for name in ["THINGSPACE_CLIENT_ID='sim-client-1'", "THINGSPACE_CLIENT_SECRET='sim-secret-1'", "THINGSPACE_USERNAME='sim-user'",
                     "THINGSPACE_PASSWORD='sim-password-1'", "FOTA_ACCOUNT='0000000001-00001'"] {
            #expect(line.contains(" \(name)"), "\(name) in \(line)")
        }
        let folder = try TempFolder()
        let file = try folder.write("sim.env", line + "\n")
        let fotaPath = fotaBinary.replacingOccurrences(of: "'", with: #"'\''"#)
        let shell = try Subprocess("/bin/sh", ["-c", ". '\(file)' && printf '%s|%s\\n' \"$FOTA_ACCOUNT\" \"$THINGSPACE_PASSWORD\" && '\(fotaPath)' sim clock"],
                                   environment: ["FOTA_ENDPOINT": nil]).wait()
        #expect(shell.status == 0, "\(shell.stderr)")
        #expect(shell.stdout == "0000000001-00001|sim-password-1\n2026-03-02T09:00:00Z (epoch 1772442000)\n")
    }

    @Test("without --env the first line stays the JSON object, and `fota sim serve` is the same server")
    func jsonLineAndServe() throws {
        let sim = try SimulatorProcess(["--devices", "50"])
        #expect(sim.account == "0000000001-00001")
        #expect(sim.endpoint.hasPrefix("http://127.0.0.1:"))
        let process = try Subprocess(fotaBinary, ["sim", "serve", "--port", "0", "--devices", "10"])
        defer {
            kill(process.pid, SIGTERM)
            _ = process.wait(limit: 10)
        }
        let deadline = Date().addingTimeInterval(30)
        var first: [String: Any]?
        while first == nil && Date() < deadline {
            let out = (try? String(contentsOfFile: "/proc/\(process.pid)/fd/1", encoding: .utf8)) ?? ""
            first = out.split(separator: "\n").first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            if first == nil { usleep(20_000) }
        }
        #expect(first?["endpoint"] is String)
    }

    @Test("clock shows the simulated time; advance moves it by durations or to a date")
    func clockAndAdvance() throws {
        let sim = try SimulatorProcess(["--devices", "50"])
        let clock = try control(sim, ["clock"])
        #expect(clock.status == 0)
        #expect(clock.stdout == "2026-03-02T09:00:00Z (epoch 1772442000)\n")
        for (duration, expected) in [("2h", "2026-03-02T11:00:00Z"), ("90", "2026-03-02T11:01:30Z"), ("30s", "2026-03-02T11:02:00Z"),
                                     ("58m", "2026-03-02T12:00:00Z"), ("1d", "2026-03-03T12:00:00Z")] {
            let moved = try control(sim, ["advance", duration])
            #expect(moved.status == 0, "\(duration): \(moved.stderr)")
            #expect(moved.stdout.hasPrefix(expected + " "), "\(duration): \(moved.stdout)")
        }
        let to = try fota(["sim", "advance", "--to", "2026-03-10", "--json", "--endpoint", sim.endpoint])
        #expect(to.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(to.stdout.utf8)) as? [String: Any]
        #expect(object?["now"] as? String == "2026-03-10T00:00:00Z")
        #expect(object?["epochSeconds"] as? Int == 1_773_100_800)
        let back = try control(sim, ["advance", "--to", "2026-01-01"])
        #expect(back.status == 1)
        #expect(back.stderr.contains("not before 2026-03-10T00:00:00Z"))
        for bad in [["advance"], ["advance", "2x"], ["advance", "-5"], ["advance", "1h", "--to", "2026-03-11"]] {
            let refused = try control(sim, bad)
            #expect(refused.status == 64, "\(bad)")
        }
        #expect(try control(sim, ["clock"]).stdout.hasPrefix("2026-03-10T00:00:00Z"))
    }

    @Test("fail --share fails that share of a running upgrade's devices; state shows the campaigns")
    func failShareAndState() throws {
        let sim = try SimulatorProcess(["--devices", "300"])
        let folder = try TempFolder()
        let canary = try fota(["run", "--endpoint", sim.endpoint, "--account", sim.account, "--journal", folder.path + "/journal.jsonl",
                               "examples/canary.lua", "--count", "4", "--start", "2026-03-02"],
                              in: CampaignExampleTests.packageRoot, environment: sim.environment)
        #expect(canary.status == 0, "\(canary.stderr)")
        let id = try #require(CampaignExampleTests.capture("Scheduled upgrade (\(CampaignExampleTests.uuidPattern))", in: canary.stdout))
        // Scheduled at 09:00 for today: it starts 90 minutes later; at 11:00 no device has reported yet.
        #expect(try control(sim, ["advance", "2h"]).status == 0)
        let failed = try control(sim, ["fail", "--upgrade", id, "--share", "50%", "--reason", "Battery low"])
        #expect(failed.status == 0, "\(failed.stderr)")
        let lines = failed.stdout.split(separator: "\n")
        #expect(lines.first == "failed 2 device(s) of upgrade \(id)")
        #expect(lines.dropFirst().count == 2)
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("  ") && $0.trimmingCharacters(in: .whitespaces).count == 15 })

        let state = try control(sim, ["state"])
        #expect(state.status == 0)
        #expect(state.stdout.contains("now        2026-03-02T11:00:00Z"))
        #expect(state.stdout.contains("InProgress 1"))
        // Two devices are still running, so something is scheduled.
        #expect(state.stdout.contains("next       2026-"))
        #expect(state.stdout.contains("account    \(sim.account) (300 devices)"))
        let json = try control(sim, ["state", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((object?["upgradesByStatus"] as? [String: Any])?["InProgress"] as? Int == 1)

        let device = try #require(lines.dropFirst().first).trimmingCharacters(in: .whitespaces)
        let details = try #require(try sim.control("GET", "/_sim/events?since=0&upgrade=\(id)").body)
        let events = try #require((try JSONSerialization.jsonObject(with: details) as? [String: Any])?["events"] as? [[String: Any]])
        #expect(events.contains { $0["deviceId"] as? String == device && $0["status"] as? String == "UpgradeFailed" && $0["reason"] as? String == "Battery low" })

        let unknown = try control(sim, ["fail", "--upgrade", "00000000-0000-4000-8000-000000000000", "--share", "0.05"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("Invalid upgradeId"))
        for bad in [["fail", "--upgrade", id], ["fail", "--upgrade", id, "--share", "120%"], ["fail", "--upgrade", id, "--share", "x"],
                    ["fail", "--upgrade", id, "--share", "5%", "--device", "123456789012345"]] {
            #expect(try control(sim, bad).status == 64, "\(bad)")
        }
    }

    @Test("control commands say clearly when nothing answers, when the endpoint is not a fota sim, and when none is given")
    func unreachableAndNotASimulator() throws {
        let nothing = try fota(["sim", "clock", "--endpoint", "http://127.0.0.1:9"])
        #expect(nothing.status == 69)
        #expect(nothing.stderr.contains("nothing answers at http://127.0.0.1:9"))
        let sim = try SimulatorProcess(["--devices", "10"])
        // Under /api the simulator answers like the ThingSpace gateway, not like a fota sim's control API.
        let other = try fota(["sim", "state", "--endpoint", sim.endpoint + "/api"])
        #expect(other.status == 78)
        #expect(other.stderr.contains("is not a fota sim"))
        let none = try fota(["sim", "clock"], environment: ["FOTA_ENDPOINT": nil])
        #expect(none.status == 78)
        #expect(none.stderr.contains("pass --endpoint URL or set FOTA_ENDPOINT"))
        let notURL = try fota(["sim", "clock"], environment: ["FOTA_ENDPOINT": "ftp://x"])
        #expect(notURL.status == 78)
        #expect(notURL.stderr.contains("FOTA_ENDPOINT \"ftp://x\" is not an http(s) URL"))
    }

    @Test("campaign-model flags are checked and name the flag at fault")
    func campaignFlags() throws {
        let cases: [([String], String)] = [
            (["--failure-rate", "2"], "--failure-rate must be between 0 and 1"),
            (["--failure-rate", "=0.1"], "--failure-rate expects R or MODEL=R"),
            (["--failure-rate", "BG96=x"], "--failure-rate BG96 expects a share"),
            (["--always-on", "90%"], "shares must add up to at most 1"),
            (["--upgrade-duration", "soon"], "--upgrade-duration expects a duration"),
            (["--lwm2m-retry-at", "25:00"], "--lwm2m-retry-at expects a UTC time of day"),
            (["--licensed", "-1"], "--licensed"),
        ]
        for (flags, message) in cases {
            let result = try fota(["sim", "--port", "0"] + flags)
            #expect(result.status == 64, "\(flags)")
            #expect(result.stderr.contains(message), "\(flags): \(result.stderr)")
        }
        let (process, line) = try envSimulator(["--failure-rate", "0.1", "--failure-rate", "BG96=50%", "--always-on", "0.5",
                                                "--validation-delay", "10m", "--lwm2m-retry-at", "03:30", "--strict-keys"])
        kill(process.pid, SIGTERM)
        _ = process.wait(limit: 10)
        #expect(line.hasPrefix("export FOTA_ENDPOINT="))
    }

    @Test("a simulator whose credentials cannot be written (stdout a pipe nobody reads) says so and exits 1, not a crash")
    func credentialsUnwritable() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        close(ends[0])
        defer { close(ends[1]) }
        for flags in [["--env"], []] {
            let finished = try Subprocess(fotaBinary, ["sim", "--port", "0", "--devices", "10"] + flags, standardOutput: ends[1])
                .wait(limit: 60)
            #expect(!finished.signalled && finished.status == 1, "\(flags): \(finished.status) \(finished.stderr)")
            #expect(finished.stderr.contains("the credentials could not be written on standard output"), "\(finished.stderr)")
        }
    }
}
