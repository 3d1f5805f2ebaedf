import Foundation
import Testing
@testable import ThingSpaceSimulator

/// How a started campaign unfolds in simulated time (docs/simulator.md, Campaign timing; docs/thingspace-api.md T6–T9):
/// devices report when the campaign reaches them, which depends on their connectivity and client type; the campaign
/// stays InProgress until every device has an outcome or its end date passes.
@Suite("Campaign timing")
struct CampaignTimingTests {
    static let march10: Int64 = 1_773_100_800
    static let hour: Int64 = 3600
    static let day: Int64 = 86_400

    struct Candidate {
        var deviceId: String
        var connectivity: String
        /// Seconds after midnight UTC the device connects (daily and often-off devices).
        var connectsAt: Int64?
    }

    /// The largest group of devices that validation will accept for one image of a model with `clientType`.
    func group(_ sim: Sim, _ auth: Sim.Auth, clientType: String) async throws -> (image: [String: Any], devices: [Candidate]) {
        for group in try await sim.schedulable(auth) {
            let first = try await sim.control(.GET, "/devices/\(group.devices[0])").object
            guard first["clientType"] as? String == clientType else { continue }
            var devices: [Candidate] = []
            for id in group.devices {
                let info = try await sim.control(.GET, "/devices/\(id)").object
                let at = (info["connectsAt"] as? String).flatMap { SimTime.parseTimestamp("2000-01-01T\($0)Z") }.map { $0 - SimTime.parseDate("2000-01-01")! }
                devices.append(Candidate(deviceId: id, connectivity: info["connectivity"] as? String ?? "", connectsAt: at))
            }
            return (group.image, devices)
        }
        Issue.record("no schedulable \(clientType) group")
        return ([:], [])
    }

    func schedule(_ sim: Sim, _ auth: Sim.Auth, image: [String: Any], devices: [String], startDate: String, endDate: String?) async throws -> String {
        var body: [String: Any] = [
            "accountName": sim.account, "firmwareName": image["firmwareName"] as? String ?? "",
            "firmwareTo": image["toVersion"] as? String ?? "", "startDate": startDate, "deviceList": devices,
        ]
        if let endDate { body["endDate"] = endDate }
        let reply = try await sim.fota(.POST, "/upgrades", auth, raw: try JSONSerialization.data(withJSONObject: body))
        #expect(reply.status == 200)
        return try #require(try reply.object["id"] as? String)
    }

