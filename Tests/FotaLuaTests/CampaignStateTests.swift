import Foundation
@testable import FotaLua
import LuaHost
import Testing

/// Lua that schedules the campaign for `devices` under `key` as `up`.
private func keyed(_ campaign: (firmwareName: String, firmwareTo: String, devices: [String]), _ devices: [String], key: String) -> String {
    """
    local up = fota.schedule{firmwareName = "\(campaign.firmwareName)", firmwareTo = "\(campaign.firmwareTo)",
      startDate = "2026-03-10", devices = \(luaList(devices)), key = "\(key)"}
    """
}

@Suite("fota.state")
struct CampaignStateTests {
    @Test("a value put in one run is what the next run gets, from one file per name, with no temporary left")
    func roundTrip() async throws {
        let sim = try await SimulatedAccount.start(devices: 20)
        defer { Task { await sim.stop() } }
        let folder = sim.folder + "/state"
        let (first, _) = try await sim.run("""
            print(fota.state.get("plan"))
            fota.state.put("plan", {waves = {1, 2.5, "three"}, done = false, name = "canary"})
            fota.state.put("count", 41)
            fota.state.put("count", 42)
            """, state: CampaignState(folder: folder))
        #expect(first.finished, "\(first.outcome)")
        #expect(first.output == "nil\n")
        let (second, _) = try await sim.run("""
            local p = fota.state.get("plan")
            print(p.name, p.done, p.waves[1], p.waves[2], p.waves[3], fota.state.get("count"))
            """, state: CampaignState(folder: folder))
        #expect(second.finished, "\(second.outcome)")
        #expect(second.output == "canary\tfalse\t1\t2.5\tthree\t42\n")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(files == [".lock", "count.json", "plan.json"])
    }

    @Test("a name with a path separator, a leading dot or nothing at all is refused, naming it")
    func badNames() async throws {
        let sim = try await SimulatedAccount.start(devices: 20)
        defer { Task { await sim.stop() } }
        let (result, _) = try await sim.run("""
            for _, name in ipairs({"a/b", "../up", "", ".hidden"}) do
              local ok, err = pcall(fota.state.put, name, 1)
              print(ok, err)
            end
            """, state: CampaignState(folder: sim.folder + "/state"))
        #expect(result.finished, "\(result.outcome)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("false") && lines[0].contains("'a/b'") && lines[0].contains("path separator"))
        #expect(lines[1].contains("'../up'") && lines[1].contains("starts with '.'"))
        #expect(lines[2].contains("is empty"))
        #expect(lines[3].contains("'.hidden'"))
        #expect(!FileManager.default.fileExists(atPath: sim.folder + "/up.json"))
    }

    @Test("a second run on a state folder another run holds gets an error naming the folder")
    func lockHeld() async throws {
        let sim = try await SimulatedAccount.start(devices: 20)
        defer { Task { await sim.stop() } }
        let folder = sim.folder + "/state"
        let holder = CampaignState(folder: folder)
        _ = try holder.get("anything", budget: .unlimited) // takes the lock, as a running run does
        let (result, _) = try await sim.run("""
            local ok, err = pcall(fota.state.get, "plan")
            print(ok, err.code, err.message)
            """, state: CampaignState(folder: folder))
        #expect(result.finished, "\(result.outcome)")
        #expect(result.output.hasPrefix("false\tSTATE\tthe state folder \(folder) is in use: another run holds its lock"))
    }

