import Foundation
import Testing
@testable import ThingSpaceSimulator

@Suite("FOTA v1 endpoints")
struct EndpointTests {
    @Test func firmwareListHasDocumentedFields() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let images = try await sim.firmware(auth)
            #expect(images.count == Catalogue.firmware.count)
            for key in ["firmwareName", "participantName", "launchDate", "releaseNote", "model", "make", "fromVersion", "toVersion"] {
                #expect(images.allSatisfy { $0[key] is String }, "missing \(key)")
            }
        }
    }

    @Test func deviceListPagesByImeiCursorWithIntegerLastSeenDeviceId() async throws {
        try await Sim.with(Sim.options(devices: 2500)) { sim in
            let auth = try await sim.authenticate()
            let first = try await sim.fota(.GET, "/devices/\(sim.account)/index/0", auth)
            #expect(first.status == 200)
            // The cursor is a JSON number, not a string.
            #expect(String(decoding: first.body, as: UTF8.self).contains(#""lastSeenDeviceId":3"#))
            let page = try first.object
            let list = try #require(page["deviceList"] as? [[String: Any]])
            #expect(list.count == 1000)
            #expect(page["hasMoreData"] as? Bool == true)
            #expect(page["accountName"] as? String == sim.account)
            let last = try #require(page["lastSeenDeviceId"] as? Int)
            #expect(String(last) == list.last?["deviceId"] as? String)
            for key in ["deviceId", "mdn", "model", "make", "firmware", "upgradeTime"] {
                #expect(list.allSatisfy { $0[key] is String }, "missing \(key)")
            }
            #expect(list.first?["upgradeTime"] as? String == "01/01/1900 0:0:0")
            let all = try await sim.devices(auth)
            #expect(all.count == 2500)
            let ids = all.compactMap { $0["deviceId"] as? String }
            #expect(ids == ids.sorted())
            #expect(Set(ids).count == 2500)
            let lastPage = try await sim.fota(.GET, "/devices/\(sim.account)/index/\(ids[1999])", auth).object
            #expect(lastPage["hasMoreData"] as? Bool == false)
            #expect(lastPage["lastSeenDeviceId"] as? Int == 0)
        }
    }

    @Test func deviceListRejectsCursorThatIsNotAnAccountImei() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let reply = try await sim.fota(.GET, "/devices/\(sim.account)/index/123456789012345", auth)
            #expect(reply.status == 400)
            #expect(reply.errorCode == "INVALID_PARAMETER")
            #expect(reply.errorMessage == "LastSeenDeviceId Not Valid")
            let bad = try await sim.fota(.GET, "/devices/\(sim.account)/index/abc", auth)
            #expect(bad.errorMessage == "Invalid index value")
        }
    }

    @Test func deviceListFiltersByClientType() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let lwm2m = try #require(try await sim.fota(.GET, "/devices/\(sim.account)/index/0?clientType=LWM2M", auth).object["deviceList"] as? [[String: Any]])
            let omadm = try #require(try await sim.fota(.GET, "/devices/\(sim.account)/index/0?clientType=OMADM", auth).object["deviceList"] as? [[String: Any]])
            #expect(!lwm2m.isEmpty && !omadm.isEmpty)
            #expect(lwm2m.count + omadm.count == 300)
            let lwm2mModels = Set(Catalogue.models.filter { $0.clientType == "LWM2M" }.map(\.model))
            #expect(lwm2m.allSatisfy { lwm2mModels.contains($0["model"] as? String ?? "") })
        }
    }

    @Test func malformedAccountNameIsRefused() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let reply = try await sim.fota(.GET, "/firmware/abc!def", auth)
            #expect(reply.status == 400)
            #expect(reply.errorMessage == "Invalid account name format")
        }
    }

    @Test func accountNameKeepsLeadingZeros() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            #expect(sim.account.hasPrefix("0"))
            let stripped = String(sim.account.drop { $0 == "0" })
            let reply = try await sim.fota(.GET, "/firmware/\(stripped)", auth)
            #expect(reply.status == 400)
            #expect(reply.errorMessage == "Inactive account")
        }
    }

    @Test func scheduleReturnsPendingUpgradeWithoutResultReason() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let candidates = try #require(try await sim.schedulable(auth).first)
            let devices = Array(candidates.devices.prefix(2))
            let reply = try await sim.schedule(auth, image: candidates.image, devices: devices)
            #expect(reply.status == 200)
            let body = try reply.object
            let id = try #require(body["id"] as? String)
            #expect(Identifiers.isUUIDShaped(id))
            #expect(body["status"] as? String == "RequestPending")
            #expect(body["accountName"] as? String == sim.account)
            #expect(body["firmwareName"] as? String == candidates.image["firmwareName"] as? String)
            #expect(body["startDate"] as? String == "2026-03-10")
            let list = try #require(body["deviceList"] as? [[String: Any]])
            #expect(list.map { $0["deviceId"] as? String } == devices)
            #expect(list.allSatisfy { $0["status"] as? String == "RequestPending" && $0["resultReason"] == nil })
        }
    }

    @Test func scheduleToleratesUnknownKeys() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let candidates = try #require(try await sim.schedulable(auth).first)
            let body = #"{"accountName":"\#(sim.account)","firmwareName":"\#(candidates.image["firmwareName"] as? String ?? "")","firmwareTo":"\#(candidates.image["toVersion"] as? String ?? "")","startDate":"2026-03-10","deviceList":\#(jsonList([candidates.devices[0]])),"futureField":{"x":[1,2]}}"#
            #expect(try await sim.fota(.POST, "/upgrades", auth, json: body).status == 200)
        }
    }

    @Test(arguments: [
        ("empty device list", #"{"accountName":"ACC","firmwareName":"FW","firmwareTo":"TO","startDate":"2026-03-10","deviceList":[]}"#, "Device list is empty"),
        ("missing device list", #"{"accountName":"ACC","firmwareName":"FW","firmwareTo":"TO","startDate":"2026-03-10"}"#, "Device list is empty"),
        ("bad start date", #"{"accountName":"ACC","firmwareName":"FW","firmwareTo":"TO","startDate":"10/03/2026","deviceList":["DEV"]}"#, "FotaPostUpgrades: invalid state date"),
        ("impossible start date", #"{"accountName":"ACC","firmwareName":"FW","firmwareTo":"TO","startDate":"2026-02-30","deviceList":["DEV"]}"#, "FotaPostUpgrades: invalid state date"),
        ("short imei", #"{"accountName":"ACC","firmwareName":"FW","firmwareTo":"TO","startDate":"2026-03-10","deviceList":["12345"]}"#, "Invalid device id format"),
        ("bad account", #"{"accountName":"ACC;","firmwareName":"FW","firmwareTo":"TO","startDate":"2026-03-10","deviceList":["DEV"]}"#, "Invalid account name format"),
        ("unknown firmware", #"{"accountName":"ACC","firmwareName":"nope","firmwareTo":"TO","startDate":"2026-03-10","deviceList":["DEV"]}"#, "Invalid firmware name"),
        ("wrong firmwareTo", #"{"accountName":"ACC","firmwareName":"FW","firmwareTo":"9.9.9","startDate":"2026-03-10","deviceList":["DEV"]}"#, "Invalid firmwareTo version"),
        ("end before start", #"{"accountName":"ACC","firmwareName":"FW","firmwareTo":"TO","startDate":"2026-03-10","endDate":"2026-03-09","deviceList":["DEV"]}"#, "FotaPostUpgrades: invalid end date"),
        ("unknown account", #"{"accountName":"1234567890-00001","firmwareName":"FW","firmwareTo":"TO","startDate":"2026-03-10","deviceList":["DEV"]}"#, "Inactive account"),
        ("wrong types", #"{"accountName":"ACC","firmwareName":"FW","firmwareTo":"TO","startDate":"2026-03-10","deviceList":[123]}"#, "Input binding error"),
        ("empty body", "", "Input binding error"),
        ("unparsable body", "{not json", "Input binding error"),
        ("array body", "[]", "Input binding error"),
    ])
    func scheduleRefusesBadInput(_ name: String, _ template: String, _ message: String) async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let candidates = try #require(try await sim.schedulable(auth).first)
            let body = template.replacingOccurrences(of: "ACC", with: sim.account)
                .replacingOccurrences(of: "\"FW\"", with: "\"\(candidates.image["firmwareName"] as? String ?? "")\"")
                .replacingOccurrences(of: "\"TO\"", with: "\"\(candidates.image["toVersion"] as? String ?? "")\"")
                .replacingOccurrences(of: "DEV", with: candidates.devices[0])
            let reply = try await sim.fota(.POST, "/upgrades", auth, json: body)
            #expect(reply.status == 400, "\(name)")
            #expect(reply.errorCode == "INVALID_PARAMETER", "\(name)")
            #expect(reply.errorMessage == message, "\(name)")
        }
    }

    @Test func scheduleRefusesNonUTF8Body() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let reply = try await sim.fota(.POST, "/upgrades", auth, raw: Data([0xFF, 0xFE, 0x7B, 0x80, 0x00]))
            #expect(reply.status == 400)
            #expect(reply.errorMessage == "Input binding error")
        }
    }

    @Test func oversizedBodyIsRefusedWith413() async throws {
        try await Sim.with(Sim.options { $0.maxBodyBytes = 1024 }) { sim in
            let auth = try await sim.authenticate()
            let reply = try await sim.fota(.POST, "/upgrades", auth, raw: Data(repeating: 0x20, count: 4096))
            #expect(reply.status == 413)
            // The simulator keeps serving afterwards.
            #expect(try await sim.fota(.GET, "/subscriptions/\(sim.account)", auth).status == 200)
        }
    }

    @Test func detailsOfUnknownUpgradeIsInvalidUpgradeId() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let reply = try await sim.fota(.GET, "/upgrades/\(sim.account)/upgrade/\(UUID().uuidString.lowercased())", auth)
            #expect(reply.status == 400)
            #expect(reply.errorMessage == "Invalid upgradeId")
        }
    }

    @Test func detailsWithNonHexIdIsInvalidUuid() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            for id in ["zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", "1234"] {
                let reply = try await sim.fota(.GET, "/upgrades/\(sim.account)/upgrade/\(id)", auth)
                #expect(reply.status == 400)
                #expect(reply.errorMessage == "Invalid uuid")
            }
        }
    }

    @Test func appendAndRemoveReportPerDeviceResultsWithCapitalReason() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let (id, devices, _) = try await sim.scheduleValid(auth, count: 2)
            let extra = try #require(try await sim.schedulable(auth).first?.devices.last)
            let append = try await sim.fota(.PUT, "/upgrades/\(sim.account)/upgrade/\(id)", auth,
                                            json: #"{"type":"append","deviceList":\#(jsonList([extra, devices[0]]))}"#)
            #expect(append.status == 200)
            let text = String(decoding: append.body, as: UTF8.self)
            #expect(text.contains(#""Reason":"Device added Successfully""#))
            let body = try append.object
            #expect(body["id"] as? String == id)
            #expect(body["accountName"] as? String == sim.account)
            let results = try #require(body["deviceList"] as? [[String: Any]])
            #expect(results.map { $0["status"] as? String } == ["AddDeviceSucceed", "AddDeviceFailed"])
            let remove = try await sim.fota(.PUT, "/upgrades/\(sim.account)/upgrade/\(id)", auth,
                                            json: #"{"type":"remove","deviceList":\#(jsonList([devices[1], devices[1]]))}"#)
            let removed = try #require(try remove.object["deviceList"] as? [[String: Any]])
            // A device listed twice is one device (as in a schedule): one result.
            #expect(removed.map { $0["status"] as? String } == ["RemoveDeviceSucceed"])
            let now = try await sim.deviceStatuses(auth, id)
            #expect(Set(now.keys) == [devices[0], extra])
        }
    }

    @Test func changeRefusesBadTypeAndEmptyList() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let (id, devices, _) = try await sim.scheduleValid(auth, count: 1)
            let path = "/upgrades/\(sim.account)/upgrade/\(id)"
            #expect(try await sim.fota(.PUT, path, auth, json: #"{"type":"merge","deviceList":\#(jsonList(devices))}"#).errorCode == "INVALID_PARAMETER")
            #expect(try await sim.fota(.PUT, path, auth, json: #"{"type":"append","deviceList":[]}"#).errorMessage == "Device list is empty")
            #expect(try await sim.fota(.PUT, path, auth, json: #"{"type":"append","deviceList":["x"]}"#).errorMessage == "Invalid device id format")
            #expect(try await sim.fota(.PUT, path, auth, json: "").errorMessage == "Input binding error")
        }
    }

    @Test func cancelRemovesUpgradeBeforeStart() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let (id, _, _) = try await sim.scheduleValid(auth)
            let reply = try await sim.fota(.DELETE, "/upgrades/\(sim.account)/upgrade/\(id)", auth)
            #expect(reply.status == 200)
            #expect(try reply.object["success"] as? Bool == true)
            let after = try await sim.fota(.GET, "/upgrades/\(sim.account)/upgrade/\(id)", auth)
            #expect(after.errorMessage == "Invalid upgradeId")
        }
    }

    @Test func upgradesByStatusPagesOldestFirst() async throws {
        try await Sim.with(Sim.options(devices: 3000)) { sim in
            let auth = try await sim.authenticate()
            let candidates = try #require(try await sim.schedulable(auth).first)
            var ids: [String] = []
            for device in candidates.devices.prefix(3) {
                ids.append(try #require(try await sim.schedule(auth, image: candidates.image, devices: [device]).object["id"] as? String))
            }
            let reply = try await sim.fota(.GET, "/reports/\(sim.account)/status/RequestPending/index/0", auth)
            #expect(reply.status == 200)
            let body = try reply.object
            #expect(body["hasMoreFlag"] as? Bool == false)
            #expect(body["lastSeenUpgradeId"] as? Int == 0)
            let list = try #require(body["reportList"] as? [[String: Any]])
            #expect(list.compactMap { $0["id"] as? String } == ids)
            let queued = try await sim.fota(.GET, "/reports/\(sim.account)/status/Queued/index/0", auth).object
            #expect((queued["reportList"] as? [Any])?.isEmpty == true)
            #expect(try await sim.fota(.GET, "/reports/\(sim.account)/status/Bogus/index/0", auth).status == 400)
            #expect(try await sim.fota(.GET, "/reports/\(sim.account)/status/Queued/index/x", auth).errorMessage == "Invalid index value")
        }
    }

    @Test func historyIsServedUnderDevicesAndDevicePaths() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let device = try #require(try await sim.devices(auth).first?["deviceId"] as? String)
            for segment in ["devices", "device"] {
                let reply = try await sim.fota(.GET, "/reports/\(sim.account)/\(segment)/\(device)", auth)
                #expect(reply.status == 200)
                #expect(try reply.array.isEmpty)
            }
            #expect(try await sim.fota(.GET, "/reports/\(sim.account)/devices/12", auth).errorMessage == "Invalid device id format")
        }
    }

    @Test func subscriptionReportsLicenceCounts() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let body = try await sim.fota(.GET, "/subscriptions/\(sim.account)", auth).object
            #expect(body["accountName"] as? String == sim.account)
            #expect(body["purchaseType"] as? String == "TS-HFOTA-MRC")
            let licensed = try await sim.devices(auth).filter { $0["licenseAssigned"] as? Bool == true }.count
            #expect(body["licenseUsedCount"] as? Int == licensed)
            #expect((body["licenseCount"] as? Int ?? 0) > licensed)
            #expect(body["updateTime"] is String)
        }
    }

    @Test func licenseStatusListsLicensedDevices() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let body = try await sim.fota(.GET, "/licenses/\(sim.account)/index/0", auth).object
            let licensed = try await sim.devices(auth).filter { $0["licenseAssigned"] as? Bool == true }.compactMap { $0["deviceId"] as? String }
            let list = try #require(body["deviceList"] as? [[String: Any]])
            #expect(list.compactMap { $0["deviceId"] as? String } == licensed)
            #expect(list.allSatisfy { $0["assignmentTime"] is String })
            #expect(body["assignedLicenses"] as? Int == licensed.count)
            #expect(body["hasMoreData"] as? Bool == false)
        }
    }

    @Test func assignAndRemoveLicences() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let devices = try await sim.devices(auth)
            let unlicensed = try #require(devices.first { $0["licenseAssigned"] as? Bool == false }?["deviceId"] as? String)
            let assign = try await sim.fota(.POST, "/licenses/\(sim.account)/assign", auth, json: #"{"deviceList":\#(jsonList([unlicensed]))}"#).object
            let assigned = try #require(assign["deviceList"] as? [[String: Any]])
            #expect(assigned.first?["status"] as? String == "LicenseAssignSuccess")
            #expect(assign["licCount"] is Int && assign["licUsedCount"] is Int)
            let remove = try await sim.fota(.POST, "/licenses/\(sim.account)/remove", auth, json: #"{"deviceList":\#(jsonList([unlicensed, unlicensed]))}"#).object
            let removed = try #require(remove["deviceList"] as? [[String: Any]])
            // Listed twice, handled once, like every device list.
            #expect(removed.map { $0["status"] as? String } == ["LicenseRemoveSuccess"])
            let again = try await sim.fota(.POST, "/licenses/\(sim.account)/remove", auth, json: #"{"deviceList":\#(jsonList([unlicensed]))}"#).object
            #expect((again["deviceList"] as? [[String: Any]])?.first?["Reason"] as? String == "No license attached to device")
        }
    }

    @Test func licencesToRemoveListCanBeSetAppendedListedAndDeleted() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let ids = try await sim.devices(auth).prefix(3).compactMap { $0["deviceId"] as? String }
            let set = try await sim.fota(.POST, "/licenses/\(sim.account)/cancel", auth, json: #"{"deviceList":\#(jsonList([ids[0]]))}"#).object
            #expect(set["count"] as? Int == 1)
            let appended = try await sim.fota(.POST, "/licenses/\(sim.account)/cancel", auth, json: #"{"type":"append","deviceList":\#(jsonList([ids[1], ids[2]]))}"#).object
            #expect(appended["count"] as? Int == 3)
            let listed = try await sim.fota(.GET, "/licenses/\(sim.account)/cancel/index/0", auth).object
            #expect(listed["deviceList"] as? [String] == ids)
            #expect(listed["hasMoreData"] as? Bool == false)
            #expect(listed["updateTime"] is String)
            #expect(try await sim.fota(.GET, "/licenses/\(sim.account)/cancel/index/5000", auth).errorMessage == "Index exceeds number of devices in list")
            let deleted = try await sim.fota(.DELETE, "/licenses/\(sim.account)/cancel", auth).object
            #expect(deleted["success"] as? Bool == true)
            #expect(try await sim.fota(.GET, "/licenses/\(sim.account)/cancel/index/0", auth).object["count"] as? Int == 0)
        }
    }

    @Test func callbackRegistrationLifecycle() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let path = "/callbacks/\(sim.account)"
            let empty = try await sim.fota(.GET, path, auth)
            #expect(empty.status == 200)
            #expect(empty.body.isEmpty)
            let registered = try await sim.fota(.POST, path, auth, json: #"{"name":"Fota","url":"http://127.0.0.1:9/hook","username":"u","password":"p"}"#).object
            #expect(registered["accountName"] as? String == sim.account)
            #expect(registered["serviceName"] as? String == "Fota")
            _ = try await sim.fota(.POST, path, auth, json: #"{"name":"Fota","url":"http://127.0.0.1:9/other"}"#)
            let listed = try await sim.fota(.GET, path, auth).array
            #expect(listed.count == 1)
            #expect(listed.first?["url"] as? String == "http://127.0.0.1:9/other")
            #expect(listed.first?["aname"] as? String == sim.account)
            #expect(listed.first?["name"] as? String == "Fota")
            #expect(try await sim.fota(.POST, path, auth, json: #"{"name":"Other","url":"http://x/y"}"#).errorCode == "INVALID_PARAMETER")
            #expect(try await sim.fota(.DELETE, "\(path)/name/Fota", auth).object["success"] as? Bool == true)
            #expect(try await sim.fota(.GET, path, auth).body.isEmpty)
        }
    }

    @Test func unknownPathIsGatewayFault900906() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            for path in ["/api/fota/v1/nothing/here", "/api/fota/v2/firmware/x", "/elsewhere"] {
                let reply = try await sim.send(.GET, path, headers: [("Authorization", "Bearer \(auth.bearer)")])
                #expect(reply.status == 400)
                #expect(reply.faultCode == "900906")
            }
        }
    }

    @Test func unknownClientTypeIsRefused() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let reply = try await sim.fota(.GET, "/devices/\(sim.account)/index/0?clientType=SMS", auth)
            #expect(reply.status == 400)
            #expect(reply.errorMessage == "Unknown client device type.")
        }
    }

    @Test func licenceAssignRefusesAlreadyLicensedAndUnknownDevices() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let licensed = try #require(try await sim.devices(auth).first { $0["licenseAssigned"] as? Bool == true }?["deviceId"] as? String)
            let unknown = Identifiers.imeiString(990_000_000_000_002)
            let body = try await sim.fota(.POST, "/licenses/\(sim.account)/assign", auth, json: #"{"deviceList":\#(jsonList([licensed, unknown]))}"#).object
            let results = try #require(body["deviceList"] as? [[String: Any]])
            #expect(results.map { $0["status"] as? String } == ["LicenseAssignFailed", "LicenseAssignFailed"])
            #expect(results.map { $0["Reason"] as? String } == ["License already assigned to device", "Device not found."])
            #expect(try await sim.fota(.POST, "/licenses/\(sim.account)/assign", auth, json: #"{"deviceList":[]}"#).errorMessage == "Device list is empty")
        }
    }

    @Test func licenceCannotBeRemovedFromUpgradedDevice() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let (_, devices, _) = try await sim.scheduleValid(auth, count: 1)
            try await sim.advance(seconds: 30 * 86_400)
            let body = try await sim.fota(.POST, "/licenses/\(sim.account)/remove", auth, json: #"{"deviceList":\#(jsonList(devices))}"#).object
            let result = try #require((body["deviceList"] as? [[String: Any]])?.first)
            #expect(result["status"] as? String == "LicenseRemoveFailed")
            #expect(result["Reason"] as? String == "License cannot be removed from an upgraded device")
        }
    }

    @Test func licencesToRemoveRefusesUnknownType() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let device = try #require(try await sim.devices(auth).first?["deviceId"] as? String)
            let reply = try await sim.fota(.POST, "/licenses/\(sim.account)/cancel", auth, json: #"{"type":"merge","deviceList":\#(jsonList([device]))}"#)
            #expect(reply.status == 400)
            #expect(reply.errorCode == "INVALID_PARAMETER")
        }
    }

    @Test func callbackRegistrationRefusesBadUrlAndService() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let path = "/callbacks/\(sim.account)"
            #expect(try await sim.fota(.POST, path, auth, json: #"{"name":"Fota","url":"ftp://x/y"}"#).errorMessage == "Invalid url")
            #expect(try await sim.fota(.POST, path, auth, json: #"{"name":"Fota"}"#).errorMessage == "Invalid url")
            #expect(try await sim.fota(.DELETE, "\(path)/name/Other", auth).errorMessage == "Invalid service name")
        }
    }
}
