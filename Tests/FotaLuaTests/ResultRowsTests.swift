import Foundation
@testable import FotaLua
import LuaHost
import Testing

/// Lua printing each row of `r.devices` as its sorted `key=value` pairs, read three ways (index,
/// ipairs, pairs): the rows a script sees, whatever way it walks them.
private let showRows = """
    local function show(d)
      local keys = {}
      for k in next, d do keys[#keys + 1] = k end
      table.sort(keys)
      local parts = {}
      for _, k in ipairs(keys) do parts[#parts + 1] = k .. "=" .. tostring(d[k]) end
      return table.concat(parts, ";")
    end
    local function rows(r)
      local byIndex, byIpairs, byPairs = {}, {}, {}
      for i = 1, #r.devices do byIndex[i] = show(r.devices[i]) end
      for i, d in ipairs(r.devices) do byIpairs[i] = show(d) end
      for i, d in pairs(r.devices) do byPairs[#byPairs + 1] = i .. " " .. show(d) end
      print(#r.devices, table.concat(byIndex, "|") == table.concat(byIpairs, "|"), #byPairs == #byIndex)
      print(table.concat(byPairs, "\\n"))
    end
    """

@Suite("fota.append result rows")
struct ResultRowsTests {
    @Test("result.devices rows read by index, ipairs, pairs and # have the old shape for succeeded, unchanged, failed and duplicate devices")
    func rowsKeepTheirShape() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 6)
        // Live, the simulator fails no device of an append; a dry run predicts validation's
        // rejection of a device another upgrade holds (the same result path).
        for mode in [FotaMode.live, .dryRun] {
            let first = mode == .live ? 0 : 3 // devices of their own: the dry run must not meet the live run's
            let (d1, d2, d3) = (campaign.devices[first], campaign.devices[first + 1], campaign.devices[first + 2])
            let (result, _) = try await sim.run("""
            \(showRows)
            local a = fota.schedule{firmwareName = "\(campaign.firmwareName)", firmwareTo = "\(campaign.firmwareTo)",
              startDate = "2026-03-10", devices = {"\(d1)"}}
            fota.schedule{firmwareName = "\(campaign.firmwareName)", firmwareTo = "\(campaign.firmwareTo)",
              startDate = "2026-03-10", devices = {"\(d2)"}}
            local r = fota.append(a.id, {"\(d3)", "\(d1)", "\(d2)", "\(d3)"})
            rows(r)
            print(r.devices[0], r.devices[5], r.devices[1.5], r.devices.deviceId, r.devices[2.0].deviceId)
            print(r.devices[1] == r.devices[1], r.devices[1] == r.devices[4], type(r.devices))
            local first, second = table.unpack(r.devices)
            print(first.deviceId, second.outcome, select("#", table.unpack(r.devices)))
            """, settings: sim.settings(mode))
            let d2Row = mode == .live
                ? "3 deviceId=\(d2);outcome=succeeded;reason=Device added Successfully;status=AddDeviceSucceed"
                : "3 deviceId=\(d2);outcome=failed;reason=Device scheduled for firmware-upgrade previously, it needs to be completed first.;status=Device Rejected"
            let added = mode == .live ? "reason=Device added Successfully" : "reason=dry run: not sent"
            #expect(result.finished, "\(result.outcome)")
            #expect(result.output == """
                4\ttrue\ttrue
                1 deviceId=\(d3);outcome=succeeded;\(added);status=AddDeviceSucceed
                2 deviceId=\(d1);outcome=unchanged;reason=Device already in upgrade;status=Unchanged
                \(d2Row)
                4 deviceId=\(d3);outcome=duplicate;reason=listed before as device #1; sent once;status=Duplicate
                nil\tnil\tnil\tnil\t\(d1)
                true\tfalse\ttable
                \(d3)\tunchanged\t4

                """, "\(mode): \(result.outcome)")
        }
    }

    @Test("a device not sent (a 5xx after retries) has a NotSent row in result.devices")
    func notSentRow() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 2)
        let (scheduled, _) = try await sim.run(schedule(campaign, devices: [campaign.devices[0]]) + "\nprint(up.id)")
        let id = scheduled.output.trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try await sim.control(.POST, "/_sim/faults", body: #"{"method":"PUT","pathPrefix":"/api/fota/v1/upgrades/","remaining":10,"status":500}"#)
        let (result, _) = try await sim.run("""
            \(showRows)
            rows(fota.append("\(id)", {"\(campaign.devices[1])"}))
            """)
        #expect(result.finished, "\(result.outcome)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "1\ttrue\ttrue", "\(result.output)")
        #expect(lines.count == 2 && lines[1].hasPrefix("1 deviceId=\(campaign.devices[1]);outcome=notSent;reason=not sent: ")
            && lines[1].hasSuffix(";status=NotSent"), "\(result.output)")
    }

    @Test("assigning into result.devices raises an error naming it, by index, rawset or table.insert")
    func devicesAreReadOnly() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 2)
        let (result, _) = try await sim.run("""
            \(schedule(campaign, devices: [campaign.devices[0]]))
            local r = fota.remove(up.id, {"\(campaign.devices[0])", "\(campaign.devices[1])"})
            for _, write in ipairs{
              function() r.devices[1] = {} end, function() r.devices[3] = {} end, function() r.devices.note = 1 end,
              function() rawset(r.devices, 1, {}) end, function() table.insert(r.devices, {}) end} do
              local ok, e = pcall(write)
              print(ok, e)
            end
            print(#r.devices, r.devices[1].deviceId, r.devices[3], rawget(r.devices, 1))
            r.devices[2].note = "mine"
            local row = r.devices[2]
            print(row.note, r.devices[2].note)
            """)
        #expect(result.finished, "\(result.outcome)")
        let lines = result.output.split(separator: "\n").map(String.init)
        let message = "fota.remove's result.devices is read-only (its rows are built when read; copy them into a table of your own to change them)"
        #expect(lines.prefix(5).allSatisfy { $0.hasPrefix("false\t") && $0.hasSuffix(message) }, "\(result.output)")
        #expect(lines.dropFirst(5).first == "2\t\(campaign.devices[0])\tnil\tnil", "\(result.output)")
        // A row is an ordinary table, the same one while the script holds it.
        #expect(lines.last == "mine\tmine", "\(result.output)")
    }

    @Test("json.encode(result) and fota.state.put/get carry result.devices as the list of its rows")
    func devicesCrossAsAList() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 3)
        let (d1, d2) = (campaign.devices[1], campaign.devices[2])
        let (result, _) = try await sim.run("""
            \(schedule(campaign, devices: [campaign.devices[0]]))
            local r = fota.append(up.id, {"\(d1)", "\(d2)", "\(d1)"})
            print(json.encode(r))
            fota.state.put("rows", r.devices)
            local back = fota.state.get("rows")
            print(#back, getmetatable(back), back[1].deviceId, back[2].outcome, back[3].status, back[3].reason)
            """, state: CampaignState(folder: sim.folder + "/state"))
        #expect(result.finished, "\(result.outcome)")
        let lines = result.output.split(separator: "\n").map(String.init)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any], "\(result.output)")
        let devices = try #require(object["devices"] as? [[String: String]], "\(lines[0])")
        #expect(devices.map { $0["deviceId"] } == [d1, d2, d1])
        #expect(devices.map { $0["outcome"] } == ["succeeded", "succeeded", "duplicate"])
        #expect(devices.allSatisfy { Set($0.keys) == ["deviceId", "outcome", "status", "reason"] }, "\(devices)")
        #expect(object["succeeded"] as? [String] == [d1, d2])
        #expect(lines.last == "3\tnil\t\(d1)\tsucceeded\tDuplicate\tlisted before as device #1; sent once", "\(result.output)")
    }

    @Test("result.devices' metatable is locked, and a script table made to look like it is read raw, not as a host list")
    func listCannotBeForged() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 2)
        let (result, _) = try await sim.run("""
            \(schedule(campaign, devices: [campaign.devices[0]]))
            local r = fota.append(up.id, {"\(campaign.devices[1])"})
            print(getmetatable(r.devices), pcall(setmetatable, r.devices, {}))
            -- a look-alike: the same metamethods' behaviour, a locked metatable, the same length
            local rows = {}
            for i, d in ipairs(r.devices) do rows[i] = d end
            local fake = setmetatable({}, {__index = rows, __len = function() return #rows end,
              __pairs = function() return ipairs(rows) end, __metatable = "locked"})
            print(#fake, fake[1].deviceId, getmetatable(fake))
            print(json.encode(fake), json.encode(r.devices) == json.encode(rows))
            """)
        #expect(result.finished, "\(result.outcome)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "locked\tfalse\tcannot change a protected metatable", "\(result.output)")
        #expect(lines.dropFirst().first == "1\t\(campaign.devices[1])\tlocked", "\(result.output)")
        // Read raw, the look-alike is the empty table it is; the host list is its rows.
        #expect(lines.last == "[]\ttrue", "\(result.output)")
    }

    @Test("the prompt shows result.devices as its rows, not as the empty table it is")
    func promptShowsRows() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 2)
        let client = sim.client()
        let runtime = FotaRuntime(settings: sim.settings(.dryRun), client: client, journal: nil)
        // On a thread of its own: the module's calls block (see SimulatedAccount.run).
        let shown: (String, [ReplEvaluation]) = try await withCheckedThrowingContinuation { continuation in
            Thread {
                do {
                    let state = try LuaState()
                    let output = OutputCollector()
                    state.output = { output.append($0) }
                    try FotaModule.install(in: state, runtime: runtime)
                    let session = try ReplSession(state: state, limits: LuaLimits())
                    let ran = [
                        session.evaluate(schedule(campaign, devices: [campaign.devices[0]]).replacingOccurrences(of: "local up", with: "up")),
                        session.evaluate("r = fota.append(up.id, {\"\(campaign.devices[1])\"})"),
                        session.evaluate("r.devices"),
                    ]
                    continuation.resume(returning: (output.text, ran))
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
        await client.shutdown()
        #expect(shown.1 == [.ran, .ran, .ran], "\(shown.0)")
        #expect(shown.0.hasSuffix("""
            {
              {
                deviceId = "\(campaign.devices[1])",
                outcome = "succeeded",
                reason = "dry run: not sent",
                status = "AddDeviceSucceed",
              },
            }

            """), "\(shown.0)")
    }

    /// Input devices of the memory test; the bound below is per device.
    static let memoryDevices = 200_000
    /// Bytes of script memory a device of an append result may cost beyond its IMEI string (which
    /// the input list already holds): its row list slot (16) and shape index (4), and its IMEI in
    /// one status list (16), 36 in all, with 4 to spare. One Lua table a device, the old
    /// representation, cost over 200.
    static let bytesPerDevice = 40.0

    @Test("an append result of 200,000 devices costs the script under 40 bytes a device beyond the IMEI strings")
    func resultMemoryPerDevice() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 1)
        // Luhn-valid IMEIs (no warnings), each made by one string.format: no garbage, so the
        // collector has nothing to give back during the call and the count is the result's.
        let (result, _) = try await sim.run("""
            \(schedule(campaign, devices: campaign.devices))
            local n = \(Self.memoryDevices)
            local devices, digits = {}, {3, 5}
            for i = 1, n do
              local sum, rest = 0, i
              for p = 14, 3, -1 do digits[p] = rest % 10; rest = rest // 10 end
              for p = 1, 14 do
                local d = digits[p]
                if p % 2 == 0 then d = d * 2; if d > 9 then d = d - 9 end end
                sum = sum + d
              end
              devices[i] = string.format("35%012d%d", i, (10 - sum % 10) % 10)
            end
            local before = collectgarbage("count")
            local r = fota.append(up.id, devices)
            local after = collectgarbage("count")
            print(#r.devices, #r.warnings, #r.succeeded + #r.unchanged + #r.failed, r.devices[n].deviceId == devices[n])
            print(string.format("%.1f", (after - before) * 1024 / n))
            """, settings: sim.settings(.dryRun), journal: false)
        #expect(result.finished, "\(result.outcome)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "\(Self.memoryDevices)\t0\t\(Self.memoryDevices)\ttrue", "\(result.output)")
        let perDevice = try #require(Double(lines.last ?? ""), "\(result.output)")
        // At least the status list's slot: a figure below it would mean the count missed the result.
        #expect(perDevice >= 16 && perDevice < Self.bytesPerDevice, "\(perDevice) bytes a device")
    }
}
