import Foundation
import Testing

/// The one-shot commands (`fota upgrades`, `upgrade`, `devices`, `firmware`, `history`, `cancel`)
/// end to end against a `fota sim` process, in every output format: JSON that parses with sorted
/// keys and the same text twice, CSV with its header, a table with one line per record.
@Suite("one-shot commands", .serialized)
struct QueryCommandTests {
    /// `fota <arguments> --endpoint … --account …` with the simulator's credentials in the environment.
    func query(_ sim: SimulatorProcess, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> Finished {
        let state = try TempFolder()
        var environment = sim.environment
        environment["XDG_STATE_HOME"] = state.path // rehearsal journal of cancel stays in the test's folder
        let finished = try fota(arguments + ["--endpoint", sim.endpoint, "--account", sim.account],
                                environment: environment, sourceLocation: sourceLocation)
        for secret in sim.secrets {
            #expect(!finished.stdout.contains(secret) && !finished.stderr.contains(secret), sourceLocation: sourceLocation)
        }
        return finished
    }

    /// The JSON answer of `arguments` with `-o json`: checked to be sorted and stable, then parsed.
    func json(_ sim: SimulatorProcess, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
        let first = try query(sim, arguments + ["-o", "json"], sourceLocation: sourceLocation)
        #expect(first.status == 0, "\(first.stderr)", sourceLocation: sourceLocation)
        #expect(jsonKeysSorted(first.stdout), "keys sorted in \(first.stdout)", sourceLocation: sourceLocation)
        let again = try query(sim, arguments, sourceLocation: sourceLocation) // not a terminal: JSON by default
        #expect(again.stdout == first.stdout, "the same answer twice is the same text", sourceLocation: sourceLocation)
        return try JSONSerialization.jsonObject(with: Data(first.stdout.utf8))
    }

    /// The CSV answer: the header line, then the rows (split naively: the test data has no quoted commas).
    func csv(_ sim: SimulatorProcess, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> (header: [String], rows: [[String]]) {
        let finished = try query(sim, arguments + ["-o", "csv"], sourceLocation: sourceLocation)
        #expect(finished.status == 0, "\(finished.stderr)", sourceLocation: sourceLocation)
        let lines = finished.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        let split = lines.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        return (split.first ?? [], Array(split.dropFirst()))
    }

    /// The table answer's lines: a header, then one line per record, columns split on runs of spaces.
    func table(_ sim: SimulatorProcess, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
        let finished = try query(sim, arguments + ["-o", "table"], sourceLocation: sourceLocation)
        #expect(finished.status == 0, "\(finished.stderr)", sourceLocation: sourceLocation)
        return finished.stdout.split(separator: "\n").map(String.init)
    }

    /// A campaign of devices the simulator will accept; its id and devices.
    func schedule(_ sim: SimulatorProcess, count: Int = 3) async throws -> (id: String, devices: [String]) {
        let auth = try await sim.sim.authenticate()
        let campaign = try await sim.sim.scheduleValid(auth, count: count)
        return (campaign.id, campaign.devices)
    }

    @Test("fota upgrades: every status by default, --status filters; json, csv and table list the same upgrade")
    func upgrades() async throws {
        let sim = try SimulatorProcess(["--devices", "200"])
        let campaign = try await schedule(sim)
        let all = try #require(try json(sim, ["upgrades"]) as? [[String: Any]])
        #expect(all.map { $0["id"] as? String } == [campaign.id])
        #expect(all.first?["status"] as? String == "RequestPending")
        #expect((all.first?["deviceList"] as? [[String: Any]])?.compactMap { $0["deviceId"] as? String }.sorted() == campaign.devices.sorted())
        let pending = try #require(try json(sim, ["upgrades", "--status", "RequestPending", "--status", "Queued"]) as? [[String: Any]])
        #expect(pending.count == 1)
        let finished = try #require(try json(sim, ["upgrades", "--status", "Finished"]) as? [Any])
        #expect(finished.isEmpty)

        let (header, rows) = try csv(sim, ["upgrades"])
        #expect(header == ["id", "status", "firmwareName", "firmwareTo", "startDate", "endDate", "deviceList"])
        #expect(rows.count == 1 && rows.first?.first == campaign.id && rows.first?.last == "3")
        let lines = try table(sim, ["upgrades", "--status", "RequestPending"])
        #expect(lines.count == 2)
        #expect(lines.first?.split(separator: " ").map(String.init) == header)
        #expect(lines.last?.hasPrefix(campaign.id + "  RequestPending") == true, "\(lines)")
        let empty = try table(sim, ["upgrades", "--status", "Finished"])
        #expect(empty.count == 1, "only the header when nothing matches")

        let bad = try query(sim, ["upgrades", "--status", "Done"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--status 'Done' is not one of RequestPending"), "\(bad.stderr)")
    }

    @Test("fota upgrade ID: the upgrade with its devices; an unknown upgrade exits 1 naming what ThingSpace said")
    func upgrade() async throws {
        let sim = try SimulatorProcess(["--devices", "200"])
        let campaign = try await schedule(sim)
        let object = try #require(try json(sim, ["upgrade", campaign.id]) as? [String: Any])
        #expect(object["id"] as? String == campaign.id)
        #expect((object["deviceList"] as? [[String: Any]])?.count == 3)
        let (header, rows) = try csv(sim, ["upgrade", campaign.id])
        #expect(header == ["id", "status", "firmwareName", "firmwareTo", "startDate", "endDate", "deviceId", "deviceStatus", "reason"])
        #expect(rows.map { $0[6] }.sorted() == campaign.devices.sorted())
        #expect(rows.allSatisfy { $0[0] == campaign.id && $0[1] == "RequestPending" })
        let lines = try table(sim, ["upgrade", campaign.id])
        #expect(lines.count == 4)
        for device in campaign.devices { #expect(lines.contains { $0.contains(device) }) }

        let unknown = try query(sim, ["upgrade", "00000000-0000-4000-8000-000000000000"])
        #expect(unknown.status == 1)
        #expect(unknown.stdout.isEmpty)
        #expect(unknown.stderr.hasPrefix("fota: upgrade: ThingSpace answered GET"), "\(unknown.stderr)")
        let malformed = try query(sim, ["upgrade", "not-a-uuid"])
        #expect(malformed.status == 64)
        #expect(malformed.stderr.contains("'not-a-uuid' is not an upgrade id"), "\(malformed.stderr)")
    }

    @Test("fota devices: every device over several pages, and the filters keep only the devices that match them all")
    func devices() async throws {
        let sim = try SimulatorProcess(["--devices", "2500"]) // three pages of at most 1,000
        let auth = try await sim.sim.authenticate()
        let fleet = try await sim.sim.devices(auth)
        let all = try #require(try json(sim, ["devices"]) as? [[String: Any]])
        #expect(all.count == 2500)
        #expect(Set(all.compactMap { $0["deviceId"] as? String }) == Set(fleet.compactMap { $0["deviceId"] as? String }))

        let sample = try #require(fleet.first { $0["fotaEligible"] as? Bool == true && $0["licenseAssigned"] as? Bool == true })
        let model = try #require(sample["model"] as? String)
        let firmware = try #require(sample["firmware"] as? String)
        let expected = fleet.filter {
            $0["model"] as? String == model && $0["firmware"] as? String == firmware
                && $0["fotaEligible"] as? Bool == true && $0["licenseAssigned"] as? Bool == true
        }.compactMap { $0["deviceId"] as? String }
        let filter = ["devices", "--model", model, "--firmware", firmware, "--eligible", "--licensed"]
        let matched = try #require(try json(sim, filter) as? [[String: Any]])
        #expect(matched.compactMap { $0["deviceId"] as? String }.sorted() == expected.sorted())
        #expect(expected.count < fleet.filter { $0["model"] as? String == model }.count, "the filters left some devices out")

        let (header, rows) = try csv(sim, filter)
        #expect(header == ["deviceId", "mdn", "make", "model", "firmware", "fotaEligible", "licenseAssigned", "upgradeTime"])
        #expect(rows.map { $0[0] }.sorted() == expected.sorted())
        #expect(rows.allSatisfy { $0[3] == model && $0[4] == firmware && $0[5] == "true" && $0[6] == "true" })
        let lines = try table(sim, filter)
        #expect(lines.count == expected.count + 1)
        let none = try #require(try json(sim, ["devices", "--model", "no such model"]) as? [Any])
        #expect(none.isEmpty)
    }

    @Test("fota firmware: the account's images in every format")
    func firmware() async throws {
        let sim = try SimulatorProcess(["--devices", "50"])
        let auth = try await sim.sim.authenticate()
        let images = try await sim.sim.firmware(auth).compactMap { $0["firmwareName"] as? String }
        #expect(!images.isEmpty)
        let list = try #require(try json(sim, ["firmware"]) as? [[String: Any]])
        #expect(list.compactMap { $0["firmwareName"] as? String } == images)
        #expect(list.allSatisfy { $0["toVersion"] is String && $0["model"] is String })
        let (header, rows) = try csv(sim, ["firmware"])
        #expect(header.prefix(5) == ["firmwareName", "make", "model", "fromVersion", "toVersion"])
        #expect(rows.map { $0[0] } == images)
        let lines = try table(sim, ["firmware"])
        #expect(lines.count == images.count + 1)
        #expect(zip(lines.dropFirst(), images).allSatisfy { $0.hasPrefix($1 + " ") })
    }

    @Test("fota history IMEI…: each device's upgrades once the campaign ran; a bad IMEI is a usage error")
    func history() async throws {
        let sim = try SimulatorProcess(["--devices", "200", "--always-on", "100%", "--daily-check-in", "0%", "--often-off", "0%", "--failure-rate", "0"])
        let campaign = try await schedule(sim, count: 2)
        try await sim.sim.advance(seconds: 30 * 86_400)
        let entries = try #require(try json(sim, ["history"] + campaign.devices) as? [[String: Any]])
        #expect(entries.compactMap { $0["deviceId"] as? String } == campaign.devices, "one entry per device, in the order given")
        #expect(entries.allSatisfy { $0["id"] as? String == campaign.id && $0["status"] is String })
        let (header, rows) = try csv(sim, ["history"] + campaign.devices)
        #expect(header.prefix(2) == ["deviceId", "id"])
        #expect(rows.map { $0[0] } == campaign.devices)
        let lines = try table(sim, ["history", campaign.devices[0]])
        #expect(lines.count == 2 && lines[1].hasPrefix(campaign.devices[0] + "  " + campaign.id))

        let bad = try query(sim, ["history", campaign.devices[0], "12345"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("argument 2 '12345' is not an IMEI"), "\(bad.stderr)")
    }

    @Test("fota cancel ID: through fota.cancel, journaled; --dry-run sends nothing; a second cancel exits 1")
    func cancel() async throws {
        let sim = try SimulatorProcess(["--devices", "200"])
        let campaign = try await schedule(sim)
        let folder = try TempFolder()
        let journal = folder.path + "/journal.jsonl"

        for format in ["table", "csv", "json"] {
            let dry = try query(sim, ["cancel", campaign.id, "--dry-run", "--journal", journal, "-o", format])
            #expect(dry.status == 0, "\(dry.stderr)")
            #expect(dry.stderr.contains("cancel upgrade \(campaign.id)"), "the plan: \(dry.stderr)")
            switch format {
            case "json":
                let object = try #require(try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any])
                #expect(object["dryRun"] as? Bool == true && object["success"] as? Bool == true && object["id"] as? String == campaign.id)
                #expect(jsonKeysSorted(dry.stdout))
            case "csv":
                #expect(dry.stdout == "id,success,dryRun\n\(campaign.id),true,true\n")
            default:
                #expect(dry.stdout.split(separator: "\n").last?.split(separator: " ") == [Substring(campaign.id), "true", "true"])
            }
        }
        let auth = try await sim.sim.authenticate()
        #expect(try await sim.sim.status(auth, campaign.id) == "RequestPending", "a dry run sent nothing")

        // Without a terminal nobody can confirm: nothing is sent unless --yes.
        let unconfirmed = try query(sim, ["cancel", campaign.id, "--journal", journal, "-o", "json"])
        #expect(unconfirmed.status == 64 && unconfirmed.stderr.contains("pass --yes to cancel the upgrade"), "\(unconfirmed.stderr)")
        #expect(try await sim.sim.status(auth, campaign.id) == "RequestPending", "an unconfirmed cancel sent nothing")
        let live = try query(sim, ["cancel", campaign.id, "--yes", "--journal", journal, "-o", "json"])
        #expect(live.status == 0, "\(live.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(live.stdout.utf8)) as? [String: Any])
        #expect(object["success"] as? Bool == true && object["dryRun"] == nil)
        let records = journalRecords(journal).filter { $0["dryRun"] as? Bool == false }
        #expect(records.map { "\($0["call"] ?? "?")/\($0["phase"] ?? "?")" } == ["cancel/intent", "cancel/outcome"])
        #expect(records.allSatisfy { $0["upgradeId"] as? String == campaign.id && $0["script"] as? String == "fota cancel" })

        let again = try query(sim, ["cancel", campaign.id, "--yes", "--journal", journal])
        #expect(again.status == 1)
        #expect(again.stdout.isEmpty)
        #expect(again.stderr.hasPrefix("fota: cancel: fota.cancel: "), "\(again.stderr)")
    }

    @Test("the sorted-keys check itself tells sorted from unsorted objects, nested ones included")
    func sortedKeysCheck() {
        #expect(jsonKeysSorted(#"{"a": 1, "b": [{"c": "}", "d": {"e": 1, "f": 2}}]}"#))
        #expect(!jsonKeysSorted(#"{"b": 1, "a": 2}"#))
        #expect(!jsonKeysSorted(#"[{"a": {"y": 1, "x": 2}}]"#))
        #expect(!jsonKeysSorted(#"{"a\"": 1, "a": 2}"#), "an escaped quote does not end a key")
    }

    @Test("without credentials a one-shot command is a configuration error that says what to give")
    func noCredentials() throws {
        let finished = try fota(["firmware", "--account", "0000000001-00001"], environment: [
            "THINGSPACE_CLIENT_ID": nil, "THINGSPACE_CLIENT_SECRET": nil, "THINGSPACE_USERNAME": nil,
            "THINGSPACE_PASSWORD": nil, "FOTA_PROFILE": nil, "XDG_CONFIG_HOME": "/nonexistent", "HOME": "/nonexistent",
        ])
        #expect(finished.status == 78)
        #expect(finished.stderr.contains("no ThingSpace credentials: use --simulate, --profile"), "\(finished.stderr)")
    }

    @Test("--simulate works for one-shot commands: fota firmware --simulate -o json")
    func simulate() throws {
        let finished = try fota(["firmware", "--simulate", "-o", "json"])
        #expect(finished.status == 0, "\(finished.stderr)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(finished.stdout.utf8)) as? [[String: Any]])
        #expect(!list.isEmpty)
    }
}

/// True when every JSON object in `text` lists its keys in ascending (byte) order.
/// A small scanner: strings are skipped whole, and a string right after `{` or `,` inside an object is a key.
func jsonKeysSorted(_ text: String) -> Bool {
    var stack: [(isObject: Bool, lastKey: String?)] = []
    var expectKey = false
    var index = text.utf8.startIndex
    let bytes = text.utf8
    while index < bytes.endIndex {
        let byte = bytes[index]
        switch byte {
        case UInt8(ascii: "{"): stack.append((true, nil)); expectKey = true
        case UInt8(ascii: "["): stack.append((false, nil)); expectKey = false
        case UInt8(ascii: "}"), UInt8(ascii: "]"): stack.removeLast(); expectKey = false
        case UInt8(ascii: ","): expectKey = stack.last?.isObject == true
        case UInt8(ascii: "\""):
            var end = bytes.index(after: index)
            while end < bytes.endIndex && bytes[end] != UInt8(ascii: "\"") {
                if bytes[end] == UInt8(ascii: "\\") { end = bytes.index(after: end) }
                end = bytes.index(after: end)
            }
            if expectKey, let top = stack.last {
                let key = String(decoding: Array(bytes[bytes.index(after: index)..<end]), as: UTF8.self)
                if let last = top.lastKey, !last.utf8.lexicographicallyPrecedes(key.utf8) { return false }
                stack[stack.count - 1].lastKey = key
                expectKey = false
            }
            index = end
        default: break
        }
        index = bytes.index(after: index)
    }
    return true
}

extension QueryCommandTests {
    @Test("a reader that closed the pipe (fota devices | head) ends the command with status 1, quietly, not a crash")
    func closedPipe() throws {
        let sim = try SimulatorProcess(["--devices", "2000"])
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        close(ends[0]) // no reader: every write to the pipe fails with EPIPE
        defer { close(ends[1]) }
        let process = try Subprocess(
            fotaBinary, ["devices", "-o", "csv", "--endpoint", sim.endpoint, "--account", sim.account],
            environment: sim.environment, standardOutput: ends[1])
        let finished = process.wait()
        let stderr = finished.stderr
        #expect(!finished.signalled && finished.status == 1, "\(finished.status): \(stderr)")
        #expect(stderr == "", "\(stderr)")
    }
}
