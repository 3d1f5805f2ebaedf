import Foundation
@testable import FotaLua
import LuaHost
import Testing
import ThingSpace

@Suite("reading the journal back")
struct JournalReaderTests {
    static func line(_ fields: [String: Any]) -> [String: Any] {
        var record: [String: Any] = ["runId": "run-1", "time": "2026-11-29T10:00:00Z", "script": "bulk.lua",
                                     "endpoint": "http://127.0.0.1:1", "dryRun": false, "rehearsal": false]
        record.merge(fields) { $1 }
        return record
    }

    static var killedAppend: [[String: Any]] {
        [
            line(["call": "append", "phase": "intent", "change": 1, "account": "A", "upgradeId": "U", "deviceCount": 5, "batches": 3]),
            line(["call": "append", "phase": "batchIntent", "change": 1, "batch": 1, "batches": 3, "devices": ["a", "b"]]),
            line(["call": "append", "phase": "batchIntent", "change": 1, "batch": 2, "batches": 3, "devices": ["c", "d"]]),
            line(["call": "append", "phase": "batchOutcome", "change": 1, "batch": 1, "batches": 3, "succeeded": 2, "settled": true]),
        ]
    }

    @Test("a batch with an intent and no outcome is unknown; finished batches and batches never sent are not")
    func unknownBatches() {
        let reader = JournalReader(records: Self.killedAppend, skipped: 0)
        let unknowns = reader.unknowns
        #expect(unknowns.count == 1)
        #expect(unknowns.first?.batch?.index == 2 && unknowns.first?.devices == ["c", "d"])
        #expect(unknowns.first?.change.upgradeId == "U")
        #expect(reader.runs.first?.changes.first?.isUnknown == false, "a batched change is judged by its batches")
    }

    @Test("a batch whose answer was lost and whose read-back failed is unknown; a reconciled line settles it")
    func unsettledAndReconciled() {
        var records = Self.killedAppend
        records.append(Self.line(["call": "append", "phase": "batchOutcome", "change": 1, "batch": 2, "batches": 3, "settled": false]))
        #expect(JournalReader(records: records, skipped: 0).unknowns.map { $0.batch?.index } == [2])
        records.append(Self.line(["call": "append", "phase": "reconciled", "change": 1, "batch": 2, "found": "2 of 2 devices are in the upgrade"]))
        #expect(JournalReader(records: records, skipped: 0).unknowns.isEmpty)
    }

    @Test("an unbatched change (a schedule) without an outcome is unknown; a dry run never is")
    func wholeChanges() {
        let records = [
            Self.line(["call": "schedule", "phase": "intent", "change": 1, "account": "A", "devices": ["a"]]),
            Self.line(["runId": "run-2", "call": "cancel", "phase": "intent", "change": 1, "dryRun": true, "upgradeId": "U"]),
        ]
        let reader = JournalReader(records: records, skipped: 0)
        #expect(reader.unknowns.map(\.change.call) == ["schedule"])
        #expect(reader.runs.map(\.mode) == ["live", "dry-run"])
    }

    @Test("a later run's read-back of a schedule key settles the keyed schedule that had no outcome, and only that one")
    func keyReadBackSettles() {
        var records = [
            Self.line(["call": "schedule", "phase": "intent", "change": 1, "account": "A", "key": "wave-1", "devices": ["a"]]),
            Self.line(["call": "schedule", "phase": "intent", "change": 2, "account": "A", "key": "wave-2", "devices": ["b"]]),
        ]
        #expect(JournalReader(records: records, skipped: 0).unknowns.count == 2)
        records.append(Self.line(["runId": "run-2", "call": "schedule", "phase": "reconcile", "key": "wave-1", "account": "A",
                                  "upgradeId": "U1", "found": true]))
        let reader = JournalReader(records: records, skipped: 0)
        #expect(reader.unknowns.map { $0.change.intent["key"] as? String } == ["wave-2"])
        let settled = reader.runs[0].changes[0].reconciled?["found"] as? String
        #expect(settled == "the key wave-1 was read back by run run-2: scheduled as upgrade U1")
    }

    @Test("a run is found by the first characters of its id, and an ambiguous prefix is refused")
    func runByPrefix() {
        let records = [Self.line(["runId": "abc-1", "call": "cancel", "phase": "intent"]),
                       Self.line(["runId": "abd-2", "call": "cancel", "phase": "intent"])]
        let reader = JournalReader(records: records, skipped: 0)
        #expect((try? reader.run(matching: "abc").get())?.runId == "abc-1")
        #expect(throws: JournalQueryError.self) { try reader.run(matching: "ab").get() }
        #expect(throws: JournalQueryError.self) { try reader.run(matching: "zz").get() }
    }

