import Foundation
import Testing
@testable import ThingSpaceSimulator

@Suite("Campaign state machine")
struct StateMachineTests {
    @Test func pendingUpgradeBecomesQueuedAfterValidationDelay() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let (id, devices, _) = try await sim.scheduleValid(auth)
            try await sim.advance(seconds: 119)
            #expect(try await sim.status(auth, id) == "RequestPending")
            try await sim.advance(seconds: 1)
            #expect(try await sim.status(auth, id) == "Queued")
            let statuses = try await sim.deviceStatuses(auth, id)
            #expect(devices.allSatisfy { statuses[$0]?.status == "Device Accepted" && statuses[$0]?.reason == "success" })
        }
    }

    @Test func queuedUpgradeStartsAtStartDateAndAlwaysOnDevicesFinishAnHourLater() async throws {
        try await Sim.with(Sim.alwaysOn()) { sim in
            let auth = try await sim.authenticate()
            let (id, devices, image) = try await sim.scheduleValid(auth, startDate: "2026-03-04")
            try await sim.advance(seconds: 120)
            #expect(try await sim.status(auth, id) == "Queued")
            // 2026-03-04T00:00Z; the clock starts at 2026-03-02T09:00Z.
            let toStart = try await sim.control(.POST, "/clock/advance", json: #"{"to":"2026-03-04"}"#)
            #expect(toStart.status == 200)
            #expect(try await sim.status(auth, id) == "InProgress")
            #expect(try await sim.deviceStatuses(auth, id)[devices[0]]?.status == "UpgradeInProgress")
            // Still changeable? No: add, remove and cancel are refused once started.
            let path = "/upgrades/\(sim.account)/upgrade/\(id)"
            #expect(try await sim.fota(.PUT, path, auth, json: #"{"type":"remove","deviceList":\#(jsonList([devices[0]]))}"#).status == 400)
            try await sim.advance(seconds: 3600)
            #expect(try await sim.status(auth, id) == "Finished")
            #expect(try await sim.deviceStatuses(auth, id)[devices[0]]?.status == "UpgradeSuccess")
            let device = try #require(try await sim.devices(auth).first { $0["deviceId"] as? String == devices[0] })
            #expect(device["firmware"] as? String == image["toVersion"] as? String)
            #expect(device["upgradeTime"] as? String == "2026-03-04 01:00:00.000 +0000 UTC")
            let history = try await sim.fota(.GET, "/reports/\(sim.account)/devices/\(devices[0])", auth).array
            #expect(history.count == 1)
            let entry = try #require(history.first)
            #expect(entry["id"] as? String == id)
            #expect(entry["status"] as? String == "UpgradeSuccess")
            #expect(entry["reason"] as? String == "success")
            #expect(entry["firmwareFrom"] as? String == image["fromVersion"] as? String)
            #expect(entry["firmwareTo"] as? String == image["toVersion"] as? String)
            #expect(entry["startDate"] as? String == "2026-03-04")
            #expect(entry["upgradeStartTime"] as? String == "2026-03-04T00:00:00Z")
            #expect(entry["accountName"] as? String == sim.account)
        }
    }

    @Test func onDemandUpgradeStartsAfterPreValidationWindow() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let (id, _, _) = try await sim.scheduleValid(auth, startDate: "2026-03-02")
            try await sim.advance(seconds: 120)
            #expect(try await sim.status(auth, id) == "Queued")
            try await sim.advance(seconds: 90 * 60)
            #expect(try await sim.status(auth, id) == "InProgress")
        }
    }

    @Test func clockJumpAppliesEveryStepInOrder() async throws {
        try await Sim.with(Sim.alwaysOn()) { sim in
            let auth = try await sim.authenticate()
            let (id, _, _) = try await sim.scheduleValid(auth)
            try await sim.advance(seconds: 30 * 86_400)
            #expect(try await sim.status(auth, id) == "Finished")
        }
    }

    @Test func cancelIsRefusedOnceStarted() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let (id, _, _) = try await sim.scheduleValid(auth, startDate: "2026-03-03")
            _ = try await sim.control(.POST, "/clock/advance", json: #"{"to":"2026-03-03T00:30:00Z"}"#)
            let reply = try await sim.fota(.DELETE, "/upgrades/\(sim.account)/upgrade/\(id)", auth)
            #expect(reply.status == 400)
            #expect(reply.errorCode == "INVALID_PARAMETER")
            #expect(try await sim.status(auth, id) == "InProgress")
        }
    }

    @Test func appendIsRefusedOnceStarted() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let (id, _, _) = try await sim.scheduleValid(auth, count: 1, startDate: "2026-03-03")
            let extra = try #require(try await sim.schedulable(auth).first?.devices.last)
            _ = try await sim.control(.POST, "/clock/advance", json: #"{"to":"2026-03-03T00:30:00Z"}"#)
            let reply = try await sim.fota(.PUT, "/upgrades/\(sim.account)/upgrade/\(id)", auth, json: #"{"type":"append","deviceList":\#(jsonList([extra]))}"#)
            #expect(reply.status == 400)
        }
    }

    @Test func firmwareMismatchRejectsDevicesAndFailsRequest() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let groups = try await sim.schedulable(auth)
            let image = groups[0].image
            // Devices that match a different image do not match this one.
            let other = try #require(groups.first { $0.image["model"] as? String != image["model"] as? String })
            let reply = try await sim.schedule(auth, image: image, devices: [other.devices[0]])
            let id = try #require(try reply.object["id"] as? String)
            try await sim.advance(seconds: 120)
            #expect(try await sim.status(auth, id) == "RequestFailed")
            let status = try #require(try await sim.deviceStatuses(auth, id)[other.devices[0]])
            #expect(status.status == "Device Rejected")
            #expect(status.reason == RejectionReason.firmwareMismatch)
        }
    }

    @Test func unknownDeviceIsRejectedButOthersProceed() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let groups = try await sim.schedulable(auth)
            let unknown = Identifiers.imeiString(990_000_000_000_002)
            let reply = try await sim.schedule(auth, image: groups[0].image, devices: [groups[0].devices[0], unknown])
            let id = try #require(try reply.object["id"] as? String)
            try await sim.advance(seconds: 120)
            #expect(try await sim.status(auth, id) == "Queued")
            let statuses = try await sim.deviceStatuses(auth, id)
            #expect(statuses[unknown]?.status == "Device Rejected")
            #expect(statuses[unknown]?.reason == RejectionReason.notFound)
            #expect(statuses[groups[0].devices[0]]?.status == "Device Accepted")
        }
    }

    @Test func ineligibleAndUnlicensedDevicesAreRejected() async throws {
        try await Sim.with(Sim.options(devices: 2000)) { sim in
            let auth = try await sim.authenticate()
            let devices = try await sim.devices(auth)
            let images = try await sim.firmware(auth)
            func matchingImage(_ device: [String: Any]) -> [String: Any]? {
                images.first { $0["model"] as? String == device["model"] as? String && $0["fromVersion"] as? String == device["firmware"] as? String }
            }
            let ineligible = try #require(devices.first { $0["fotaEligible"] as? Bool == false && matchingImage($0) != nil })
            let unlicensed = try #require(devices.first { $0["fotaEligible"] as? Bool == true && $0["licenseAssigned"] as? Bool == false && matchingImage($0) != nil })
            for (device, reason) in [(ineligible, RejectionReason.notEligible), (unlicensed, RejectionReason.noLicense)] {
                let deviceId = try #require(device["deviceId"] as? String)
                let image = try #require(matchingImage(device))
                let id = try #require(try await sim.schedule(auth, image: image, devices: [deviceId]).object["id"] as? String)
                try await sim.advance(seconds: 120)
                #expect(try await sim.status(auth, id) == "RequestFailed")
                #expect(try await sim.deviceStatuses(auth, id)[deviceId]?.reason == reason)
            }
        }
    }

    @Test func deviceInAnotherActiveUpgradeIsRejected() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let (first, devices, image) = try await sim.scheduleValid(auth, count: 1)
            try await sim.advance(seconds: 120)
            #expect(try await sim.status(auth, first) == "Queued")
            let second = try #require(try await sim.schedule(auth, image: image, devices: devices).object["id"] as? String)
            try await sim.advance(seconds: 120)
            #expect(try await sim.status(auth, second) == "RequestFailed")
            #expect(try await sim.deviceStatuses(auth, second)[devices[0]]?.reason == RejectionReason.alreadyScheduled)
        }
    }

    @Test func cancellingReleasesDevicesForAnotherUpgrade() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let (first, devices, image) = try await sim.scheduleValid(auth, count: 1)
            try await sim.advance(seconds: 120)
            #expect(try await sim.fota(.DELETE, "/upgrades/\(sim.account)/upgrade/\(first)", auth).status == 200)
            let second = try #require(try await sim.schedule(auth, image: image, devices: devices).object["id"] as? String)
            try await sim.advance(seconds: 120)
            #expect(try await sim.status(auth, second) == "Queued")
        }
    }

    @Test func appendedDeviceIsValidatedAfterDelay() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let (id, _, _) = try await sim.scheduleValid(auth, count: 1)
            try await sim.advance(seconds: 120)
            let extra = try #require(try await sim.schedulable(auth).first?.devices.last)
            _ = try await sim.fota(.PUT, "/upgrades/\(sim.account)/upgrade/\(id)", auth, json: #"{"type":"append","deviceList":\#(jsonList([extra]))}"#)
            #expect(try await sim.deviceStatuses(auth, id)[extra]?.status == "RequestPending")
            #expect(try await sim.status(auth, id) == "Queued")
            try await sim.advance(seconds: 120)
            #expect(try await sim.deviceStatuses(auth, id)[extra]?.status == "Device Accepted")
        }
    }

    @Test func queuedUpgradeWithAllDevicesRemovedFailsAtStart() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let (id, devices, _) = try await sim.scheduleValid(auth, count: 1)
            try await sim.advance(seconds: 120)
            _ = try await sim.fota(.PUT, "/upgrades/\(sim.account)/upgrade/\(id)", auth, json: #"{"type":"remove","deviceList":\#(jsonList(devices))}"#)
            _ = try await sim.control(.POST, "/clock/advance", json: #"{"to":"2026-03-11"}"#)
            #expect(try await sim.status(auth, id) == "UpgradeFailed")
        }
    }

    @Test func forcedDeviceFailureIsRecordedInHistoryAndKeepsFirmware() async throws {
        try await Sim.with(Sim.alwaysOn()) { sim in
            let auth = try await sim.authenticate()
            let (id, devices, image) = try await sim.scheduleValid(auth, count: 2)
            let fail = try await sim.control(.POST, "/upgrades/\(id)/devices/\(devices[0])/fail", json: #"{"reason":"Battery low"}"#)
            #expect(fail.status == 200)
            try await sim.advance(seconds: 30 * 86_400)
            #expect(try await sim.status(auth, id) == "Finished")
            let statuses = try await sim.deviceStatuses(auth, id)
            #expect(statuses[devices[0]]?.status == "UpgradeFailed")
            #expect(statuses[devices[0]]?.reason == "Battery low")
            #expect(statuses[devices[1]]?.status == "UpgradeSuccess")
            let history = try await sim.fota(.GET, "/reports/\(sim.account)/devices/\(devices[0])", auth).array
            #expect(history.first?["status"] as? String == "UpgradeFailed")
            #expect(history.first?["reason"] as? String == "Battery low")
            let device = try #require(try await sim.devices(auth).first { $0["deviceId"] as? String == devices[0] })
            #expect(device["firmware"] as? String == image["fromVersion"] as? String)
        }
    }

    @Test func forcedCampaignFailureEndsInUpgradeFailed() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let (id, devices, _) = try await sim.scheduleValid(auth, count: 1)
            try await sim.advance(seconds: 120)
            #expect(try await sim.control(.POST, "/upgrades/\(id)/fail", json: #"{"reason":"Did not run"}"#).status == 200)
            #expect(try await sim.status(auth, id) == "UpgradeFailed")
            #expect(try await sim.deviceStatuses(auth, id)[devices[0]]?.reason == "Did not run")
            let listed = try await sim.fota(.GET, "/reports/\(sim.account)/status/UpgradeFailed/index/0", auth).object
            #expect((listed["reportList"] as? [[String: Any]])?.first?["id"] as? String == id)
            #expect(try await sim.control(.POST, "/upgrades/\(id)/fail").status == 400)
        }
    }

    @Test func historyOlderThanSixMonthsIsNotReported() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let (_, devices, _) = try await sim.scheduleValid(auth, count: 1)
            try await sim.advance(seconds: 30 * 86_400)
            #expect(try await sim.fota(.GET, "/reports/\(sim.account)/devices/\(devices[0])", auth).array.count == 1)
            try await sim.advance(seconds: 200 * 86_400)
            let auth2 = try await sim.authenticate()
            #expect(try await sim.fota(.GET, "/reports/\(sim.account)/devices/\(devices[0])", auth2).array.isEmpty)
        }
    }

    @Test func clockCanBeReadAndRefusesToGoBack() async throws {
        try await Sim.with { sim in
            let clock = try await sim.control(.GET, "/clock").object
            #expect(clock["now"] as? String == "2026-03-02T09:00:00Z")
            #expect(try await sim.control(.POST, "/clock/advance", json: #"{"to":"2026-01-01"}"#).status == 400)
            #expect(try await sim.control(.POST, "/clock/advance", json: #"{"seconds":-5}"#).status == 400)
            #expect(try await sim.control(.POST, "/clock/advance", json: #"{"seconds":9223372036854775807}"#).status == 400)
            #expect(try await sim.control(.POST, "/clock/advance", json: #"{"to":"2026-03-04T.......Z"}"#).status == 400)
            #expect(try await sim.control(.POST, "/clock/advance", json: #"{"to":"9999-12-31"}"#).status == 400)
            #expect(try await sim.control(.POST, "/clock/advance", json: "{}").status == 400)
            let moved = try await sim.control(.POST, "/clock/advance", json: #"{"seconds":3600}"#).object
            #expect(moved["now"] as? String == "2026-03-02T10:00:00Z")
        }
    }

    @Test func callbackMessagesAreDeliveredToRegisteredListener() async throws {
        try await Sim.with(Sim.alwaysOn()) { sim in
            let auth = try await sim.authenticate()
            let url = "\(sim.base)/_sim/sink"
            _ = try await sim.fota(.POST, "/callbacks/\(sim.account)", auth, json: #"{"name":"Fota","url":"\#(url)","username":"u","password":"p"}"#)
            let (id, _, _) = try await sim.scheduleValid(auth, count: 1)
            try await sim.advance(seconds: 30 * 86_400)
            var received: [[String: Any]] = []
            let deadline = ContinuousClock.now + .seconds(30)
            while received.count < 3 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                received = try await sim.control(.GET, "/sink").array
            }
            #expect(received.compactMap { $0["type"] as? String } == ["upgradeScheduled", "upgradeProgress", "upgradeProgress"])
            #expect((received.first?["upgradeScheduled"] as? [String: Any])?["upgradeId"] as? String == id)
            #expect((received.last?["upgradeProgress"] as? [String: Any])?["status"] as? String == "Finished")
            #expect(received.allSatisfy { $0["username"] as? String == "u" && $0["password"] as? String == "p" && $0["accountName"] as? String == sim.account })
            let outbox = try await sim.control(.GET, "/callbacks").array
            #expect(outbox.count == 3)
            #expect(outbox.allSatisfy { $0["deliveryStatus"] as? Int == 200 && $0["url"] as? String == url })
        }
    }

    @Test func unreachableListenerIsRecordedAsUndelivered() async throws {
        // A refused connection is retried until the delivery's timeout, so a short one keeps the test short.
        try await Sim.with(Sim.options { $0.callbackTimeout = .milliseconds(300) }) { sim in
            let auth = try await sim.authenticate()
            _ = try await sim.fota(.POST, "/callbacks/\(sim.account)", auth, json: #"{"name":"Fota","url":"http://127.0.0.1:9/hook"}"#)
            _ = try await sim.scheduleValid(auth, count: 1)
            try await sim.advance(seconds: 120)
            var status: Int?
            let deadline = ContinuousClock.now + .seconds(30)
            while status == nil && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                status = try await sim.control(.GET, "/callbacks").array.first?["deliveryStatus"] as? Int
            }
            #expect(status == 0)
        }
    }

    @Test func campaignWhoseEveryDeviceFailsEndsUpgradeFailed() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let (id, devices, _) = try await sim.scheduleValid(auth, count: 1)
            _ = try await sim.control(.POST, "/upgrades/\(id)/devices/\(devices[0])/fail")
            try await sim.advance(seconds: 30 * 86_400)
            #expect(try await sim.status(auth, id) == "UpgradeFailed")
            #expect(try await sim.deviceStatuses(auth, id)[devices[0]]?.reason == "Device upgrade failed")
        }
    }

    @Test func clockRateMovesSimulatedTimeWithWallTime() async throws {
        let time = ManualWallClock()
        try await Sim.with(Sim.options { $0.clockRate = 600; $0.wallClock = time.clock }) { sim in
            let auth = try await sim.authenticate()
            let (id, _, _) = try await sim.scheduleValid(auth, count: 1)
            // 600 simulated seconds per wall second: validation (120 s) is due after 0.2 s of wall time.
            time.advance(.milliseconds(190))
            #expect(try await sim.status(auth, id) == "RequestPending")
            time.advance(.milliseconds(20))
            #expect(try await sim.status(auth, id) == "Queued")
        }
    }
}
