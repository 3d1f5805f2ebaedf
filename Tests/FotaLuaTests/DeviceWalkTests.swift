import Foundation
import NIOHTTP1
import Testing
import ThingSpace

/// `for d in fota.devices()`: what each device table holds, against the pages as JSONDecoder reads them.
@Suite("Device walks")
struct DeviceWalkTests {
    /// Every device of the account, each page decoded by JSONDecoder from the simulator's bytes.
    func decodedDevices(_ sim: SimulatedAccount) async throws -> [AccountDevice] {
        let auth = try await sim.sim.authenticate()
        var devices: [AccountDevice] = []
        var cursor = "0"
        while true {
            let reply = try await sim.sim.fota(.GET, "/devices/\(sim.account)/index/\(cursor)", auth)
            let page = try JSONDecoder().decode(DeviceListPage.self, from: reply.body)
            devices += page.deviceList
            guard page.hasMoreData else { return devices }
            cursor = page.lastSeenDeviceId
        }
    }

    /// A device as the Lua table should hold it: the fields that are present, by their wire names.
    func expected(_ d: AccountDevice) -> [String: String] {
        var fields: [String: String] = ["deviceId": d.deviceId]
        fields["mdn"] = d.mdn
        fields["make"] = d.make
        fields["model"] = d.model
        fields["firmware"] = d.firmware
        fields["fotaEligible"] = d.fotaEligible.map { String($0) }
        fields["licenseAssigned"] = d.licenseAssigned.map { String($0) }
        fields["upgradeTime"] = d.upgradeTime
        return fields
    }

    /// The script prints each device as `key=value` pairs (sorted), one device a line.
    static let printDevices = """
        for d in fota.devices() do
          local parts = {}
          for k, v in pairs(d) do parts[#parts + 1] = k .. "=" .. tostring(v) end
          table.sort(parts)
          print(table.concat(parts, "\\t"))
        end
        """

    func parse(_ output: String) -> [[String: String]] {
        output.split(separator: "\n").map { line in
            var fields: [String: String] = [:]
            for part in line.split(separator: "\t") {
                let pair = part.split(separator: "=", maxSplits: 1)
                fields[String(pair[0])] = pair.count > 1 ? String(pair[1]) : ""
            }
            return fields
        }
    }

    @Test("every device of a 2,500-device fleet, in order, with exactly the fields the pages hold")
    func devicesMatchThePages() async throws {
        let sim = try await SimulatedAccount.start(devices: 2_500)
        defer { Task { await sim.stop() } }
        let want = try await decodedDevices(sim).map(expected)
        let (result, _) = try await sim.run(Self.printDevices)
        #expect(result.finished, "\(result.outcome)")
        let got = parse(result.output)
        #expect(got.count == 2_500 && want.count == 2_500)
        #expect(got == want)
    }

    @Test("fields ThingSpace leaves out or sends in another type read as the client reads them")
    func lenientFields() async throws {
        let sim = try await SimulatedAccount.start(devices: 20)
        defer { Task { await sim.stop() } }
        // One page, no more: a device with only an id (a number), one with text booleans and a null.
        let page = #"{\"hasMoreData\":false,\"lastSeenDeviceId\":0,\"deviceList\":[{\"deviceId\":990000862471854},"#
            + #"{\"deviceId\":\"990000862471862\",\"mdn\":null,\"make\":\"Quectel\",\"fotaEligible\":\"TRUE\",\"licenseAssigned\":false,\"other\":[1,{}]}]}"#
        _ = try await sim.control(.POST, "/_sim/faults",
                                  body: #"{"method":"GET","pathPrefix":"/api/fota/v1/devices/","remaining":1,"body":"\#(page)"}"#)
        let (result, _) = try await sim.run(Self.printDevices)
        #expect(result.finished, "\(result.outcome)")
        #expect(parse(result.output) == [
            ["deviceId": "990000862471854"],
            ["deviceId": "990000862471862", "make": "Quectel", "fotaEligible": "true", "licenseAssigned": "false"],
        ])
    }
}
