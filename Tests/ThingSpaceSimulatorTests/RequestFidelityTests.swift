import Foundation
import Testing
@testable import ThingSpaceSimulator

/// What a rehearsal must not hide (docs/simulator.md, Endpoints; docs/thingspace-api.md A3, A5): request keys in
/// any case, duplicate devices treated alike everywhere, and a fleet of which only part holds a licence.
@Suite("Request fidelity")
struct RequestFidelityTests {
    @Test func requestKeysAreReadWithoutRegardToCaseUnlessStrict() async throws {
        for strict in [false, true] {
            try await Sim.with(Sim.options { $0.strictKeys = strict }) { sim in
                let auth = try await sim.authenticate()
                let group = try #require(try await sim.schedulable(auth).first)
                let name = group.image["firmwareName"] as? String ?? ""
                let to = group.image["toVersion"] as? String ?? ""
                let body = #"{"AccountName":"\#(sim.account)","FIRMWARENAME":"\#(name)","firmwareto":"\#(to)","StartDate":"2026-03-10","devicelist":\#(jsonList([group.devices[0]]))}"#
                let reply = try await sim.fota(.POST, "/upgrades", auth, json: body)
                if strict {
                    #expect(reply.status == 400)
                    #expect(reply.errorMessage == "Invalid account name format")
                    return
                }
                #expect(reply.status == 200)
                let id = try #require(try reply.object["id"] as? String)
                let append = try await sim.fota(.PUT, "/upgrades/\(sim.account)/upgrade/\(id)", auth,
                                                json: #"{"TYPE":"append","DeviceList":\#(jsonList([group.devices[1]]))}"#)
                #expect(append.status == 200)
                #expect((try append.object["deviceList"] as? [[String: Any]])?.first?["status"] as? String == "AddDeviceSucceed")
                // The documented spelling wins over another one.
                let both = try await sim.fota(.PUT, "/upgrades/\(sim.account)/upgrade/\(id)", auth,
                                              json: #"{"type":"append","devicelist":\#(jsonList([group.devices[3]])),"deviceList":\#(jsonList([group.devices[2]]))}"#)
                #expect((try both.object["deviceList"] as? [[String: Any]])?.compactMap { $0["deviceId"] as? String } == [group.devices[2]])
                #expect(Set(try await sim.deviceStatuses(auth, id).keys) == Set(group.devices.prefix(3)))
            }
        }
    }

    @Test func duplicateDevicesCountOnceInAScheduleAndInAnAppend() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let group = try #require(try await sim.schedulable(auth).first)
            let (a, b, c) = (group.devices[0], group.devices[1], group.devices[2])
            let scheduled = try await sim.schedule(auth, image: group.image, devices: [a, b, a])
            let id = try #require(try scheduled.object["id"] as? String)
            #expect((try scheduled.object["deviceList"] as? [[String: Any]])?.compactMap { $0["deviceId"] as? String } == [a, b])
            let append = try await sim.fota(.PUT, "/upgrades/\(sim.account)/upgrade/\(id)", auth,
                                            json: #"{"type":"append","deviceList":\#(jsonList([c, c]))}"#)
            let results = try #require(try append.object["deviceList"] as? [[String: Any]])
            #expect(results.map { $0["deviceId"] as? String } == [c])
            #expect(results.map { $0["status"] as? String } == ["AddDeviceSucceed"])
            #expect(try await sim.deviceStatuses(auth, id).count == 3)
        }
    }

    @Test func partOfTheFleetNeedsALicenceAndIsRejectedWithoutOne() async throws {
        try await Sim.with(Sim.options(devices: 2000)) { sim in
            let auth = try await sim.authenticate()
            let devices = try await sim.devices(auth)
            let licensed = devices.filter { $0["licenseAssigned"] as? Bool == true }.count
            #expect((1300...1500).contains(licensed))
            let subscription = try await sim.fota(.GET, "/subscriptions/\(sim.account)", auth).object
            #expect(subscription["licenseUsedCount"] as? Int == licensed)
            let images = try await sim.firmware(auth)
            let unlicensed = try #require(devices.first { device in
                device["licenseAssigned"] as? Bool == false && device["fotaEligible"] as? Bool == true
                    && images.contains { $0["model"] as? String == device["model"] as? String && $0["fromVersion"] as? String == device["firmware"] as? String }
            })
            let deviceId = try #require(unlicensed["deviceId"] as? String)
            let image = try #require(images.first { $0["model"] as? String == unlicensed["model"] as? String && $0["fromVersion"] as? String == unlicensed["firmware"] as? String })
            let id = try #require(try await sim.schedule(auth, image: image, devices: [deviceId]).object["id"] as? String)
            try await sim.advance(seconds: 120)
            #expect(try await sim.deviceStatuses(auth, id)[deviceId]?.reason == "Device has no license assigned.")
        }
        try await Sim.with(Sim.options(devices: 500) { $0.licensedShare = 1 }) { sim in
            let auth = try await sim.authenticate()
            #expect(try await sim.devices(auth).allSatisfy { $0["licenseAssigned"] as? Bool == true })
        }
    }
}
