import Foundation
import Testing
@testable import ThingSpace

/// Every call over loopback HTTP: method, exact path, headers, body and decoding of the answer.
@Suite struct CallTests {
    let account = StubServer.account

    @Test func listFirmwareSendsGetWithBothAuthHeadersAndDecodesArray() async throws {
        try await withStub(fallback: { request in
            request.path == "/api/fota/v1/firmware/\(StubServer.account)"
                ? .ok(#"[{"firmwareName":"FOTA_VZW_1.0","participantName":"p","launchDate":"2018-04-01T16:03:00.000Z","releaseNote":"n","model":"M1","make":"MK","fromVersion":"1.0","toVersion":"1.1"}]"#)
                : nil
        }) { server, client in
            let firmware = try await client.listFirmware(account: account)
            #expect(firmware == [Firmware(firmwareName: "FOTA_VZW_1.0", participantName: "p", launchDate: "2018-04-01T16:03:00.000Z",
                                          releaseNote: "n", model: "M1", make: "MK", fromVersion: "1.0", toVersion: "1.1")])
            let request = try #require(await server.requests("GET", "/api/fota/v1/firmware/\(account)").first)
            #expect(request.header("authorization") == "Bearer token-1-SECRETTOKEN")
            #expect(request.header("vz-m2m-token") == "session-1-SECRETSESSION")
            #expect(request.header("accept") == "application/json")
        }
    }

    @Test func accountDevicesPagesThroughIMEICursorAsAsyncSequence() async throws {
        try await withStub(fallback: { request in
            switch request.path {
            case "/api/fota/v1/devices/\(StubServer.account)/index/0":
                // Cursor as a number, flag spelled hasMoreData.
                return .ok(#"{"accountName":"\#(StubServer.account)","hasMoreData":true,"lastSeenDeviceId":990000862471854,"deviceList":[{"deviceId":"990000862471854","mdn":"5551230001","model":"M1","make":"MK","firmware":"1.0","fotaEligible":true,"licenseAssigned":false,"upgradeTime":"01/01/1900 0:0:0"}]}"#)
            case "/api/fota/v1/devices/\(StubServer.account)/index/990000862471854":
                // Cursor as a string, flag spelled hasMoreFlag.
                return .ok(#"{"hasMoreFlag":true,"lastSeenDeviceId":"990000862471862","deviceList":[{"deviceId":"990000862471862"}]}"#)
            case "/api/fota/v1/devices/\(StubServer.account)/index/990000862471862":
                return .ok(#"{"hasMoreData":false,"lastSeenDeviceId":0,"deviceList":[{"deviceId":"990000862471870"}]}"#)
            default:
                return nil
            }
        }) { server, client in
            let devices = try await client.accountDevices(account: account).collect()
            #expect(devices.map(\.deviceId) == Fixtures.imeis)
            #expect(devices[0].fotaEligible == true && devices[0].licenseAssigned == false && devices[0].mdn == "5551230001")
            #expect(await server.requests("GET").filter { $0.path.contains("/devices/") }.count == 3)
        }
    }

    @Test func accountDevicesSequenceRequestsNothingUntilIterated() async throws {
        try await withStub { server, client in
            _ = try client.accountDevices(account: account)
            #expect(await server.requests().isEmpty)
            #expect(!client.hasStarted)
        }
    }

    @Test func accountDevicesPageSendsClientTypeQuery() async throws {
        try await withStub(fallback: { _ in .ok(#"{"hasMoreData":false,"lastSeenDeviceId":0,"deviceList":[]}"#) }) { server, client in
            _ = try await client.accountDevicesPage(account: account, clientType: "LWM2M")
            #expect(await server.requests("GET").last?.path == "/api/fota/v1/devices/\(account)/index/0?clientType=LWM2M")
        }
    }

    @Test func scheduleUpgradePostsExactBodyWithoutAccountInPath() async throws {
        try await withStub(fallback: { request in
            request.method == "POST" && request.path == "/api/fota/v1/upgrades" ? .ok(Fixtures.upgradeJSON()) : nil
        }) { server, client in
            let upgrade = try await client.scheduleUpgrade(UpgradeRequest(
                accountName: account, firmwareName: "FOTA_TEST_1.0", firmwareTo: "1.1", startDate: "2026-12-01",
                endDate: "2026-12-08", deviceList: Fixtures.imeis))
            #expect(upgrade.id == Fixtures.upgradeId)
            #expect(upgrade.status == .requestPending)
            #expect(upgrade.deviceList.map(\.deviceId) == Fixtures.imeis)
            #expect(upgrade.deviceList.allSatisfy { $0.resultReason == nil })
            let request = try #require(await server.requests("POST", "/api/fota/v1/upgrades").first)
            #expect(request.header("content-type") == "application/json")
            let body = try #require(jsonObject(request.body))
            #expect(body["accountName"] as? String == account)
            #expect(body["firmwareName"] as? String == "FOTA_TEST_1.0")
            #expect(body["firmwareTo"] as? String == "1.1")
            #expect(body["startDate"] as? String == "2026-12-01")
            #expect(body["endDate"] as? String == "2026-12-08")
            #expect(body["deviceList"] as? [String] == Fixtures.imeis)
        }
    }

    @Test func upgradeDetailsDecodesResultReasonAndOpenStatuses() async throws {
        try await withStub(fallback: { request in
            request.path == fotaUpgradePath
                ? .ok(#"{"id":"\#(Fixtures.upgradeId)","accountName":"\#(StubServer.account)","firmwareName":"F","firmwareTo":"1.1","startDate":"2018-04-01","endDate":"2018-04-08","status":"SomethingNew","deviceList":[{"deviceId":"990000862471854","status":"Device Accepted","resultReason":"success"}]}"#)
                : nil
        }) { _, client in
            let upgrade = try await client.upgrade(account: account, upgradeId: Fixtures.upgradeId)
            #expect(upgrade.status == UpgradeStatus("SomethingNew"))
            #expect(upgrade.status?.isKnown == false)
            #expect(upgrade.endDate == "2018-04-08")
            #expect(upgrade.deviceList == [UpgradeDevice(deviceId: "990000862471854", status: "Device Accepted", resultReason: "success")])
        }
    }

    @Test func addDevicesSendsPutWithTypeAppendAndReadsCapitalReason() async throws {
        try await withStub(fallback: { request in
            request.method == "PUT" && request.path == fotaUpgradePath ? Fixtures.changeReply(for: request.body) : nil
        }) { server, client in
            let result = try await client.addDevices(account: account, upgradeId: Fixtures.upgradeId, devices: Fixtures.imeis)
            #expect(result.map(\.kind) == [.succeeded, .succeeded, .succeeded])
            #expect(result[0].status == "AddDeviceSucceed")
            #expect(result[0].reason == "Device added Successfully")
            let put = try #require(await server.requests("PUT").first)
            let body = try #require(jsonObject(put.body))
            #expect(body["type"] as? String == "append")
            #expect(body["deviceList"] as? [String] == Fixtures.imeis)
        }
    }

    @Test func removeDevicesSendsTypeRemove() async throws {
        try await withStub(fallback: { request in
            request.method == "PUT" ? Fixtures.changeReply(for: request.body) : nil
        }) { server, client in
            let result = try await client.removeDevices(account: account, upgradeId: Fixtures.upgradeId, devices: [Fixtures.imeis[0]])
            #expect(result[0].status == "RemoveDeviceSucceed" && result[0].kind == .succeeded)
            let put = try #require(await server.requests("PUT").first)
            let body = try #require(jsonObject(put.body))
            #expect(body["type"] as? String == "remove")
        }
    }

    @Test func cancelUpgradeSendsDeleteAndReturnsSuccess() async throws {
        try await withStub(fallback: { request in
            request.method == "DELETE" && request.path == fotaUpgradePath ? .ok(#"{"success":true}"#) : nil
        }) { server, client in
            let success = try await client.cancelUpgrade(account: account, upgradeId: Fixtures.upgradeId)
            #expect(success)
            #expect(await server.count("DELETE", fotaUpgradePath) == 1)
        }
    }

    @Test func cancelOfStartedUpgradeThrowsAPIErrorWithCodeAndMessage() async throws {
        try await withStub(fallback: { request in
            request.method == "DELETE" ? .apiError(400, "INVALID_PARAMETER", "Upgrade already started") : nil
        }) { server, client in
            let error = await thingSpaceError { _ = try await client.cancelUpgrade(account: account, upgradeId: Fixtures.upgradeId) }
            guard case .api(let api) = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(api.httpStatus == 400 && api.errorCode == "INVALID_PARAMETER" && api.errorMessage == "Upgrade already started")
            #expect(await server.count("DELETE", fotaUpgradePath) == 1, "a 400 is not retried")
        }
    }

    @Test func upgradesByStatusFollowsLastSeenUpgradeIdAcrossPages() async throws {
        let base = "/api/fota/v1/reports/\(StubServer.account)/status/Queued/index/"
        try await withStub(fallback: { request in
            switch request.path {
            case base + "0":
                return .ok(#"{"hasMoreFlag":true,"lastSeenUpgradeId":17,"reportList":[\#(Fixtures.upgradeJSON(status: "Queued"))]}"#)
            case base + "17":
                return .ok(#"{"hasMoreFlag":false,"lastSeenUpgradeId":0,"reportList":null}"#)
            default:
                return nil
            }
        }) { server, client in
            let upgrades = try await client.upgrades(account: account, status: "Queued").collect()
            #expect(upgrades.map(\.id) == [Fixtures.upgradeId])
            #expect(await server.requests("GET").map(\.path).filter { $0.hasPrefix(base) } == [base + "0", base + "17"])
        }
    }

    @Test func upgradesSequenceFailsWhenCursorDoesNotAdvance() async throws {
        try await withStub(fallback: { request in
            request.path.contains("/reports/") ? .ok(#"{"hasMoreFlag":true,"lastSeenUpgradeId":0,"reportList":[]}"#) : nil
        }) { _, client in
            let error = await thingSpaceError { _ = try await client.upgrades(account: account, status: "Finished").collect() }
            guard case .unexpectedResponse = error else { Issue.record("got \(String(describing: error))"); return }
        }
    }

    @Test func deviceHistoryUsesPluralDevicesPathAndLowercaseReason() async throws {
        let imei = Fixtures.imeis[0]
        try await withStub(fallback: { request in
            request.path == "/api/fota/v1/reports/\(StubServer.account)/devices/\(imei)"
                ? .ok(#"[{"deviceId":"\#(imei)","id":"\#(Fixtures.upgradeId)","accountName":"\#(StubServer.account)","firmwareFrom":"1.0","firmwareTo":"1.1","startDate":"2018-03-05","upgradeStartTime":"2018-03-05T19:07:21Z","status":"UpgradeSuccess","reason":"success"}]"#)
                : nil
        }) { _, client in
            let history = try await client.deviceHistory(account: account, deviceId: imei)
            #expect(history == [DeviceUpgradeHistory(deviceId: imei, id: Fixtures.upgradeId, accountName: account, firmwareFrom: "1.0",
                                                     firmwareTo: "1.1", startDate: "2018-03-05", upgradeStartTime: "2018-03-05T19:07:21Z",
                                                     status: "UpgradeSuccess", reason: "success")])
        }
    }

    @Test func subscriptionDecodesLicenceCounts() async throws {
        try await withStub(fallback: { request in
            request.path == "/api/fota/v1/subscriptions/\(StubServer.account)"
                ? .ok(#"{"accountName":"\#(StubServer.account)","purchaseType":"TS-HFOTA-MRC","licenseCount":100,"licenseUsedCount":"42","updateTime":"2018-03-02 19:50:06.534 +0000 UTC"}"#)
                : nil
        }) { _, client in
            let subscription = try await client.subscription(account: account)
            #expect(subscription == AccountSubscription(accountName: account, purchaseType: "TS-HFOTA-MRC", licenseCount: 100,
                                                        licenseUsedCount: 42, updateTime: "2018-03-02 19:50:06.534 +0000 UTC"))
        }
    }

    @Test func licenseStatusDecodesPageWithCursor() async throws {
        try await withStub(fallback: { request in
            request.path == "/api/fota/v1/licenses/\(StubServer.account)/index/0"
                ? .ok(#"{"accountName":"\#(StubServer.account)","totalLicenses":10,"assignedLicenses":1,"hasMoreData":false,"lastSeenDeviceId":0,"deviceList":[{"deviceId":"990000862471854","assignmentTime":"2018-03-02T16:03:06.000Z"}]}"#)
                : nil
        }) { _, client in
            let status = try await client.licenseStatus(account: account)
            #expect(status.totalLicenses == 10 && status.assignedLicenses == 1 && !status.hasMoreData && status.lastSeenDeviceId == "0")
            #expect(status.deviceList == [LicensedDevice(deviceId: "990000862471854", assignmentTime: "2018-03-02T16:03:06.000Z")])
        }
    }

    @Test func callbacksListAcceptsEmptyBodyAsNoRegistrations() async throws {
        try await withStub(fallback: { request in
            request.path == "/api/fota/v1/callbacks/\(StubServer.account)" ? .json(200, "") : nil
        }) { _, client in
            let callbacks = try await client.callbacks(account: account)
            #expect(callbacks.isEmpty)
        }
    }

    @Test func callbacksListDecodesRegistrations() async throws {
        try await withStub(fallback: { request in
            request.method == "GET" ? .ok(#"[{"aname":"\#(StubServer.account)","name":"Fota","url":"https://example.com/cb","username":"u"}]"#) : nil
        }) { _, client in
            let callbacks = try await client.callbacks(account: account)
            #expect(callbacks == [RegisteredCallback(
                aname: account, name: "Fota", url: "https://example.com/cb", username: "u")])
        }
    }

    @Test func registerCallbackPostsNameAndURL() async throws {
        try await withStub(fallback: { request in
            request.method == "POST" && request.path == "/api/fota/v1/callbacks/\(StubServer.account)"
                ? .ok(#"{"accountName":"\#(StubServer.account)","serviceName":"Fota"}"#) : nil
        }) { server, client in
            let result = try await client.registerCallback(
                account: account, CallbackRegistration(url: "https://example.com/cb", username: "u", password: "cb-pass"))
            #expect(result == CallbackRegistrationResult(accountName: account, serviceName: "Fota"))
            let post = try #require(await server.requests("POST", "/api/fota/v1/callbacks/\(account)").first)
            let body = try #require(jsonObject(post.body))
            #expect(body["name"] as? String == "Fota" && body["url"] as? String == "https://example.com/cb")
            #expect(body["username"] as? String == "u" && body["password"] as? String == "cb-pass")
        }
    }

    @Test func deleteCallbackSendsDeleteByServiceName() async throws {
        try await withStub(fallback: { request in
            request.method == "DELETE" && request.path == "/api/fota/v1/callbacks/\(StubServer.account)/name/Fota" ? .ok(#"{"success":true}"#) : nil
        }) { _, client in
            let deleted = try await client.deleteCallback(account: account)
            #expect(deleted)
        }
    }

    @Test func undecodableSuccessBodyIsUnexpectedResponse() async throws {
        try await withStub(fallback: { _ in .ok("not json") }) { _, client in
            let error = await thingSpaceError { _ = try await client.subscription(account: account) }
            guard case .unexpectedResponse(let detail) = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(detail.httpStatus == 200 && detail.path == "/api/fota/v1/subscriptions/\(account)")
        }
    }
}
