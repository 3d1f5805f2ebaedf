import Foundation
import Testing

/// Dry runs as plans, `fota plan` and `fota apply`, against a `fota sim` child process (which keeps
/// its state between runs, like ThingSpace).
@Suite("plan and apply", .serialized)
struct PlanApplyTests {
    /// A simulator, its API tokens, one image with the devices it would accept, and a journal folder.
    struct Setup {
        let sim: SimulatorProcess
        let auth: Sim.Auth
        let image: [String: Any]
        let good: [String]
        /// Every image with the devices it would accept, most devices first.
        let schedulable: [(image: [String: Any], devices: [String])]
        let devices: [[String: Any]]
        let folder: TempFolder
        var journal: String { folder.path + "/journal.jsonl" }

        init(devices count: Int = 500) async throws {
            sim = try SimulatorProcess(["--devices", "\(count)"])
            auth = try await sim.sim.authenticate()
            schedulable = try await sim.sim.schedulable(auth)
            let first = try #require(schedulable.first)
            (image, good) = (first.image, first.devices)
            devices = try await sim.sim.devices(auth)
            folder = try TempFolder()
        }

        /// `fota <command> --endpoint … --account … --journal … <arguments>` in the folder.
        func fota(_ command: String, _ arguments: [String]) throws -> Finished {
            try FotaCLITests.fota([command] + sim.options(journal: journal) + arguments, in: folder.path, environment: sim.environment)
        }

        /// Schedules `devices` through the API (not through fota); the upgrade id.
        func schedule(_ devices: [String], image: [String: Any]? = nil) async throws -> String {
            let reply = try await sim.sim.schedule(auth, image: image ?? self.image, devices: devices, startDate: "2026-04-01")
            #expect(reply.status == 200)
            return try #require(try reply.object["id"] as? String)
        }

        /// The first device (other than `excluding`) whose facts satisfy `test`.
        func device(excluding: Set<String> = [], _ test: ([String: Any]) -> Bool) throws -> String {
            try #require(devices.first { !excluding.contains($0["deviceId"] as? String ?? "") && test($0) }?["deviceId"] as? String)
        }

        /// FOTA requests that could change something, after request number `since`: "METHOD path".
        func mutatingRequests(since: Int) async throws -> [String] {
            let log = try await sim.sim.http.object(.GET, "/_sim/requests?since=\(since)")
            let entries = try #require(log["entries"] as? [[String: Any]])
            return entries.compactMap { entry in
                let method = entry["method"] as? String ?? "", path = entry["path"] as? String ?? ""
                return path.hasPrefix("/api/fota/") && method != "GET" ? "\(method) \(path)" : nil
            }
        }

        func lastRequest() async throws -> Int {
            let log = try await sim.sim.http.object(.GET, "/_sim/requests")
            return (log["entries"] as? [[String: Any]])?.compactMap { $0["seq"] as? Int }.max() ?? 0
        }
    }

    static let ensureMembers = """
        local id = arg[1]
        local r = fota.append(id, {arg[2], arg[3]})
        print("append", #r.succeeded, #(r.unchanged or {}), #r.failed)
        """

    @Test("a dry run of a script whose changes are already applied prints 'No changes.'")
    func noChanges() async throws {
        let setup = try await Setup()
        let id = try await setup.schedule([setup.good[0]])
        try setup.folder.write("ensure.lua", Self.ensureMembers)
        let args = ["ensure.lua", id, setup.good[1], setup.good[2]]

        let before = try setup.fota("run", ["--dry-run"] + args)
        #expect(before.status == 0, "\(before.stderr)")
        #expect(before.stdout == "append\t2\t0\t0\n", "\(before.stdout)")
        #expect(before.stderr.contains("    add 2 devices: \(setup.good[1]), \(setup.good[2])"), "\(before.stderr)")
        #expect(before.stderr.contains("Plan: 2 to add, 0 to remove, 0 unchanged"), "\(before.stderr)")

        let live = try setup.fota("run", args)
        #expect(live.status == 0, "\(live.stderr)")

        let after = try setup.fota("run", ["--dry-run"] + args)
        #expect(after.status == 0, "\(after.stderr)")
        #expect(after.stdout == "append\t0\t2\t0\n", "\(after.stdout)")
        #expect(after.stderr.contains("    unchanged: 2 devices (\(setup.good[1]), \(setup.good[2]))"), "\(after.stderr)")
        #expect(after.stderr.hasSuffix("\nNo changes.\n"), "\(after.stderr)")
    }

