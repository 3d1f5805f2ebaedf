import Foundation
import Testing

/// A rollout under a `fota sim` (which keeps its upgrades between runs), killed with SIGKILL at
/// many points and run again until it finishes, ends as an uninterrupted run does: one upgrade
/// per wave, every device in exactly one wave, the same report.
@Suite("fota.rollout killed and re-run", .serialized)
struct RolloutKillTests {
    /// The script freezes its input in fota.state on its first run (a later run would see the
    /// fleet after some upgrades), then rolls out in three waves with a soak between them.
    static let script = #"""
        local input = fota.state.get("kill-test-input")
        if not input then
          local images = {}
          for _, image in ipairs(fota.firmware()) do
            images[image.make .. "/" .. image.model .. "/" .. image.fromVersion] = image
          end
          local groups = {}
          for d in fota.devices() do
            local k = d.make and d.model and d.firmware and (d.make .. "/" .. d.model .. "/" .. d.firmware)
            if k and images[k] and d.fotaEligible and d.licenseAssigned then
              groups[k] = groups[k] or {}
              table.insert(groups[k], d.deviceId)
            end
          end
          local best
          for k, list in pairs(groups) do
            if not best or #list > #groups[best] or (#list == #groups[best] and k < best) then best = k end
          end
          local devices = groups[best]
          table.sort(devices)
          input = {firmwareName = images[best].firmwareName, firmwareTo = images[best].toVersion,
                   devices = table.move(devices, 1, 12, 1, {})}
          fota.state.put("kill-test-input", input)
        end
        local report = fota.rollout{
          name = "kill-test", firmwareName = input.firmwareName, firmwareTo = input.firmwareTo, devices = input.devices,
          waves = {0.25, 0.5, 1.0}, soak = 3600, onHalt = "keep",
          gate = function(wave, stats) return stats.failureRate <= 0.5, string.format("failure rate %.2f", stats.failureRate) end,
        }
        print(json.encode(report))
        """#

    /// A simulator whose devices are all connected and never fail, so a wave's outcome does not
    /// depend on when (in simulated time) it was scheduled; a little latency widens the windows
    /// between a request and what the script does with its answer.
    static func simulator() throws -> SimulatorProcess {
        try SimulatorProcess(["--devices", "200", "--failure-rate", "0", "--always-on", "1", "--daily-check-in", "0",
                              "--often-off", "0", "--latency-ms", "20"])
    }

    /// One folder (journal, state, script) and the simulator a rollout runs against.
    struct Campaign {
        let sim: SimulatorProcess
        let folder: TempFolder
        init() throws {
            sim = try RolloutKillTests.simulator()
            folder = try TempFolder()
            try folder.write("rollout.lua", RolloutKillTests.script)
        }
        var journal: String { folder.path + "/journal.jsonl" }

        func start() throws -> Subprocess {
            try Subprocess(fotaBinary, ["run"] + sim.options(journal: journal) + ["--state", folder.path + "/state", "rollout.lua"],
                           in: folder.path, environment: sim.environment)
        }

        /// Runs to the end; the report it printed (empty when it printed none), its status and stderr.
        func finish() throws -> Run {
            let finished = try start().wait(limit: 120)
            let line = finished.stdout.split(separator: "\n").last.map(String.init) ?? ""
            let report = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
            return Run(report: report, status: finished.status, stderr: finished.stderr, upgrades: try upgrades())
        }

        /// The simulator's upgrades by status (statuses with none left out).
        func upgrades() throws -> [String: Int] {
            let body = try sim.control("GET", "/_sim/state").body ?? Data()
            let state = try JSONSerialization.jsonObject(with: body) as? [String: Any]
            return (state?["upgradesByStatus"] as? [String: Int] ?? [:]).filter { $0.value > 0 }
        }
    }

    /// How a run that was left to finish ended, and the simulator's upgrades after it.
    struct Run: @unchecked Sendable { // the report is JSON read once and only read afterwards
        var report: [String: Any]
        var status: Int32
        var stderr: String
        var upgrades: [String: Int]
    }

    /// Runs `body` on a thread of its own: the scenarios block for minutes (processes, polling), which
    /// on the concurrency pool would starve the tests running beside them. Expectations stay on the test's task.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    /// Where a run is killed: once `ready` holds for its stderr (the rollout's step lines) and journal.
    struct KillPoint: CustomStringConvertible, Sendable {
        var description: String
        var ready: @Sendable (_ stderr: String, _ journal: [[String: Any]]) -> Bool

        /// After the rollout has logged `count` steps: the run is in (or just past) the step after.
        static func step(_ count: Int) -> KillPoint {
            KillPoint(description: "after step line \(count)") { stderr, _ in
                stderr.components(separatedBy: "rollout kill-test: ").count - 1 >= count
            }
        }

        /// Once the journal has a line of `call`/`phase` (with `key`); a schedule's intent is
        /// written before its request, which the simulator's latency keeps in flight.
        static func journaled(_ call: String, _ phase: String, key: String? = nil) -> KillPoint {
            KillPoint(description: "at the \(call) \(phase) line\(key.map { " of " + $0 } ?? "")") { _, journal in
                journal.contains { $0["call"] as? String == call && $0["phase"] as? String == phase
                    && (key == nil || $0["key"] as? String == key) }
            }
        }
    }

    static let killPoints: [KillPoint] = [
        .journaled("schedule", "intent", key: "kill-test/wave-1"),
        .journaled("schedule", "intent", key: "kill-test/wave-2"),
        .journaled("schedule", "intent", key: "kill-test/wave-3"),
        .journaled("rollout", "decision"),
        .step(1), .step(2), .step(3), .step(4), .step(5), .step(6), .step(7), .step(8), .step(10), .step(12), .step(14),
    ]

    /// The report without upgrade ids (each simulator hands out its own).
    static func comparable(_ report: [String: Any]) -> NSDictionary {
        var report = report
        report["waves"] = (report["waves"] as? [[String: Any]])?.map { wave in
            var wave = wave
            wave["upgradeId"] = nil
            return wave
        }
        return NSDictionary(dictionary: report)
    }

    /// Kills `run` once `point` is reached; false when the run ended first.
    static func kill(_ run: Subprocess, at point: KillPoint, journal: String) -> Bool {
        let deadline = Date().addingTimeInterval(60)
        while run.isRunning && Date() < deadline {
            let stderr = (try? String(contentsOfFile: "/proc/\(run.pid)/fd/2", encoding: .utf8)) ?? ""
            if point.ready(stderr, journalRecords(journal)) {
                Foundation.kill(run.pid, SIGKILL)
                return run.wait(limit: 30).signalled
            }
            usleep(5_000)
        }
        return false
    }

    /// What one kill point did: whether the run was killed before it ended, the finishing run, and
    /// the upgrade ids and read-backs its journal holds.
    struct Scenario: Sendable {
        var point: String
        var killed: Bool
        var run: Run
        var journaledUpgrades: Int
        var readBack: Bool
    }

    @Test("killed at 15 points and re-run, a rollout ends with one upgrade per wave, each device in one wave, and the uninterrupted report")
    func killedAndRerun() async throws {
        let (expected, again, scenarios) = try await Self.offPool { () throws -> (Run, Run, [Scenario]) in
            let baseline = try Campaign()
            let expected = try baseline.finish()
            let again = try baseline.finish()
            var scenarios: [Scenario] = []
            for point in Self.killPoints {
                let campaign = try Campaign()
                let killed = Self.kill(try campaign.start(), at: point, journal: campaign.journal)
                let run = try campaign.finish()
                let records = journalRecords(campaign.journal)
                let ids = records.filter { $0["phase"] as? String == "outcome" || $0["phase"] as? String == "reconcile" }
                    .compactMap { $0["upgradeId"] as? String }
                scenarios.append(Scenario(point: point.description, killed: killed, run: run, journaledUpgrades: Set(ids).count,
                                          readBack: records.contains { $0["phase"] as? String == "reconcile" }))
            }
            return (expected, again, scenarios)
        }
        #expect(expected.status == 0, "\(expected.stderr)")
        #expect(expected.report["status"] as? String == "finished")
        let waves = expected.report["waves"] as? [[String: Any]] ?? []
        let devices = waves.flatMap { $0["devices"] as? [String] ?? [] }
        #expect(waves.map { ($0["devices"] as? [String])?.count } == [3, 3, 6])
        #expect(Set(devices).count == 12 && devices.count == 12)
        #expect(expected.upgrades == ["Finished": 3])
        #expect(again.status == 0 && again.stderr.contains("rollout kill-test: already finished; nothing to do"), "\(again.stderr)")
        #expect(Self.comparable(again.report) == Self.comparable(expected.report))
        #expect(again.upgrades == ["Finished": 3], "a re-run of a finished rollout schedules nothing")

        for scenario in scenarios {
            #expect(scenario.run.status == 0, "killed \(scenario.point): \(scenario.run.stderr)")
            #expect(Self.comparable(scenario.run.report) == Self.comparable(expected.report), "killed \(scenario.point): \(scenario.run.report)")
            #expect(scenario.run.upgrades == ["Finished": 3], "killed \(scenario.point): one upgrade per wave")
            #expect(scenario.journaledUpgrades == 3, "killed \(scenario.point): the journal knows the three upgrades")
        }
        let killed = scenarios.filter(\.killed).count
        #expect(killed >= 10, "only \(killed) runs were killed before they ended")
        // The kills at a schedule's intent land while its request is in flight: the re-run had to read back.
        #expect(scenarios.contains { $0.readBack }, "no kill landed between a schedule's intent and its outcome")
    }

    @Test("killed again and again, each run a step further, a rollout still ends as an uninterrupted one")
    func killedRepeatedly() async throws {
        let (expected, runs, final) = try await Self.offPool { () throws -> (Run, Int, Run) in
            let expected = try Campaign().finish()
            let campaign = try Campaign()
            var runs = 0
            // Each run is killed two step lines after it starts (a re-run logs "resuming" first).
            while runs < 20, Self.kill(try campaign.start(), at: .step(2), journal: campaign.journal) { runs += 1 }
            return (expected, runs, try campaign.finish())
        }
        #expect(runs >= 3, "only \(runs) runs were killed")
        #expect(final.status == 0, "\(final.stderr)")
        #expect(Self.comparable(final.report) == Self.comparable(expected.report), "\(final.report)")
        #expect(final.upgrades == ["Finished": 3])
    }
}

@Suite("fota.state across processes")
struct StateLockTests {
    @Test("a second run on a state folder that a running run holds fails, naming the folder; the first run's value stays")
    func secondRunRefused() throws {
        let folder = try TempFolder()
        let state = folder.path + "/state"
        try folder.write("hold.lua", """
            fota.state.put("plan", {wave = 1})
            log.info("holding the state")
            fota.sleep(60)
            """)
        try folder.write("other.lua", "fota.state.put('plan', {wave = 2})")
        let holder = try Subprocess(fotaBinary, ["run", "--state", state, "hold.lua"], in: folder.path,
                                    environment: ["XDG_CONFIG_HOME": "/nonexistent", "XDG_STATE_HOME": folder.path])
        defer {
            kill(holder.pid, SIGKILL)
            _ = holder.wait(limit: 10)
        }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline,
              !((try? String(contentsOfFile: "/proc/\(holder.pid)/fd/2", encoding: .utf8)) ?? "").contains("holding the state") {
            usleep(20_000)
        }
        let second = try fota(["run", "--state", state, "other.lua"], in: folder.path,
                              environment: ["XDG_CONFIG_HOME": "/nonexistent", "XDG_STATE_HOME": folder.path])
        #expect(second.status != 0)
        #expect(second.stderr.contains("the state folder \(state) is in use: another run holds its lock"), "\(second.stderr)")
        let saved = try String(contentsOfFile: state + "/plan.json", encoding: .utf8)
        #expect(saved == "{\"wave\":1}\n")
    }
}
