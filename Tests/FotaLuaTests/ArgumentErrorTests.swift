import Foundation
@testable import FotaLua
import LuaHost
import Testing

/// Every function refuses bad arguments before anything is sent, with the
/// usual `bad argument #n to 'name' (…)` naming the bad element and its value,
/// at the script's own line.
@Suite("bad arguments")
struct ArgumentErrorTests {
    static let upgradeId = "00000000-0000-4000-8000-000000000000"

    static let cases: [(call: String, message: String)] = [
        ("fota.append(42, {'990000862471854'})", "bad argument #1 to 'fota.append' (upgrade id expected, got number)"),
        ("fota.append('nope', {'990000862471854'})", "bad argument #1 to 'fota.append' (upgrade id 'nope' is not a UUID)"),
        ("fota.append(ID, {})", "bad argument #2 to 'fota.append' (device list is empty)"),
        ("fota.append(ID, {'990000862471854', '12345'})", "bad argument #2 to 'fota.append' (device #2 '12345' is not an IMEI (15 digits))"),
        ("fota.append(ID, {'990000862471854', 990000862471854})", "bad argument #2 to 'fota.append' (device #2 is a number, not an IMEI string)"),
        ("fota.append(ID, {'990000862471854', x = 1})", "bad argument #2 to 'fota.append' (device list must be an array of IMEI strings (a table with keys 1…n), got a table with other keys)"),
        ("fota.append(ID, true)", "bad argument #2 to 'fota.append' (IMEI string or array of IMEI strings expected, got boolean)"),
        ("fota.append(ID, '990000862471854', {acount = '1'})", "bad argument #3 to 'fota.append' (unknown option \"acount\" (known: account))"),
        ("fota.append(ID, '990000862471854', {account = 12})", "bad argument #3 to 'fota.append' (opts.account must be a string (leading zeros matter), got number)"),
        ("fota.append(ID, '990000862471854', {account = 'abc'})", "bad argument #3 to 'fota.append' (opts.account 'abc' is not an account name (digits and hyphens))"),
        ("fota.remove(ID, {'99000086247185x'})", "bad argument #2 to 'fota.remove' (device #1 '99000086247185x' is not an IMEI (15 digits))"),
        ("fota.upgrade('x')", "bad argument #1 to 'fota.upgrade' (upgrade id 'x' is not a UUID)"),
        ("fota.upgrade(ID, 5)", "bad argument #2 to 'fota.upgrade' (options table expected, got number)"),
        ("fota.cancel()", "bad argument #1 to 'fota.cancel' (upgrade id expected, got no value)"),
        ("fota.schedule()", "bad argument #1 to 'fota.schedule' (table with firmwareName, firmwareTo, startDate and devices expected, got no value)"),
        ("fota.schedule{firmwareName = 'f', firmwareTo = 't', startDate = '2026-02-30', devices = {'990000862471854'}}", "bad argument #1 to 'fota.schedule' (field 'startDate' '2026-02-30' is not a date (YYYY-MM-DD))"),
        ("fota.schedule{firmwareName = 'f', startDate = '2026-03-10', devices = {'990000862471854'}}", "bad argument #1 to 'fota.schedule' (field 'firmwareTo' is missing)"),
        ("fota.schedule{firmwareName = 'f', firmwareTo = 't', startDate = '2026-03-10', devices = {}}", "bad argument #1 to 'fota.schedule' (field 'devices' is empty)"),
        ("fota.schedule{firmwareName = 'f', firmwareTo = 't', startDate = '2026-03-10', devices = {'1'}}", "bad argument #1 to 'fota.schedule' (devices[1] '1' is not an IMEI (15 digits))"),
        ("fota.schedule{firmwareName = 'f', firmwareTo = 't', startDate = '2026-03-10', devices = {'990000862471854'}, color = 'red'}", "bad argument #1 to 'fota.schedule' (unknown option \"color\" (known: account, devices, endDate, firmwareName, firmwareTo, key, startDate))"),
        ("fota.schedule{firmwareName = 'f', firmwareTo = 't', startDate = '2026-03-10', devices = {'990000862471854'}, key = ''}", "bad argument #1 to 'fota.schedule' (field 'key' is empty)"),
        ("fota.schedule{firmwareName = 'f', firmwareTo = 't', startDate = '2026-03-10', endDate = '2026-03-09', devices = {'990000862471854'}}", "bad argument #1 to 'fota.schedule' (field 'endDate' '2026-03-09' is before startDate '2026-03-10')"),
        ("fota.devicesPage('abc')", "bad argument #1 to 'fota.devicesPage' (cursor 'abc' is neither \"0\" nor an IMEI from a previous page)"),
        ("fota.history('123')", "bad argument #1 to 'fota.history' ('123' is not an IMEI (15 digits))"),
        ("fota.firmware('x')", "bad argument #1 to 'fota.firmware' (options table expected, got string)"),
        ("fota.devicesPage(5)", "bad argument #1 to 'fota.devicesPage' (cursor expected, got number)"),
        ("fota.upgradesPage('Done')", "bad argument #1 to 'fota.upgradesPage' (status 'Done' is not one of RequestPending, Queued, RequestFailed, InProgress, Finished, UpgradeFailed)"),
        ("fota.upgrades(3)", "bad argument #1 to 'fota.upgrades' (status string expected, got number)"),
        ("fota.upgrades('Done')", "bad argument #1 to 'fota.upgrades' (status 'Done' is not one of RequestPending, Queued, RequestFailed, InProgress, Finished, UpgradeFailed)"),
        ("fota.devices(3)", "bad argument #1 to 'fota.devices' (options table expected, got number)"),
        ("json.encode(function() end)", "bad argument #1 to 'json.encode' (a function cannot be passed to the host)"),
        ("json.encode(0/0)", "bad argument #1 to 'json.encode' (-nan cannot be written as JSON)"),
        ("json.decode('{')", "bad argument #1 to 'json.decode' (invalid JSON at byte 2: expected a string key)"),
        ("json.decode({})", "bad argument #1 to 'json.decode' (string expected, got table)"),
        ("files.read(1)", "bad argument #1 to 'files.read' (file name expected, got number)"),
        ("files.writecsv('a.csv', {1})", "bad argument #2 to 'files.writecsv' (row #1 is a number, not an array of values)"),
        ("fota.devices{clientType = 'SNMP'}", "bad argument #1 to 'fota.devices' (opts.clientType 'SNMP' is not OMADM or LWM2M)"),
        ("fota.devicesPage('0', {clientType = 1})", "bad argument #2 to 'fota.devicesPage' (opts.clientType must be \"OMADM\" or \"LWM2M\", got number)"),
        ("fota.assignLicenses({})", "bad argument #1 to 'fota.assignLicenses' (device list is empty)"),
        ("fota.removeLicenses({'12345'})", "bad argument #1 to 'fota.removeLicenses' (device #1 '12345' is not an IMEI (15 digits))"),
        ("fota.assignLicenses('990000862471854', {acount = '1'})", "bad argument #2 to 'fota.assignLicenses' (unknown option \"acount\" (known: account))"),
        ("fota.setLicensesToRemove('990000862471854', {append = 'yes'})", "bad argument #2 to 'fota.setLicensesToRemove' (opts.append must be a boolean, got string)"),
        ("fota.subscription(7)", "bad argument #1 to 'fota.subscription' (options table expected, got number)"),
        ("fota.registerCallback('https://x.example/hook')", "bad argument #1 to 'fota.registerCallback' (table {url=, username=, password=, account=} expected, got string)"),
        ("fota.registerCallback{username = 'u'}", "bad argument #1 to 'fota.registerCallback' (field 'url' is missing)"),
        ("fota.registerCallback{url = 'ftp://u:pw-secret@x.example/h?t=1'}", "bad argument #1 to 'fota.registerCallback' (field 'url' 'ftp://x.example/h' is not an absolute http:// or https:// URL)"),
        ("fota.registerCallback{url = 'https://x.example/h', password = 5}", "bad argument #1 to 'fota.registerCallback' (field 'password' must be a string, got number)"),
    ]

