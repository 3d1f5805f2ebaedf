import Foundation
@testable import FotaLua
import LuaHost
import Testing
import ThingSpace

/// fota.now, fota.sleep, fota.wait and os.time/os.date: ThingSpace's clock as a run sees it.
@Suite("campaign time")
struct TimeTests {
    /// The simulator's day as YYYY-MM-DD.
    static func day(_ epochSeconds: Int, plus days: Int = 0) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(epochSeconds + days * 86_400)))
    }

    @Test("in a rehearsal fota.now is the simulator's clock, fota.sleep moves it at once, os.time and os.date follow it")
    func rehearsalClock() async throws {
        let sim = try await SimulatedAccount.start(devices: 20)
        defer { Task { await sim.stop() } }
        let before = try await sim.simulatedNow()
        let started = Date()
        let (result, runtime) = try await sim.run("""
            local t0 = fota.now()
            print(string.format("%d %d %s", t0, os.time(), os.date("!%Y-%m-%d %H:%M:%S")))
            fota.sleep(2 * 86400 + 0.5)
            fota.sleep(0.5)
            print(string.format("%d %s %s", fota.now() - t0, os.date("!%Y-%m-%d"), os.date("!%H:%M", nil)))
            print(os.date("!%Y", 0), os.date("!%Y-%m-%d", os.time{year = 2000, month = 1, day = 1, hour = 12}))
            print(math.type(os.time()), type(os.date("*t").year))
            """)
        #expect(result.finished, "\(result.outcome)")
        #expect(runtime.clock.isRehearsal)
        let after = try await sim.simulatedNow()
        #expect(after - before == 2 * 86_400 + 1)
        // Two simulated days: a run that really waited would never end; the bound leaves a loaded machine room.
        #expect(Date().timeIntervalSince(started) < 300, "a rehearsal does not really wait")
        let startText = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(before)))
            .replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
        #expect(result.output == """
            \(before) \(before) \(startText)
            172801 \(Self.day(before, plus: 2)) \(startText.suffix(8).prefix(5))
            1970\t2000-01-01
            integer\tnumber

            """)
    }

    @Test("live, fota.now is the wall clock and fota.sleep really waits; os.time follows the wall clock")
    func liveClock() async throws {
        let sim = try await SimulatedAccount.start(devices: 20)
        defer { Task { await sim.stop() } }
        let wallBefore = Date().timeIntervalSince1970
        let simBefore = try await sim.simulatedNow()
        let (result, runtime) = try await sim.run("""
            local t0 = fota.now()
            fota.sleep(0.3)
            local t1 = fota.now()
            print(t1 - t0 >= 0.3, math.abs(os.time() - t1) <= 1, math.type(t0))
            print(string.format("%.3f", t0))
            """, clock: CampaignClock(.live))
        #expect(result.finished, "\(result.outcome)")
        #expect(!runtime.clock.isRehearsal)
        let lines = result.output.split(separator: "\n")
        #expect(lines.first == "true\ttrue\tfloat")
        let t0 = Double(lines.last ?? "") ?? 0
        #expect(t0 >= wallBefore - 1 && t0 <= Date().timeIntervalSince1970 + 1)
        #expect(try await sim.simulatedNow() == simBefore, "live sleeps leave the simulator's clock alone")
    }

    @Test("fota.sleep refuses a negative, NaN or infinite time and more than a year, naming the value")
    func sleepArguments() async throws {
        let sim = try await SimulatedAccount.start(devices: 20)
        defer { Task { await sim.stop() } }
        let (result, _) = try await sim.run("""
            for _, v in ipairs({-1, 0/0, math.huge, 400 * 86400, "soon"}) do
              local ok, e = pcall(fota.sleep, v)
              print(ok, e)
            end
            """)
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 5, "\(result.outcome)")
        #expect(lines[0].contains("bad argument #1 to 'fota.sleep' (seconds must be a number of seconds, 0 or more, got -1.0)"))
        #expect(lines[1].contains("got nan") || lines[1].contains("got -nan"))
        #expect(lines[2].contains("got inf"))
        #expect(lines[3].contains("at most 31622400 (a year)"))
        #expect(lines[4].hasPrefix("false\t") && lines[4].contains("number expected, got string"))
    }

    @Test("fota.wait refuses bad conditions at the call, naming the field and the script's line")
    func waitArguments() async throws {
        let sim = try await SimulatedAccount.start(devices: 20)
        defer { Task { await sim.stop() } }
        let id = "00000000-0000-4000-8000-000000000000"
        let cases: [(String, String)] = [
            ("nil", "bad argument #1 to 'fota.wait' (upgrade id string expected, got nil)"),
            ("'\(id)', 'Finished'", "bad argument #2 to 'fota.wait' (table {status=, until=, every=, timeout=} expected, got string)"),
            ("'\(id)', {status = 'Done'}", "bad argument #2 to 'fota.wait' (status 'Done' is not one of RequestPending, Queued, RequestFailed, InProgress, Finished, UpgradeFailed)"),
            ("'\(id)', {status = {}}", "bad argument #2 to 'fota.wait' (status is an empty list)"),
            ("'\(id)', {every = 1}", "bad argument #2 to 'fota.wait' (every must be a number of seconds, at least 10, got 1)"),
            ("'\(id)', {timeout = -5}", "bad argument #2 to 'fota.wait' (timeout must be a number of seconds, at least 0, got -5)"),
            ("'\(id)', {['until'] = 3}", "bad argument #2 to 'fota.wait' (until must be a function, got number)"),
            ("'\(id)', {status = 'Finished', ['until'] = print}", "bad argument #2 to 'fota.wait' (give status or until, not both)"),
            ("'\(id)', {state = 'Finished'}", "bad argument #2 to 'fota.wait' (unknown field 'state' (expected status, until, every, timeout))"),
        ]
        for (arguments, message) in cases {
            let (result, _) = try await sim.run("""
                local ok, e = pcall(function()
                  local upgrade = fota.wait(\(arguments))
                  return upgrade
                end)
                print(e)
                """)
            #expect(result.output.hasSuffix(".lua:2: " + message + "\n"), "\(arguments): \(result.output)")
        }
        #expect(try await sim.mutatingRequests() == 0)
    }

    @Test("fota.wait returns at once when the upgrade is already where the script wants it")
    func waitAlreadyThere() async throws {
        let sim = try await SimulatedAccount.start(devices: 300)
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 2)
        let before = try await sim.simulatedNow()
        let (result, _) = try await sim.run("""
            local u = fota.schedule{firmwareName = "\(campaign.firmwareName)", firmwareTo = "\(campaign.firmwareTo)",
                                    startDate = os.date("!%Y-%m-%d"), devices = \(luaList(campaign.devices))}
            local w = fota.wait(u.id, {status = {"RequestPending", "Queued"}})
            print(w.id == u.id, w.status)
            """)
        #expect(result.output == "true\tRequestPending\n", "\(result.outcome)")
        #expect(try await sim.simulatedNow() == before)
    }

    @Test("fota.wait raises UNREACHABLE when the upgrade ended without reaching the status")
    func waitUnreachable() async throws {
        let sim = try await SimulatedAccount.start(devices: 300)
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 2)
        let (scheduled, _) = try await sim.run("""
            print(fota.schedule{firmwareName = "\(campaign.firmwareName)", firmwareTo = "\(campaign.firmwareTo)",
                                startDate = os.date("!%Y-%m-%d"), devices = \(luaList(campaign.devices))}.id)
            """)
        let id = scheduled.output.trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try await sim.control(.POST, "/_sim/upgrades/\(id)/fail", body: #"{"reason":"test"}"#)
        let (result, _) = try await sim.run("""
            local ok, e = pcall(fota.wait, "\(id)", {status = "InProgress"})
            print(ok, e.code, e.call, getmetatable(e))
            print(tostring(e))
            """)
        #expect(result.output == """
            false\tUNREACHABLE\tfota.wait\tlocked
            fota.wait: UNREACHABLE: upgrade \(id) ended (UpgradeFailed) without meeting the condition

            """, "\(result.outcome)")
    }

    @Test("until is called from Lua with the upgrade; what it raises passes through unchanged")
    func waitUntilErrors() async throws {
        let sim = try await SimulatedAccount.start(devices: 300)
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 2)
        let (result, _) = try await sim.run("""
            local u = fota.schedule{firmwareName = "\(campaign.firmwareName)", firmwareTo = "\(campaign.firmwareTo)",
                                    startDate = os.date("!%Y-%m-%d"), devices = \(luaList(campaign.devices))}
            local seen
            local ok, e = pcall(fota.wait, u.id, {["until"] = function(up) seen = up; error({mine = true}) end})
            print(ok, type(e), e.mine, seen.id == u.id, #seen.deviceList)
            local ok2, e2 = pcall(fota.wait, u.id, {["until"] = function(up) return up.status == nil end, timeout = 0})
            print(ok2, e2.code)
            print(fota.wait(u.id, {["until"] = function(up) return #up.deviceList == 2 end}).status)
            """)
        #expect(result.output == "false\ttable\ttrue\ttrue\t2\nfalse\tTIMEOUT\nRequestPending\n", "\(result.outcome)")
    }

    @Test("the journal says which endpoint each line was for and whether it was a rehearsal; a rehearsal uses its own journal")
    func journalRehearsal() async throws {
        let sim = try await SimulatedAccount.start(devices: 300)
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 2)
        let rehearsalPath = sim.folder + "/rehearsal.jsonl"
        let script = """
            fota.schedule{firmwareName = "\(campaign.firmwareName)", firmwareTo = "\(campaign.firmwareTo)",
                          startDate = os.date("!%Y-%m-%d"), devices = \(luaList(campaign.devices))}
            """
        let (rehearsal, _) = try await sim.run(script, rehearsalJournal: Journal(path: rehearsalPath))
        #expect(rehearsal.finished, "\(rehearsal.outcome)")
        #expect(try sim.journal().isEmpty, "a rehearsal never writes into the production journal")
        let lines = try Journal.records(path: rehearsalPath).records
        #expect(lines.count == 2)
        for line in lines {
            #expect(line["rehearsal"] as? Bool == true)
            #expect(line["endpoint"] as? String == sim.server.credentials.endpoint)
        }
        let (live, _) = try await sim.run(script, clock: CampaignClock(.live), rehearsalJournal: Journal(path: rehearsalPath))
        #expect(live.finished, "\(live.outcome)")
        let production = try sim.journal()
        #expect(production.count == 2)
        #expect(production.allSatisfy { $0["rehearsal"] as? Bool == false })
        #expect(try Journal.records(path: rehearsalPath).records.count == 2)
    }

    @Test("the endpoint in the journal never carries user info or a query")
    func shownEndpoint() {
        #expect(FotaRuntime.shownEndpoint("https://user:secret@example.com:8443/base?token=x#f") == "https://example.com:8443/base")
        #expect(FotaRuntime.shownEndpoint("http://127.0.0.1:8787") == "http://127.0.0.1:8787")
    }

    @Test("fota.schedule sends startDate + 14 days when the script gives no endDate, and the dry-run plan shows it")
    func defaultEndDate() async throws {
        #expect(try FotaCalls.defaultEndDate(after: "2026-03-02") == "2026-03-16")
        #expect(try FotaCalls.defaultEndDate(after: "2026-12-25") == "2027-01-08")
        #expect(try FotaCalls.defaultEndDate(after: "2028-02-20") == "2028-03-05")
        let sim = try await SimulatedAccount.start(devices: 300)
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 2)
        let (result, runtime) = try await sim.run("""
            local a = fota.schedule{firmwareName = "\(campaign.firmwareName)", firmwareTo = "\(campaign.firmwareTo)",
                                    startDate = "2026-12-25", devices = \(luaList(campaign.devices))}
            local b = fota.schedule{firmwareName = "\(campaign.firmwareName)", firmwareTo = "\(campaign.firmwareTo)",
                                    startDate = "2026-12-25", endDate = "2026-12-27", devices = \(luaList(campaign.devices))}
            print(a.endDate, b.endDate)
            """, settings: sim.settings(.dryRun))
        #expect(result.output == "2027-01-08\t2026-12-27\n", "\(result.outcome)")
        let plan = runtime.dryRunReport ?? ""
        #expect(plan.contains("from 2026-12-25 until 2027-01-08 (default: startDate + 14 days) for 2 devices"), "\(plan)")
        #expect(plan.contains("from 2026-12-25 until 2026-12-27 for 2 devices"), "\(plan)")
        let intents = try sim.journal().filter { $0["phase"] as? String == "intent" }
        #expect(intents.map { $0["endDate"] as? String } == ["2027-01-08", "2026-12-27"])

        let (live, _) = try await sim.run("""
            local u = fota.schedule{firmwareName = "\(campaign.firmwareName)", firmwareTo = "\(campaign.firmwareTo)",
                                    startDate = os.date("!%Y-%m-%d"), devices = \(luaList(campaign.devices))}
            print(u.endDate == os.date("!%Y-%m-%d", os.time() + 14 * 86400), fota.upgrade(u.id).endDate == u.endDate)
            """)
        #expect(live.output == "true\ttrue\n", "\(live.outcome)")
    }

    @Test("in a rehearsal fota.wait jumps the clock from change to change, and past timeout raises TIMEOUT having moved it exactly that far")
    func rehearsalWaitJumps() async throws {
        let sim = try await SimulatedAccount.start(devices: 300)
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 3)
        let before = try await sim.simulatedNow()
        let started = Date()
        let (result, _) = try await sim.run("""
            local t0 = fota.now()
            local u = fota.schedule{firmwareName = "\(campaign.firmwareName)", firmwareTo = "\(campaign.firmwareTo)",
                                    startDate = os.date("!%Y-%m-%d", os.time() + 5 * 86400), devices = \(luaList(campaign.devices))}
            local ok, e = pcall(fota.wait, u.id, {status = "InProgress", timeout = 3600})
            print(ok, e.code, fota.now() - t0)
            print(e.message)
            local looks = 0
            local queued = fota.wait(u.id, {["until"] = function(up) looks = looks + 1; return up.status == "Queued" end})
            print(queued.status, looks, fota.now() - t0)
            local done = fota.wait(u.id)
            print(done.status, fota.now() - t0 > 5 * 86400 - 9 * 3600)
            """)
        #expect(result.finished, "\(result.outcome)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(result.output)")
        #expect(lines.first == "false\tTIMEOUT\t3600.0")
        #expect(lines.dropFirst().first?.hasSuffix("is still Queued after 3600 s (timeout 3600 s)") == true, "\(lines)")
        // Already Queued (validation is minutes after scheduling): one look, no time passes.
        #expect(lines.dropFirst(2).first == "Queued\t1\t3600.0", "\(lines)")
        #expect(lines.last == "Finished\ttrue", "\(lines)")
        #expect(try await sim.simulatedNow() - before > 4 * 86_400)
        // Days of simulated time in far less than that of the wall clock (room for a loaded machine).
        #expect(Date().timeIntervalSince(started) < 300)
    }

    @Test("live, fota.wait reads the upgrade every `every` seconds of the wall clock until its status is reached")
    func liveWaitPolls() async throws {
        // The simulator's own clock runs fast, so the campaign moves on while the script really waits;
        // it ends ~15 s after scheduling, so even on a loaded machine the first look finds it running.
        let sim = try await SimulatedAccount.start(devices: 300, clockRate: 600)
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 2)
        let today = Self.day(try await sim.simulatedNow())
        var settings = sim.settings()
        settings.minimumWaitEvery = 0.05
        let started = Date()
        let (result, _) = try await sim.run("""
            local u = fota.schedule{firmwareName = "\(campaign.firmwareName)", firmwareTo = "\(campaign.firmwareTo)",
                                    startDate = "\(today)", devices = \(luaList(campaign.devices))}
            local looks, t0 = 0, fota.now()
            local done = fota.wait(u.id, {["until"] = function(up) looks = looks + 1; return up.status == "Finished" end,
                                          every = 0.1, timeout = 600})
            print(done.status, looks >= 2, fota.now() - t0 >= 0.1 * (looks - 1))
            local ok, e = pcall(fota.wait, u.id, {every = 0.02})
            print(ok, e)
            """, settings: settings, clock: CampaignClock(.live))
        #expect(result.output.hasPrefix("Finished\ttrue\ttrue\n"), "\(result.outcome) \(result.output)")
        #expect(result.output.contains("every must be a number of seconds, at least 0.05, got 0.02"), "\(result.output)")
        #expect(Date().timeIntervalSince(started) < 100)
    }

    @Test("a live fota.wait blocks until the run's timeout ends it")
    func liveWaitTimesOut() async throws {
        let sim = try await SimulatedAccount.start(devices: 300) // a frozen clock: the upgrade stays pending
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 2)
        // Scheduled from Swift, so the script's first statement is the wait: a loaded machine
        // cannot spend the short timeout before the script gets there.
        let client = sim.client()
        let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
        let upgrade = try await client.scheduleUpgrade(UpgradeRequest(
            accountName: sim.account, firmwareName: campaign.firmwareName, firmwareTo: campaign.firmwareTo,
            startDate: today, deviceList: campaign.devices))
        await client.shutdown()
        let started = Date()
        let (result, _) = try await sim.run("""
            print("waiting")
            fota.wait("\(upgrade.id)", {every = 30})
            print("never")
            """, clock: CampaignClock(.live), timeout: 3)
        guard case .limitExceeded(.wallClock) = result.outcome else {
            Issue.record("expected the wall-clock limit, got \(result.outcome)")
            return
        }
        #expect(result.output == "waiting\n")
        // Without the limit the wait would never end (a frozen clock); the bound leaves a loaded machine room.
        #expect(Date().timeIntervalSince(started) < 120)
    }

    @Test("an endpoint is a rehearsal only when it answers GET /_sim/clock as a simulator does; --simulate is one without asking")
    func probe() async throws {
        let sim = try await SimulatedAccount.start(devices: 20)
        defer { Task { await sim.stop() } }
        let endpoint = sim.server.credentials.endpoint
        #expect(await SimControl.probe(endpoint))
        #expect(await SimControl.probe(endpoint + "/"))
        // Something else on the port: the simulator's FOTA API path answers, but not as a clock.
        #expect(!(await SimControl.probe(endpoint + "/api/fota/v1")))
        // The clock probes from the interpreter thread, off the concurrency pool.
        func onThread(_ body: @escaping @Sendable () -> Bool) async -> Bool {
            await withCheckedContinuation { continuation in Thread { continuation.resume(returning: body()) }.start() }
        }
        #expect(await onThread { CampaignClock(.probe(endpoint: endpoint)).isRehearsal })
        // Nothing listening: live, after at most the probe's 15 s.
        #expect(!(await onThread { CampaignClock(.probe(endpoint: "http://127.0.0.1:1")).isRehearsal }))
        #expect(!CampaignClock(.live).isRehearsal)
        #expect(CampaignClock(.simulator(endpoint: "http://127.0.0.1:1")).isRehearsal)
    }
}