    /// Every event of one upgrade: device id (nil for the campaign) → [(at, status, reason)].
    func timeline(_ sim: Sim, _ id: String) async throws -> [String?: [(at: Int64, status: String, reason: String?)]] {
        var result: [String?: [(Int64, String, String?)]] = [:]
        var since: Int64 = 0
        while true {
            let object = try await sim.control(.GET, "/events?since=\(since)&upgrade=\(id)").object
            for event in try #require(object["events"] as? [[String: Any]]) {
                let at = try #require((event["at"] as? NSNumber)?.int64Value)
                result[event["deviceId"] as? String, default: []].append((at, event["status"] as? String ?? "", event["reason"] as? String))
            }
            since = try #require((object["next"] as? NSNumber)?.int64Value)
            if object["more"] as? Bool != true { return result }
        }
    }

    func advance(_ sim: Sim, to time: Int64) async throws {
        let reply = try await sim.control(.POST, "/clock/advance", json: #"{"to":"\#(SimTime.rfc3339(time))"}"#)
        #expect(reply.status == 200)
    }

    @Test func omaDmDevicesFinishWhenTheyNextConnectAndTheEndDateEndsTheRest() async throws {
        try await Sim.with(Sim.options(devices: 3000) { $0.failureRate = 0 }) { sim in
            let auth = try await sim.authenticate()
            let (image, devices) = try await group(sim, auth, clientType: "OMADM")
            let always = try #require(devices.first { $0.connectivity == "alwaysOn" })
            // Not connected across midnight, so the start does not find it online.
            let daily = try #require(devices.first { $0.connectivity == "dailyCheckIn" && ($0.connectsAt ?? 0) < 23 * Self.hour })
            let never = try #require(devices.first { $0.connectivity == "neverSeen" })
            let id = try await schedule(sim, auth, image: image, devices: [always.deviceId, daily.deviceId, never.deviceId],
                                        startDate: "2026-03-10", endDate: "2026-03-12")
            try await advance(sim, to: Self.march10 + Self.hour)
            #expect(try await sim.status(auth, id) == "InProgress")
            let dailyDone = Self.march10 + (daily.connectsAt ?? 0) + Self.hour
            // The end date is inclusive: the campaign runs until 2026-03-12T23:59:59Z for the device never seen.
            let endAt = Self.march10 + 3 * Self.day
            try await advance(sim, to: endAt - 1)
            #expect(try await sim.status(auth, id) == "InProgress")
            let next = try await sim.control(.GET, "/next-change?upgrade=\(id)").object
            #expect((next["at"] as? NSNumber)?.int64Value == endAt)
            try await advance(sim, to: endAt)
            #expect(try await sim.status(auth, id) == "Finished")

            let events = try await timeline(sim, id)
            #expect(events[always.deviceId]?.last?.status == "UpgradeSuccess")
            #expect(events[always.deviceId]?.last?.at == Self.march10 + Self.hour)
            #expect(events[daily.deviceId]?.last?.status == "UpgradeSuccess")
            #expect(events[daily.deviceId]?.last?.at == dailyDone)
            #expect(events[never.deviceId]?.last?.status == "UpgradeFailed")
            #expect(events[never.deviceId]?.last?.at == endAt)
            #expect(events[never.deviceId]?.last?.reason == FailureReason.endDateReached)
            #expect(events[nil]?.last?.status == "Finished")
            #expect(events[nil]?.last?.at == endAt)
            let statuses = try await sim.deviceStatuses(auth, id)
            #expect(statuses[never.deviceId]?.reason == "Campaign end date reached before the device upgraded.")
            let upgraded = try #require(try await sim.devices(auth).first { $0["deviceId"] as? String == daily.deviceId })
            #expect(upgraded["upgradeTime"] as? String == SimTime.goStyle(dailyDone))
        }
    }

    @Test func lwm2mDevicesAreRetriedDailyAtFourUTCAndFailWhenNeverReached() async throws {
        try await Sim.with(Sim.options(devices: 3000) { $0.failureRate = 0 }) { sim in
            let auth = try await sim.authenticate()
            let (image, devices) = try await group(sim, auth, clientType: "LWM2M")
            let always = try #require(devices.first { $0.connectivity == "alwaysOn" })
            // Connects (for an hour) after the 04:00 retry and not across midnight: first reached by the next day's retry.
            let daily = try #require(devices.first { $0.connectivity == "dailyCheckIn" && (4 * Self.hour + 1..<23 * Self.hour).contains($0.connectsAt ?? -1) })
            let never = try #require(devices.first { $0.connectivity == "neverSeen" })
            let id = try await schedule(sim, auth, image: image, devices: [always.deviceId, daily.deviceId, never.deviceId],
                                        startDate: "2026-03-10", endDate: "2026-03-20")
            try await advance(sim, to: Self.march10 + 10 * Self.day)
            let events = try await timeline(sim, id)
            #expect(events[always.deviceId]?.last?.at == Self.march10 + Self.hour)
            #expect(events[daily.deviceId]?.last?.status == "UpgradeSuccess")
            #expect(events[daily.deviceId]?.last?.at == Self.march10 + Self.day + 5 * Self.hour)
            // Attempts: the start, then 04:00 on the 10th, 11th and 12th; the last one gives up.
            #expect(events[never.deviceId]?.last?.status == "UpgradeFailed")
            #expect(events[never.deviceId]?.last?.reason == "Device did not respond.")
            #expect(events[never.deviceId]?.last?.at == Self.march10 + 2 * Self.day + 4 * Self.hour)
            // Every device has an outcome well before the end date: the campaign finished with the last one.
            #expect(events[nil]?.last?.status == "Finished")
            #expect(events[nil]?.last?.at == Self.march10 + 2 * Self.day + 4 * Self.hour)
        }
    }

    @Test func retryTimingIsConfigurable() async throws {
        try await Sim.with(Sim.options(devices: 3000) {
            $0.failureRate = 0
            $0.lwm2mRetryDays = 1
            $0.lwm2mRetryTimeOfDay = .seconds(2 * 3600)
            $0.upgradeDuration = .seconds(600)
        }) { sim in
            let auth = try await sim.authenticate()
            let (image, devices) = try await group(sim, auth, clientType: "LWM2M")
            let always = try #require(devices.first { $0.connectivity == "alwaysOn" })
            let never = try #require(devices.first { $0.connectivity == "neverSeen" })
            let id = try await schedule(sim, auth, image: image, devices: [always.deviceId, never.deviceId], startDate: "2026-03-10", endDate: nil)
            try await advance(sim, to: Self.march10 + 5 * Self.day)
            let events = try await timeline(sim, id)
            #expect(events[always.deviceId]?.last?.at == Self.march10 + 600)
            #expect(events[never.deviceId]?.last?.at == Self.march10 + 2 * Self.hour)
        }
    }

    @Test func campaignWithoutEndDateEndsAfterTheOpenEndedLength() async throws {
        try await Sim.with(Sim.options(devices: 3000) { $0.failureRate = 0 }) { sim in
            let auth = try await sim.authenticate()
            let (image, devices) = try await group(sim, auth, clientType: "OMADM")
            let always = try #require(devices.first { $0.connectivity == "alwaysOn" })
            let never = try #require(devices.first { $0.connectivity == "neverSeen" })
            let id = try await schedule(sim, auth, image: image, devices: [always.deviceId, never.deviceId], startDate: "2026-03-10", endDate: nil)
            try await advance(sim, to: Self.march10 + 7 * Self.day - 1)
            #expect(try await sim.status(auth, id) == "InProgress")
            try await advance(sim, to: Self.march10 + 7 * Self.day)
            #expect(try await sim.status(auth, id) == "Finished")
            #expect(try await sim.deviceStatuses(auth, id)[never.deviceId]?.reason == FailureReason.endDateReached)
        }
    }

    @Test func campaignWhoseOnlyDeviceIsNeverSeenEndsUpgradeFailedAtItsEndDate() async throws {
        try await Sim.with(Sim.options(devices: 3000)) { sim in
            let auth = try await sim.authenticate()
            let (image, devices) = try await group(sim, auth, clientType: "OMADM")
            let never = try #require(devices.first { $0.connectivity == "neverSeen" })
            let id = try await schedule(sim, auth, image: image, devices: [never.deviceId], startDate: "2026-03-10", endDate: "2026-03-10")
            try await advance(sim, to: Self.march10 + Self.day)
            #expect(try await sim.status(auth, id) == "UpgradeFailed")
        }
    }

    @Test func devicesOfALargeCampaignFinishAtManyDifferentTimes() async throws {
        try await Sim.with(Sim.options(devices: 3000)) { sim in
            let auth = try await sim.authenticate()
            let (image, devices) = try await group(sim, auth, clientType: "OMADM")
            #expect(devices.count >= 40)
            let id = try await schedule(sim, auth, image: image, devices: devices.map(\.deviceId), startDate: "2026-03-10", endDate: "2026-03-16")
            try await advance(sim, to: Self.march10 + 8 * Self.day)
            let events = try await timeline(sim, id)
            let outcomes = devices.compactMap { events[$0.deviceId]?.last }
            #expect(outcomes.count == devices.count)
            #expect(Set(outcomes.map(\.at)).count >= 10)
            #expect(outcomes.allSatisfy { $0.at > Self.march10 && $0.at <= Self.march10 + 7 * Self.day })
            // Always-on devices report first, an hour after the start; daily and often-off ones later.
            for device in devices where device.connectivity == "alwaysOn" {
                #expect(events[device.deviceId]?.last?.at == Self.march10 + Self.hour)
            }
        }
    }

    @Test func sameSeedGivesTheSameTimeline() async throws {
        var timelines: [String] = []
        for _ in 0..<2 {
            try await Sim.with(Sim.options(devices: 2000) { $0.seed = 11; $0.failureRate = 0.2 }) { sim in
                let auth = try await sim.authenticate()
                let (id, _, _) = try await sim.scheduleValid(auth, count: 40)
                _ = try await sim.control(.POST, "/clock/advance", json: #"{"to":"2026-04-01"}"#)
                #expect(try await sim.status(auth, id) != "InProgress")
                let events = try #require(try await sim.control(.GET, "/events?since=0").object["events"] as? [[String: Any]])
                timelines.append(events.map { event in
                    ["seq", "at", "upgradeId", "deviceId", "status", "reason"].map { "\(event[$0] ?? "-")" }.joined(separator: " ")
                }.joined(separator: "\n"))
            }
        }
        #expect(timelines.count == 2)
        #expect(timelines[0] == timelines[1])
        #expect(timelines[0].contains("UpgradeFailed"))
    }

    @Test func failuresFollowTheDefaultAndPerModelAndPerFirmwareRates() async throws {
        try await Sim.with(Sim.alwaysOn(devices: 3000) { $0.failureRate = 1; $0.failureRates = ["T10": 0] }) { sim in
            let auth = try await sim.authenticate()
            let groups = try await sim.schedulable(auth)
            let t10 = try #require(groups.first { $0.image["model"] as? String == "T10" })
            let other = try #require(groups.first { $0.image["model"] as? String != "T10" })
            let a = try await schedule(sim, auth, image: t10.image, devices: Array(t10.devices.prefix(5)), startDate: "2026-03-10", endDate: nil)
            let b = try await schedule(sim, auth, image: other.image, devices: Array(other.devices.prefix(30)), startDate: "2026-03-10", endDate: nil)
            try await advance(sim, to: Self.march10 + Self.day)
            #expect(try await sim.status(auth, a) == "Finished")
            #expect(try await sim.deviceStatuses(auth, a).values.allSatisfy { $0.status == "UpgradeSuccess" })
            #expect(try await sim.status(auth, b) == "UpgradeFailed")
            let reasons = try await sim.deviceStatuses(auth, b).values
            #expect(reasons.allSatisfy { $0.status == "UpgradeFailed" })
            #expect(Set(reasons.compactMap(\.reason)).isSubset(of: Set(CampaignModel.reportedFailures)))
            #expect(Set(reasons.compactMap(\.reason)).count >= 2)
            // A failed device keeps its firmware and records the failure in its history.
            let failed = other.devices[0]
            let history = try await sim.fota(.GET, "/reports/\(sim.account)/devices/\(failed)", auth).array
            #expect(history.first?["status"] as? String == "UpgradeFailed")
        }
        let firmwareName = "FOTA_T10_1.0.4_to_1.1.0"
        let model = CampaignModel(Sim.options { $0.failureRate = 0.5; $0.failureRates = ["T10": 1, firmwareName: 0] })
        #expect(model.failureRate(model: "T10", image: firmwareName) == 0)
        #expect(model.failureRate(model: "T10", image: "FOTA_T10_1.1.0_to_2.0.0") == 1)
        #expect(model.failureRate(model: "BG96", image: "FOTA_BG96_x") == 0.5)
    }

    @Test func failureShareIsRoughlyTheRate() {
        let model = CampaignModel(Sim.alwaysOn { $0.failureRate = 0.3 })
        let failures = (0..<4000).filter { index in
            model.outcome(imei: 352_600_000_000_000 + UInt64(index) * 7, clientType: "OMADM", model: "BG96", image: "x",
                          campaign: 1, start: Self.march10)?.failure != nil
        }.count
        #expect((1000...1400).contains(failures))
    }

    @Test func connectivityPatternsFollowTheirSharesAndTheSeed() {
        let model = CampaignModel(Sim.options())
        let imeis = (0..<20_000).map { 352_600_000_000_000 + UInt64($0) * 13 }
        var counts: [ConnectivityPattern: Int] = [:]
        for imei in imeis { counts[model.connectivity(of: imei).pattern, default: 0] += 1 }
        #expect((11_400...12_600).contains(counts[.alwaysOn] ?? 0))
        #expect((4_600...5_400).contains(counts[.dailyCheckIn] ?? 0))
        #expect((1_700...2_300).contains(counts[.oftenOff] ?? 0))
        #expect((800...1_200).contains(counts[.neverSeen] ?? 0))
        #expect(imeis.allSatisfy { model.connectivity(of: $0) == CampaignModel(Sim.options()).connectivity(of: $0) })
        let other = CampaignModel(Sim.options { $0.seed = 2 })
        #expect(imeis.prefix(200).contains { model.connectivity(of: $0) != other.connectivity(of: $0) })
    }

    @Test func connectionWindowsOpenDailyOrEveryFewDays() {
        let daily = DeviceConnectivity(pattern: .dailyCheckIn, timeOfDay: 3 * Self.hour, periodDays: 5, phaseDay: 0, window: Self.hour)
        #expect(daily.firstOnline(atOrAfter: Self.march10) == Self.march10 + 3 * Self.hour)
        #expect(daily.firstOnline(atOrAfter: Self.march10 + 3 * Self.hour + 59) == Self.march10 + 3 * Self.hour + 59)
        #expect(daily.firstOnline(atOrAfter: Self.march10 + 4 * Self.hour) == Self.march10 + Self.day + 3 * Self.hour)
        let late = DeviceConnectivity(pattern: .dailyCheckIn, timeOfDay: 23 * Self.hour + 1800, periodDays: 5, phaseDay: 0, window: Self.hour)
        // A window opened before midnight is still open just after it.
        #expect(late.firstOnline(atOrAfter: Self.march10 + 600) == Self.march10 + 600)
        let marchDay = Self.march10 / Self.day
        let rare = DeviceConnectivity(pattern: .oftenOff, timeOfDay: 0, periodDays: 5, phaseDay: (marchDay + 2) % 5, window: Self.hour)
        #expect(rare.firstOnline(atOrAfter: Self.march10 + 1) == Self.march10 + 2 * Self.day)
        #expect(rare.firstOnline(atOrAfter: Self.march10 + 2 * Self.day + Self.hour) == Self.march10 + 7 * Self.day)
        #expect(DeviceConnectivity(pattern: .neverSeen, timeOfDay: 0, periodDays: 1, phaseDay: 0, window: 1).firstOnline(atOrAfter: 0) == nil)
        #expect(DeviceConnectivity(pattern: .alwaysOn, timeOfDay: 0, periodDays: 1, phaseDay: 0, window: 1).firstOnline(atOrAfter: 42) == 42)
    }

    @Test func failShareFailsThatShareOfRunningDevicesNowAndIsDeterministic() async throws {
        var picks: [[String]] = []
        for _ in 0..<2 {
            try await Sim.with(Sim.options(devices: 3000) {
                $0.alwaysOnShare = 0; $0.dailyCheckInShare = 1; $0.oftenOffShare = 0; $0.failureRate = 0
            }) { sim in
                let auth = try await sim.authenticate()
                let (id, devices, _) = try await sim.scheduleValid(auth, count: 20)
                try await advance(sim, to: Self.march10)
                #expect(try await sim.status(auth, id) == "InProgress")
                let reply = try await sim.control(.POST, "/upgrades/\(id)/fail-share", json: #"{"share":0.25,"reason":"Battery low"}"#)
                #expect(reply.status == 200)
                let object = try reply.object
                let failed = try #require(object["deviceIds"] as? [String])
                #expect(object["failed"] as? Int == 5)
                #expect(failed.count == 5)
                #expect(Set(failed).isSubset(of: Set(devices)))
                let statuses = try await sim.deviceStatuses(auth, id)
                #expect(failed.allSatisfy { statuses[$0]?.status == "UpgradeFailed" && statuses[$0]?.reason == "Battery low" })
                #expect(statuses.values.filter { $0.status == "UpgradeInProgress" }.count == 15)
                // A second call draws from the devices still running.
                let again = try #require(try await sim.control(.POST, "/upgrades/\(id)/fail-share", json: #"{"share":0.2}"#).object["deviceIds"] as? [String])
                #expect(again.count == 3)
                #expect(Set(again).isDisjoint(with: Set(failed)))
                #expect(try await sim.deviceStatuses(auth, id)[again[0]]?.reason == "Device upgrade failed")
                picks.append(failed + again)
                for body in [#"{"share":1.5}"#, #"{}"#, #"{"share":"x"}"#] {
                    #expect(try await sim.control(.POST, "/upgrades/\(id)/fail-share", json: body).status == 400)
                }
                #expect(try await sim.control(.POST, "/upgrades/00000000-0000-4000-8000-000000000000/fail-share", json: #"{"share":0.1}"#).errorMessage == "Invalid upgradeId")
                // Failing every remaining device ends the campaign at once.
                #expect(try await sim.control(.POST, "/upgrades/\(id)/fail-share", json: #"{"share":1}"#).status == 200)
                #expect(try await sim.status(auth, id) == "UpgradeFailed")
                #expect(try await sim.control(.POST, "/upgrades/\(id)/fail-share", json: #"{"share":1}"#).status == 400)
            }
        }
        #expect(picks.count == 2)
        #expect(picks[0] == picks[1])
    }

    @Test func failShareBeforeTheStartMarksDevicesToFailWhenTheyReport() async throws {
        try await Sim.with(Sim.alwaysOn()) { sim in
            let auth = try await sim.authenticate()
            let (id, _, _) = try await sim.scheduleValid(auth, count: 4)
            try await sim.advance(seconds: 120)
            let failed = try #require(try await sim.control(.POST, "/upgrades/\(id)/fail-share", json: #"{"share":0.5,"reason":"Radio off"}"#).object["deviceIds"] as? [String])
            #expect(failed.count == 2)
            #expect(try await sim.status(auth, id) == "Queued")
            try await advance(sim, to: Self.march10 + Self.day)
            let statuses = try await sim.deviceStatuses(auth, id)
            #expect(statuses.values.filter { $0.reason == "Radio off" }.count == 2)
            #expect(failed.allSatisfy { statuses[$0]?.status == "UpgradeFailed" })
            #expect(try await sim.status(auth, id) == "Finished")
        }
    }

    @Test func newOptionsAreValidated() {
        var options = SimulatorOptions()
        options.failureRate = 1.5
        options.failureRates = ["BG96": -0.1]
        options.alwaysOnShare = 0.9
        options.licensedShare = 2
        options.lwm2mRetryTimeOfDay = .seconds(86_400)
        options.onlineWindow = .zero
        options.oftenOffPeriodDays = 0
        let problems = options.problems
        #expect(problems.contains("failure rate must be between 0 and 1"))
        #expect(problems.contains("failure rate for BG96 must be between 0 and 1"))
        #expect(problems.contains("always-on, daily check-in and often-off shares must add up to at most 1"))
        #expect(problems.contains("licensed share must be between 0 and 1"))
        #expect(problems.contains("LWM2M retry time of day must be between 0 and 86399 seconds"))
        #expect(problems.contains("online window must be between 1 second and 1 day"))
        #expect(problems.contains("often-off period must be between 1 and 366 days"))
        #expect(SimulatorOptions().problems.isEmpty)
    }
}