    @Test("every bad argument is refused with its position, the function's name and the bad value", arguments: 0..<cases.count)
    func badArgument(_ index: Int) async throws {
        let sim = try await SimulatedAccount.start(devices: 50)
        defer { Task { await sim.stop() } }
        let (call, message) = Self.cases[index]
        let (result, _) = try await sim.run("local ID = \"\(Self.upgradeId)\"\n" + call)
        let error = try #require(result.failure, "\(call) must fail, got \(result.outcome)")
        #expect(error.description.hasSuffix(message), "\(call)")
        #expect(error.description.contains(":2:"), "the error names the script's line: \(error.description)")
        #expect(try await sim.mutatingRequests() == 0)
    }

    @Test("an API failure raises a table with code, message and status that pcall catches")
    func apiErrorTable() async throws {
        let sim = try await SimulatedAccount.start(devices: 50)
        defer { Task { await sim.stop() } }
        let (result, _) = try await sim.run("""
            local ok, e = pcall(fota.upgrade, "\(Self.upgradeId)")
            print(ok, type(e), e.code, e.message, e.status, e.call)
            print(tostring(e))
            print(getmetatable(e))
            fota.cancel("\(Self.upgradeId)")
            """)
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "false\ttable\tINVALID_PARAMETER\tInvalid upgradeId\t400\tfota.upgrade")
        #expect(lines.dropFirst().first == "fota.upgrade: INVALID_PARAMETER: Invalid upgradeId (HTTP 400)")
        #expect(lines.last == "locked")
        let uncaught = try #require(result.failure)
        #expect(uncaught.description.hasPrefix("test-") == false)
        #expect(uncaught.description.hasSuffix(":5: fota.cancel: INVALID_PARAMETER: Invalid upgradeId (HTTP 400)"))
    }

    @Test("module tables are read-only")
    func readOnlyTables() async throws {
        let sim = try await SimulatedAccount.start(devices: 50)
        defer { Task { await sim.stop() } }
        for attempt in ["fota.append = print", "rawset(fota, 'append', print)", "setmetatable(fota, {})", "json.encode = nil", "fota.account = '1'"] {
            let (result, _) = try await sim.run(attempt)
            #expect(result.failure != nil, "\(attempt) must fail")
        }
        let (listing, _) = try await sim.run("local n = 0 for k in pairs(fota) do n = n + 1 end print(n >= 11)")
        #expect(listing.output == "true\n")
    }
}