    @Test("S33 attack: symbolic links planted in the state folder (a value, a put's temporary, the lock) are never followed")
    func plantedLinks() async throws {
        let sim = try await SimulatedAccount.start(devices: 20)
        defer { Task { await sim.stop() } }
        let folder = sim.folder + "/state", outside = sim.folder + "/outside"
        for path in [folder, outside] { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        try #"{"token": "s3cret-outside"}"#.write(toFile: outside + "/secret.json", atomically: true, encoding: .utf8)
        try "keep me\n".write(toFile: outside + "/victim.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: folder + "/plan.json", withDestinationPath: outside + "/secret.json")
        try FileManager.default.createSymbolicLink(atPath: folder + "/count.json.tmp", withDestinationPath: outside + "/victim.txt")
        #expect(mkfifo(folder + "/pipe.json", 0o600) == 0)
        let (result, _) = try await sim.run("""
            local ok, err = pcall(fota.state.get, "plan")
            print(ok, err and err.message)
            print(pcall(fota.state.put, "count", 42))
            print(fota.state.get("count"))
            local ok2, err2 = pcall(fota.state.get, "pipe")
            print(ok2, err2 and err2.message)
            """, state: CampaignState(folder: folder))
        #expect(result.finished, "\(result.outcome)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(result.output)")
        #expect(lines.first?.hasPrefix("false\tcannot read \(folder)/plan.json: it is a symbolic link") == true, "\(result.output)")
        #expect(!result.output.contains("s3cret"))
        #expect(lines.dropFirst().first == "true")
        #expect(lines.dropFirst(2).first == "42")
        #expect(lines.last?.hasPrefix("false\tcannot read \(folder)/pipe.json: it is not a regular file") == true, "\(result.output)")
        #expect(try String(contentsOfFile: outside + "/victim.txt", encoding: .utf8) == "keep me\n")
        // The lock: a link under its name is refused, not created or opened through.
        let lockFolder = sim.folder + "/state2"
        try FileManager.default.createDirectory(atPath: lockFolder, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: lockFolder + "/.lock", withDestinationPath: outside + "/lock-target")
        #expect(throws: StateError.self) { _ = try CampaignState(folder: lockFolder).get("plan", budget: .unlimited) }
        #expect(!FileManager.default.fileExists(atPath: outside + "/lock-target"))
    }

    @Test("a dry run reads the folder but keeps its puts in memory")
    func dryRunDoesNotWrite() async throws {
        let sim = try await SimulatedAccount.start(devices: 20)
        defer { Task { await sim.stop() } }
        let folder = sim.folder + "/state"
        _ = try await sim.run("fota.state.put('n', 1)", state: CampaignState(folder: folder))
        let (dry, _) = try await sim.run("""
            print(fota.state.get('n')); fota.state.put('n', 2); print(fota.state.get('n'))
            """, settings: sim.settings(.dryRun), state: CampaignState(folder: folder))
        #expect(dry.output == "1\n2\n")
        let (after, _) = try await sim.run("print(fota.state.get('n'))", state: CampaignState(folder: folder))
        #expect(after.output == "1\n")
    }

    @Test("a value larger than the script's memory limit is refused, and nothing is written")
    func memoryLimit() async throws {
        let sim = try await SimulatedAccount.start(devices: 20)
        defer { Task { await sim.stop() } }
        let folder = sim.folder + "/state"
        let (result, _) = try await sim.run("""
            local chunk = string.rep("x", 8 << 20)
            local big = {chunk, chunk, chunk, chunk}
            local ok, err = pcall(fota.state.put, "big", big)
            print(ok, tostring(err):match("memory") ~= nil)
            """, state: CampaignState(folder: folder), limits: LuaLimits(memoryBytes: 24 << 20))
        #expect(!FileManager.default.fileExists(atPath: folder + "/big.json"))
        #expect(result.output == "false\ttrue\n" || result.failure?.message.contains("memory") == true, "\(result.outcome) \(result.output)")
    }
}

@Suite("fota.schedule keys")
struct ScheduleKeyTests {
    @Test("the same key in the same run and in a later run returns the upgrade scheduled first; one POST")
    func sameKeyReturnsExisting() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 3)
        let (first, _) = try await sim.run("""
            \(keyed(campaign, campaign.devices, key: "canary-1"))
            local again = fota.schedule{firmwareName = "\(campaign.firmwareName)", firmwareTo = "\(campaign.firmwareTo)",
              startDate = "2026-03-11", devices = \(luaList(campaign.devices.reversed())), key = "canary-1"}
            print(up.id == again.id, up.existing, again.existing, up.key)
            """)
        #expect(first.finished, "\(first.outcome)")
        #expect(first.output == "true\tnil\ttrue\tcanary-1\n")
        let (second, _) = try await sim.run("""
            \(keyed(campaign, campaign.devices, key: "canary-1"))
            print(up.existing, #up.deviceList)
            """)
        #expect(second.output == "true\t3\n", "\(second.outcome)")
        #expect(try await sim.mutatingRequests() == 1)
        let intents = try sim.journal().filter { $0["phase"] as? String == "intent" }
        #expect(intents.count == 1)
        #expect(intents.first?["key"] as? String == "canary-1")
    }