    @Test("a dry-run schedule names each device ThingSpace would reject with the reason it then gives for real")
    func rejectionsMatchTheSimulator() async throws {
        let setup = try await Setup()
        let image = setup.image
        let busy = setup.good[0]
        let holder = try await setup.schedule([busy])
        try await setup.sim.sim.advance(seconds: 300) // validated: the busy device is accepted in `holder`
        let taken: Set<String> = [busy, setup.good[1], setup.good[2]]
        let unlicensed = try setup.device(excluding: taken) { $0["fotaEligible"] as? Bool == true && $0["licenseAssigned"] as? Bool == false }
        let ineligible = try setup.device(excluding: taken) { $0["fotaEligible"] as? Bool == false }
        let wrongFirmware = try setup.device(excluding: taken) {
            $0["fotaEligible"] as? Bool == true && $0["licenseAssigned"] as? Bool == true
                && ($0["model"] as? String != image["model"] as? String || $0["firmware"] as? String != image["fromVersion"] as? String)
        }
        let known = Set(setup.devices.compactMap { $0["deviceId"] as? String })
        let missing = try #require((0..<1000).lazy.map { luhnIMEI(String(format: "99000000%06d", $0)) }.first { !known.contains($0) })
        let devices = [setup.good[1], busy, unlicensed, ineligible, wrongFirmware, missing, setup.good[2]]
        try setup.folder.write("canary.lua", """
            local u = fota.schedule{firmwareName = \(luaString(image["firmwareName"])), firmwareTo = \(luaString(image["toVersion"])),
              startDate = "2026-04-01", devices = {\(devices.map { "\"\($0)\"" }.joined(separator: ", "))}}
            print(u.id)
            for _, d in ipairs(u.deviceList) do print(d.deviceId, d.status, d.reason or "-") end
            """)

        let dry = try setup.fota("run", ["--dry-run", "canary.lua"])
        #expect(dry.status == 0, "\(dry.stderr)")
        var predicted: [String: String] = [:]
        for line in dry.stdout.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: "\t").map(String.init)
            if fields.count == 3, fields[1] == "Device Rejected" { predicted[fields[0]] = fields[2] }
        }
        #expect(dry.stdout.hasPrefix("00000000-0000-0000-0000-000000000001\n"), "a recognisable placeholder id: \(dry.stdout)")
        #expect(predicted[busy] == "Device scheduled for firmware-upgrade previously, it needs to be completed first.")
        #expect(predicted[unlicensed] == "Device has no license assigned.")
        #expect(predicted[ineligible] == "Device not eligible for service.")
        #expect(predicted[wrongFirmware] == "Firmware does not match the device make, model or version.")
        #expect(predicted[missing] == "Device not found.")
        #expect(predicted.count == 5, "the two good devices pass: \(predicted)")
        #expect(dry.stderr.contains("would be rejected: 5 devices"), "\(dry.stderr)")
        #expect(dry.stderr.contains("1 × Device has no license assigned. \(unlicensed)"), "\(dry.stderr)")

        let live = try setup.fota("run", ["canary.lua"])
        #expect(live.status == 0, "\(live.stderr)")
        let id = try #require(live.stdout.split(separator: "\n").first.map(String.init))
        try await setup.sim.sim.advance(seconds: 300)
        let actual = try await setup.sim.sim.deviceStatuses(setup.auth, id)
        var rejected: [String: String] = [:]
        for (device, entry) in actual where entry.status == "Device Rejected" { rejected[device] = entry.reason }
        #expect(rejected == predicted, "the dry run predicted what validation then said")
        #expect(actual[setup.good[1]]?.status == "Device Accepted" && actual[setup.good[2]]?.status == "Device Accepted")
        _ = holder
    }

    @Test("a device awaiting validation elsewhere is busy only if that validation will accept it, as the simulator then decides")
    func pendingElsewhere() async throws {
        let setup = try await Setup()
        let other = try #require(setup.schedulable.first {
            $0.image["model"] as? String != setup.image["model"] as? String
                || $0.image["fromVersion"] as? String != setup.image["fromVersion"] as? String
        }, "an image whose devices image A rejects")
        let (imageA, imageB) = (setup.image, other.image)
        let (willHold, willBeRejected) = (setup.good[0], other.devices[0])
        // Both join an upgrade of image A; validation there will accept the first and reject the second (wrong image).
        _ = try await setup.schedule([willHold, willBeRejected], image: imageA)
        try await setup.sim.sim.advance(seconds: 60) // still awaiting validation, and validated before anything scheduled now
        func schedule(_ image: [String: Any], _ device: String) -> String {
            """
            local u = fota.schedule{firmwareName = \(luaString(image["firmwareName"])), firmwareTo = \(luaString(image["toVersion"])),
              startDate = "2026-04-01", devices = {"\(device)"}}
            print(u.id, u.deviceList[1].status, u.deviceList[1].reason or "-")
            """
        }
        try setup.folder.write("two.lua", schedule(imageA, willHold) + "\n" + schedule(imageB, willBeRejected))
        let dry = try setup.fota("run", ["--dry-run", "two.lua"])
        #expect(dry.status == 0, "\(dry.stderr)")
        let predicted = dry.stdout.split(separator: "\n").map { $0.split(separator: "\t").dropFirst().joined(separator: "\t") }
        #expect(predicted == [
            "Device Rejected\tDevice scheduled for firmware-upgrade previously, it needs to be completed first.", "RequestPending\t-",
        ], "\(dry.stdout)")

        let live = try setup.fota("run", ["two.lua"])
        #expect(live.status == 0, "\(live.stderr)")
        let ids = live.stdout.split(separator: "\n").compactMap { $0.split(separator: "\t").first.map(String.init) }
        try #require(ids.count == 2)
        try await setup.sim.sim.advance(seconds: 300)
        let first = try await setup.sim.sim.deviceStatuses(setup.auth, ids[0])[willHold]
        let second = try await setup.sim.sim.deviceStatuses(setup.auth, ids[1])[willBeRejected]
        #expect(first?.status == "Device Rejected" && first?.reason == RejectionReasons.alreadyScheduled, "\(String(describing: first))")
        #expect(second?.status == "Device Accepted", "\(String(describing: second))")
    }

    static let campaign = """
        local id = arg[1]
        fota.append(id, {arg[2], arg[3]})
        fota.remove(id, {arg[4]})
        local u = fota.schedule{firmwareName = arg[5], firmwareTo = arg[6], startDate = "2026-04-01", devices = {arg[7]}}
        fota.append(u.id, {arg[8]})
        local planned = fota.upgrade(u.id)
        print(planned.dryRun, #planned.deviceList)
        """

    /// Plans the campaign script; the plan file's path and the arguments' devices.
    func plan(_ setup: Setup) async throws -> (plan: String, id: String, devices: [String]) {
        let good = setup.good
        let id = try await setup.schedule([good[0], good[1]])
        try setup.folder.write("campaign.lua", Self.campaign)
        let planned = try setup.fota("plan", [
            "campaign.lua", id, good[2], good[3], good[1], setup.image["firmwareName"] as? String ?? "",
            setup.image["toVersion"] as? String ?? "", good[4], good[5], "-o", "campaign.plan.json",
        ])
        #expect(planned.status == 0, "\(planned.stderr)")
        #expect(planned.stdout == "true\t2\n", "fota.upgrade(placeholder) reads the planned upgrade: \(planned.stdout)")
        #expect(planned.stderr.contains("Plan saved to campaign.plan.json"), "\(planned.stderr)")
        return (setup.folder.path + "/campaign.plan.json", id, good)
    }

    @Test("fota apply refuses with a drift report naming the device whose state changed since the plan")
    func applyRefusesOnDrift() async throws {
        let setup = try await Setup()
        let (plan, id, good) = try await plan(setup)
        let saved = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: plan))) as? [String: Any])
        #expect((saved["steps"] as? [[String: Any]])?.map { $0["call"] as? String } == ["append", "remove", "schedule", "append"])
        let sum = try Subprocess("/usr/bin/sha256sum", ["campaign.lua"], in: setup.folder.path).wait()
        #expect(saved["scriptSha256"] as? String == sum.stdout.split(separator: " ").first.map(String.init), "\(sum.stdout)")
        // One device loses its licence after the plan was made.
        let reply = try await setup.sim.sim.fota(.POST, "/licenses/\(setup.sim.account)/remove", setup.auth, json: #"{"deviceList":["\#(good[3])"]}"#)
        #expect(reply.status == 200)
        let before = try await setup.lastRequest()
        let apply = try setup.fota("apply", ["--yes", "campaign.plan.json"])
        #expect(apply.status == 5, "\(apply.stderr)")
        #expect(apply.stderr.contains("Drift"), "\(apply.stderr)")
        #expect(apply.stderr.contains("device \(good[3]): licenseAssigned was true, now false"), "\(apply.stderr)")
        #expect(!apply.stderr.contains("device \(good[2])"), "only what moved is named: \(apply.stderr)")
        #expect(try await setup.mutatingRequests(since: before).isEmpty, "nothing was sent")
        #expect(try await setup.sim.sim.deviceStatuses(setup.auth, id).count == 2)
    }

    @Test("fota apply refuses when an upgrade of the plan has started (or ended) since, naming it")
    func applyRefusesStartedUpgrade() async throws {
        let setup = try await Setup()
        let (_, id, _) = try await plan(setup)
        let moved = try await setup.sim.sim.control(.POST, "/clock/advance", json: #"{"to": "2026-04-02"}"#)
        #expect(moved.status == 200)
        let status = try #require(try await setup.sim.sim.status(setup.auth, id))
        #expect(!["RequestPending", "Queued"].contains(status), "the upgrade has started (and, one day long, ended)")
        let before = try await setup.lastRequest()
        let apply = try setup.fota("apply", ["--yes", "campaign.plan.json"])
        #expect(apply.status == 5, "\(apply.stderr)")
        #expect(apply.stderr.contains("upgrade \(id): was RequestPending, now \(status)"), "\(apply.stderr)")
        #expect(try await setup.mutatingRequests(since: before).isEmpty, "nothing was sent")
    }

    @Test("fota apply sends exactly the planned changes, in order, with the placeholder replaced by the real id")
    func applySendsThePlan() async throws {
        let setup = try await Setup()
        let (_, id, good) = try await plan(setup)
        // Validation finishes between plan and apply (RequestPending → Queued): not drift, the upgrade takes the same changes.
        try await setup.sim.sim.advance(seconds: 300)
        #expect(try await setup.sim.sim.status(setup.auth, id) == "Queued")
        let notTerminal = try setup.fota("apply", ["campaign.plan.json"])
        #expect(notTerminal.status == 64 && notTerminal.stderr.contains("--yes"), "\(notTerminal.stderr)")
        let before = try await setup.lastRequest()
        let apply = try setup.fota("apply", ["--yes", "campaign.plan.json"])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(apply.stderr.contains("Apply complete: 3 added, 1 removed, 1 scheduled, 0 cancelled."), "\(apply.stderr)")
        let sent = try await setup.mutatingRequests(since: before)
        let account = setup.sim.account
        let newId = try #require(sent.last?.split(separator: "/").last.map(String.init))
        #expect(newId != id)
        #expect(sent == [
            "PUT /api/fota/v1/upgrades/\(account)/upgrade/\(id)", "PUT /api/fota/v1/upgrades/\(account)/upgrade/\(id)",
            "POST /api/fota/v1/upgrades", "PUT /api/fota/v1/upgrades/\(account)/upgrade/\(newId)",
        ], "\(sent)")
        #expect(Set(try await setup.sim.sim.deviceStatuses(setup.auth, newId).keys) == [good[4], good[5]])
        let members = try await setup.sim.sim.deviceStatuses(setup.auth, id)
        #expect(Set(members.keys) == [good[0], good[2], good[3]])
        let journal = journalRecords(setup.journal).filter { $0["phase"] as? String == "outcome" && $0["dryRun"] as? Bool == false }
        #expect(journal.map { $0["call"] as? String } == ["append", "remove", "schedule", "append"])
    }
}