    @Test("reconcile reads the upgrade for an unknown batch, appends what it found, and the batch is no longer unknown")
    func reconcileAgainstSimulator() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 5)
        var settings = sim.settings()
        settings.batchSize = 2
        let (result, _) = try await sim.run("""
            \(schedule(campaign, devices: [campaign.devices[0]]))
            fota.append(up.id, \(luaList(Array(campaign.devices.dropFirst()))))
            """, settings: settings)
        #expect(result.finished, "\(result.outcome)")
        // As if the run had been killed after sending batch 2: its outcome line and the call's are lost.
        let text = try String(contentsOfFile: sim.journalPath, encoding: .utf8)
        let kept = text.split(separator: "\n").filter { line in
            !(line.contains("\"phase\":\"batchOutcome\"") && line.contains("\"batch\":2,")) && !(line.contains("\"call\":\"append\"") && line.contains("\"phase\":\"outcome\""))
        }
        try Data((kept.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: sim.journalPath))
        let before = try JournalReader(path: sim.journalPath).unknowns
        #expect(before.map { $0.batch?.index } == [2])
        let client = sim.client()
        defer { Task { await client.shutdown() } }
        let findings = try await JournalReconciler.reconcile(
            journalPath: sim.journalPath, client: client, endpoint: sim.server.credentials.endpoint)
        #expect(findings.count == 1 && findings.first?.settled == true)
        #expect(findings.first?.found == "2 of 2 devices are in the upgrade", "\(findings)")
        #expect(try JournalReader(path: sim.journalPath).unknowns.isEmpty)
        let reconciled = try #require(try sim.journal().last)
        #expect(reconciled["phase"] as? String == "reconciled" && reconciled["batch"] as? Int == 2 && reconciled["applied"] as? Int == 2)
    }

    @Test("reconcile finds a schedule whose outcome was lost among the pending upgrades, and a cancel by the upgrade being gone")
    func reconcileScheduleAndCancel() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 4)
        let (result, _) = try await sim.run("""
            \(schedule(campaign, devices: [campaign.devices[0], campaign.devices[1]]))
            local gone = fota.schedule{firmwareName = "\(campaign.firmwareName)", firmwareTo = "\(campaign.firmwareTo)",
              startDate = "2026-03-12", devices = {"\(campaign.devices[2])"}}
            fota.cancel(gone.id)
            print(up.id)
            """)
        #expect(result.finished, "\(result.outcome)")
        let id = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        // As if killed after each request: drop every outcome line.
        let text = try String(contentsOfFile: sim.journalPath, encoding: .utf8)
        let kept = text.split(separator: "\n").filter { !$0.contains("\"phase\":\"outcome\"") }
        try Data((kept.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: sim.journalPath))
        #expect(try JournalReader(path: sim.journalPath).unknowns.map(\.change.call) == ["schedule", "schedule", "cancel"])
        let client = sim.client()
        defer { Task { await client.shutdown() } }
        let findings = try await JournalReconciler.reconcile(
            journalPath: sim.journalPath, client: client, endpoint: sim.server.credentials.endpoint)
        #expect(findings.map(\.settled) == [true, true, true])
        #expect(findings[0].found == "scheduled: upgrade \(id) (RequestPending)", "\(findings[0].found)")
        #expect(findings[1].found.hasPrefix("no pending or queued upgrade"), "the cancelled one is gone: \(findings[1].found)")
        #expect(findings[2].found.hasPrefix("cancelled: upgrade "), "\(findings[2].found)")
        #expect(try JournalReader(path: sim.journalPath).unknowns.isEmpty)
    }

    @Test("reconcile leaves changes sent to another endpoint unknown, saying so")
    func otherEndpoint() async throws {
        let folder = try TempFolder()
        let path = folder.path + "/j.jsonl"
        let journal = Journal(path: path)
        for record in Self.killedAppend {
            var fields: [String: LuaValue] = [:]
            for (key, value) in record {
                if let v = value as? String { fields[key] = .string(v) }
                else if let v = value as? Bool { fields[key] = .boolean(v) }
                else if let v = value as? Int { fields[key] = .integer(Int64(v)) }
                else if let v = value as? [String] { fields[key] = .array(v.map { .string($0) }) }
            }
            try journal.append(fields)
        }
        let client = ThingSpaceClient(configuration: ClientConfiguration(
            endpoint: "http://127.0.0.1:9", account: "A", credentials: Credentials(clientId: "i", clientSecret: "s", username: "u", password: "p")))
        defer { Task { await client.shutdown() } }
        let findings = try await JournalReconciler.reconcile(journalPath: path, client: client, endpoint: "http://127.0.0.1:9")
        #expect(findings.count == 1 && findings.first?.settled == false)
        #expect(findings.first?.found.contains("not checked: sent to http://127.0.0.1:1") == true, "\(findings)")
        #expect(try JournalReader(path: path).unknowns.count == 1)
    }
}