    @Test("the same key with other devices or firmware is KEY_CONFLICT naming what differs, and nothing is sent")
    func conflict() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 3)
        let (result, _) = try await sim.run("""
            \(keyed(campaign, Array(campaign.devices.prefix(2)), key: "k"))
            local ok, err = pcall(fota.schedule, {firmwareName = "\(campaign.firmwareName)", firmwareTo = "OTHER",
              startDate = "2026-03-10", devices = \(luaList(campaign.devices)), key = "k"})
            print(ok, err.code)
            print(err.message)
            """)
        #expect(result.finished, "\(result.outcome)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "false\tKEY_CONFLICT")
        #expect(lines.last?.contains("firmwareTo 'OTHER'") == true)
        #expect(lines.last?.contains("1 not in the keyed upgrade") == true)
        #expect(try await sim.mutatingRequests() == 1)
    }

    @Test("a run that died between intent and outcome: the next run reads back, finds the upgrade and journals it")
    func reconcileFound() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 2)
        let (first, _) = try await sim.run("\(keyed(campaign, campaign.devices, key: "w1"))\nprint(up.id)")
        let id = first.output.trimmingCharacters(in: .whitespacesAndNewlines)
        // As if the run had been killed before its outcome line: only the intent remains.
        let lines = try String(contentsOfFile: sim.journalPath, encoding: .utf8).split(separator: "\n")
        try (lines.filter { !$0.contains("\"outcome\"") }.joined(separator: "\n") + "\n").write(
            toFile: sim.journalPath, atomically: true, encoding: .utf8)
        let (second, _) = try await sim.run("\(keyed(campaign, campaign.devices, key: "w1"))\nprint(up.id, up.existing)")
        #expect(second.output == "\(id)\ttrue\n", "\(second.outcome)")
        #expect(try await sim.mutatingRequests() == 1)
        let reconcile = try sim.journal().filter { $0["phase"] as? String == "reconcile" }
        #expect(reconcile.count == 1)
        #expect(reconcile.first?["upgradeId"] as? String == id && reconcile.first?["found"] as? Bool == true)
    }

    @Test("a run that died before its request was sent: the read-back finds nothing, journals that, and schedules")
    func reconcileAbsent() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 2)
        // Schedule under key "a"; the journal is then made to say the intent was for key "b", never answered.
        _ = try await sim.run(keyed(campaign, campaign.devices, key: "a"))
        var intent = try #require(try sim.journal().first)
        intent["key"] = "b"
        intent["firmwareTo"] = campaign.firmwareTo + "-never-sent"
        let line = String(decoding: try JSONSerialization.data(withJSONObject: intent), as: UTF8.self)
        try (line + "\n").write(toFile: sim.journalPath, atomically: true, encoding: .utf8)
        let (result, _) = try await sim.run("""
            local up = fota.schedule{firmwareName = "\(campaign.firmwareName)", firmwareTo = "\(campaign.firmwareTo)-never-sent",
              startDate = "2026-03-10", devices = \(luaList(campaign.devices)), key = "b"}
            """)
        // ThingSpace refuses the made-up firmware: what matters is that it was sent (after the read-back found nothing).
        #expect(result.failure != nil)
        #expect(try await sim.mutatingRequests() == 2)
        let reconcile = try sim.journal().filter { $0["phase"] as? String == "reconcile" }
        #expect(reconcile.first?["found"] as? Bool == false)
    }

    @Test("a dry run with a key already scheduled plans nothing and returns the upgrade")
    func dryRunOfScheduledKey() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 2)
        _ = try await sim.run(keyed(campaign, campaign.devices, key: "k"))
        let (dry, runtime) = try await sim.run("\(keyed(campaign, campaign.devices, key: "k"))\nprint(up.existing, up.dryRun)",
                                               settings: sim.settings(.dryRun))
        #expect(dry.output == "true\tnil\n", "\(dry.outcome)")
        #expect(runtime.dryRunReport?.contains("schedule") != true, "\(runtime.dryRunReport ?? "")")
        #expect(try await sim.mutatingRequests() == 1)
    }

    @Test("a read-only run refuses a keyed schedule, also one already scheduled")
    func readOnly() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 2)
        _ = try await sim.run(keyed(campaign, campaign.devices, key: "k"))
        let (result, _) = try await sim.run("local ok, err = pcall(function() \(keyed(campaign, campaign.devices, key: "k")) end)\nprint(ok, err.code)",
                                            settings: sim.settings(.readOnly))
        #expect(result.output == "false\tREAD_ONLY\n", "\(result.outcome)")
    }

    @Test("without a journal a key still works within the run")
    func noJournal() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 2)
        let (result, _) = try await sim.run("""
            \(keyed(campaign, campaign.devices, key: "k"))
            local again = fota.schedule{firmwareName = "\(campaign.firmwareName)", firmwareTo = "\(campaign.firmwareTo)",
              startDate = "2026-03-10", devices = \(luaList(campaign.devices)), key = "k"}
            print(again.id == up.id)
            """, journal: false)
        #expect(result.output == "true\n", "\(result.outcome)")
        #expect(try await sim.mutatingRequests() == 1)
    }
}