extension PlanApplyTests {
    @Test("fota plan without -o and fota apply of a file that is no plan stop with a clear error and send nothing")
    func badInvocations() throws {
        let folder = try TempFolder()
        try folder.write("x.lua", "print('ran')")
        let noOutput = try fota(["plan", "--simulate", "x.lua"], in: folder.path)
        #expect(noOutput.status == 64 && noOutput.stderr.contains("-o FILE"), "\(noOutput.stderr)")
        #expect(!noOutput.stdout.contains("ran"))
        try folder.write("edited.json", """
            {"format": 1, "createdAt": "t", "endpoint": "http://127.0.0.1:1", "script": "x.lua", "arguments": [],
             "scriptSha256": "", "inputs": {}, "facts": {"devices": {}, "upgrades": {}, "membership": {}, "licenceRequired": {}},
             "steps": [{"call": "append", "account": "0000000001-00001", "upgradeId": "3f2b6c1e-9a4d-4f7e-8b2a-1c5d6e7f8a9b",
                        "devices": ["350000000000018"], "unchanged": [], "rejected": []},
                       {"call": "delete-everything", "account": "a", "devices": [], "unchanged": [], "rejected": []}]}
            """)
        let edited = try fota(["apply", "--yes", "edited.json"], in: folder.path)
        #expect(edited.status == 65, "\(edited.stderr)")
        #expect(edited.stderr.contains("step 2 (delete-everything): not one of append, remove, schedule, cancel"), "\(edited.stderr)")
        try folder.write("list.json", "[1, 2]")
        let list = try fota(["apply", "--yes", "list.json"], in: folder.path)
        #expect(list.status == 65 && list.stderr.contains("is not a plan saved by `fota plan`"), "\(list.stderr)")
    }
}