@Suite("fota.busy and fota.histories")
struct FleetReadTests {
    @Test("fota.histories keeps --concurrency reads in flight, never more")
    func historiesConcurrency() async throws {
        let sim = try await SimulatedAccount.start(latency: .milliseconds(300))
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 12)
        var settings = sim.settings()
        settings.concurrency = 3
        let watcher = Task {
            var most = 0
            while !Task.isCancelled {
                most = max(most, (try? await sim.control(.GET, "/_sim/requests/counts")["inFlight"] as? Int) ?? 0)
                try? await Task.sleep(for: .milliseconds(20))
            }
            return most
        }
        let (result, _) = try await sim.run("""
            local found, failed = fota.histories(\(luaList(campaign.devices)))
            local n = 0
            for _ in pairs(found) do n = n + 1 end
            print(n, next(failed))
            """, settings: settings)
        watcher.cancel()
        let most = await watcher.value
        #expect(result.output == "12\tnil\n", "\(result.outcome)")
        #expect(most >= 2 && most <= 3, "at most \(most) reads were in flight at once")
    }

    @Test("the run's time limit stops fota.histories in the middle; its remaining reads are not waited out")
    func historiesStop() async throws {
        let sim = try await SimulatedAccount.start(latency: .seconds(2))
        defer { Task { await sim.stop() } }
        // Any 200 IMEIs: a device the account does not have costs a 2 s answer too.
        let devices = (0..<200).map { String(format: "3512000%08d", 90_000 + $0) }
        var settings = sim.settings()
        settings.concurrency = 2
        let started = Date()
        // Logging in and fota.firmware take a few 2 s answers (about 6 s; the 60 s limit leaves a
        // loaded machine, with every other suite running beside this one, room for them); then
        // 200 reads two at a time would take 200 s more.
        let (result, _) = try await sim.run("""
            fota.firmware()
            print("reading")
            fota.histories(\(luaList(devices)))
            print("not reached")
            """, settings: settings, timeout: 60)
        #expect(!result.finished && result.output == "reading\n", "\(result.outcome) \(result.output)")
        // Waiting the reads out would end after 206 s at the least.
        #expect(Date().timeIntervalSince(started) < 170, "the reads must not be waited out")
    }

    @Test("fota.busy maps the devices of pending upgrades to their upgrade, and no other device")
    func busy() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 3)
        let (result, _) = try await sim.run("""
            \(keyed(campaign, Array(campaign.devices.prefix(2)), key: "k"))
            local held = fota.busy()
            local n = 0
            for imei, id in pairs(held) do n = n + 1; assert(id == up.id) end
            print(n, held["\(campaign.devices[0])"] == up.id, held["\(campaign.devices[2])"])
            """)
        #expect(result.output == "2\ttrue\tnil\n", "\(result.outcome)")
    }

    @Test("fota.histories gives each device's history, and a device whose read failed in the second table")
    func histories() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 3)
        // The unknown device's read is refused (as ThingSpace refuses a device of another account).
        let fault: [String: Any] = [
            "pathPrefix": "/api/fota/v1/reports/\(sim.account)/devices/990000862471854", "remaining": 1, "status": 400,
            "body": #"{"errorCode":"DEVICE_NOT_FOUND","errorMessage":"no such device"}"#,
        ]
        _ = try await sim.control(.POST, "/_sim/faults", body: String(decoding: try JSONSerialization.data(withJSONObject: fault), as: UTF8.self))
        let (result, _) = try await sim.run("""
            \(keyed(campaign, campaign.devices, key: "k"))
            fota.wait(up.id)
            local found, failed = fota.histories(\(luaList(campaign.devices + ["990000862471854"])))
            for _, imei in ipairs(\(luaList(campaign.devices))) do print(#found[imei], found[imei][1].firmwareTo) end
            print(found["990000862471854"], failed["990000862471854"].code, failed["\(campaign.devices[0])"])
            print(pcall(fota.histories, {"12"}))
            """)
        #expect(result.finished, "\(result.outcome)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.prefix(3) == ArraySlice(Array(repeating: "1\t\(campaign.firmwareTo)", count: 3)), "\(result.output)")
        #expect(lines.count == 5 && lines[3] == "nil\tDEVICE_NOT_FOUND\tnil", "\(result.output)")
        #expect(lines.last?.hasPrefix("false") == true && lines.last?.contains("not an IMEI") == true)
    }
}