extension PlanApplyTests {
    @Test("fota plan applies fota run's argument rule: a fota flag after the script is a usage error showing the corrected command, -- hands it to the script")
    func swallowedFlag() throws {
        let folder = try TempFolder()
        try folder.write("x.lua", "print('ran', fota.mode, #arg, ...)")
        let swallowed = try fota(["plan", "--simulate", "x.lua", "--dry-run", "-o", "p.json"], in: folder.path)
        #expect(swallowed.status == 64, "\(swallowed.stderr)")
        #expect(!swallowed.stdout.contains("ran"))
        #expect(swallowed.stderr.contains("--dry-run is a fota flag"), "\(swallowed.stderr)")
        #expect(swallowed.stderr.contains("\n  fota plan --simulate -o p.json --dry-run x.lua\n"), "\(swallowed.stderr)")
        #expect(swallowed.stderr.contains("\n  fota plan --simulate -o p.json x.lua -- --dry-run\n"), "\(swallowed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/p.json"))
        let passed = try fota(["plan", "--simulate", "-o", "p.json", "x.lua", "--", "--dry-run"], in: folder.path)
        #expect(passed.status == 0, "\(passed.stderr)")
        #expect(passed.stdout == "ran\tdry-run\t1\t--dry-run\n")
        #expect(FileManager.default.fileExists(atPath: folder.path + "/p.json"))
    }
}

/// ThingSpace's rejection texts (docs/thingspace-api.md R5), as the tests expect them.
enum RejectionReasons {
    static let alreadyScheduled = "Device scheduled for firmware-upgrade previously, it needs to be completed first."
}

/// `digits` (14) with its Luhn check digit.
func luhnIMEI(_ digits: String) -> String {
    var sum = 0
    for (index, character) in digits.reversed().enumerated() {
        var digit = Int(String(character))!
        if index % 2 == 0 { digit *= 2; if digit > 9 { digit -= 9 } }
        sum += digit
    }
    return digits + String((10 - sum % 10) % 10)
}

/// A Lua string literal of a JSON string value.
func luaString(_ value: Any?) -> String {
    "\"" + (value as? String ?? "").replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}
