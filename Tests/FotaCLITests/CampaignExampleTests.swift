import Foundation
import Testing

/// The campaign examples (canary, remove-unfit, report, bulk-add) run as an
/// operator would, against `--simulate` (seed 1, 10,000 devices), each with
/// its journal and output folder in a fresh temporary folder.
@Suite("campaign examples")
struct CampaignExampleTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// One run of an example: its result, and the journal it left.
    struct ExampleRun {
        var result: Finished
        var journalText: String
        var folder: TempFolder

        /// The journal's records, one per line.
        var journal: [[String: Any]] {
            journalText.split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
            }
        }

        var outFolder: String { folder.path + "/out" }
    }

    /// `fota run --simulate --journal <tmp>/journal.jsonl --out <tmp>/out [options] examples/<name> arguments…` from the package root.
    static func run(
        _ name: String, _ arguments: [String] = [], options: [String] = [],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> ExampleRun {
        let folder = try TempFolder()
        let journal = folder.path + "/journal.jsonl"
        let result = try fota(
            ["run", "--simulate", "--journal", journal, "--out", folder.path + "/out"] + options + ["examples/" + name] + arguments,
            in: packageRoot, sourceLocation: sourceLocation)
        let text = (try? String(contentsOfFile: journal, encoding: .utf8)) ?? ""
        return ExampleRun(result: result, journalText: text, folder: folder)
    }

    static let uuidPattern = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

    /// The first capture group of `pattern` in `text`.
    static func capture(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            let range = Range(match.range(at: 1), in: text)
        else { return nil }
        return String(text[range])
    }

    /// Lines of `text` that are an indented IMEI alone: the devices canary lists.
    static func listedDevices(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return line.hasPrefix("  ") && trimmed.count == 15 && trimmed.allSatisfy(\.isNumber) ? trimmed : nil
        }
    }

    // MARK: canary

    @Test("canary schedules an upgrade; the printed id is in the journal with its intent and outcome lines")
    func canarySchedules() throws {
        let run = try Self.run("canary.lua", ["--start", "2026-03-10"])
        #expect(run.result.status == 0, "\(run.result.stderr)")
        #expect(run.result.stderr == "")
        let id = try #require(Self.capture("Scheduled upgrade (\(Self.uuidPattern))", in: run.result.stdout), "\(run.result.stdout)")
        let devices = Self.listedDevices(run.result.stdout)
        #expect(devices.count == 5)
        #expect(devices == devices.sorted())

        let outcome = try #require(run.journal.first { $0["call"] as? String == "schedule" && $0["phase"] as? String == "outcome" })
        #expect(outcome["upgradeId"] as? String == id)
        #expect(outcome["status"] as? String == "RequestPending")
        #expect(outcome["dryRun"] as? Bool == false)
        let intent = try #require(run.journal.first { $0["call"] as? String == "schedule" && $0["phase"] as? String == "intent" })
        #expect(intent["runId"] as? String == outcome["runId"] as? String)
        #expect(intent["devices"] as? [String] == devices)
        #expect(intent["startDate"] as? String == "2026-03-10")
        #expect(run.journal.count == 2)
        // the details printed after scheduling: the same devices, all RequestPending
        #expect(run.result.stdout.contains("Upgrade \(id)\n"))
        let detailLines = devices.map { "    \($0)  RequestPending" }
        #expect(detailLines.allSatisfy { run.result.stdout.contains($0 + "\n") })
    }

    @Test("canary picks eligible, licensed devices of the chosen model, all on the image's from-version")
    func canaryPicksMatchingDevices() throws {
        let run = try Self.run("canary.lua", ["--count", "4", "--make", "Telit", "--model", "LE910C4-NF", "--from", "25.21.660", "--start", "2026-03-10"])
        #expect(run.result.status == 0, "\(run.result.stderr)")
        #expect(run.result.stdout.hasPrefix("Canary: 4 of "))
        #expect(run.result.stdout.contains("eligible, licensed Telit LE910C4-NF devices on 25.21.660 (seed 1)"))
        #expect(run.result.stdout.contains("Firmware: FOTA_LE910C4-NF_25.21.660_to_25.30.224 (25.21.660 -> 25.30.224)"))
        let schedule = try #require(run.journal.first { $0["call"] as? String == "schedule" })
        #expect(schedule["firmwareName"] as? String == "FOTA_LE910C4-NF_25.21.660_to_25.30.224")
        #expect(schedule["firmwareTo"] as? String == "25.30.224")
        // Telit IMEIs start with the model's TAC (3548…)
        let devices = Self.listedDevices(run.result.stdout)
        #expect(devices.count == 4)
        #expect(devices.allSatisfy { $0.hasPrefix("3548") }, "\(devices)")
    }

    @Test("canary picks the same devices for the same seed and others for another seed")
    func canaryIsDeterministic() throws {
        let first = Self.listedDevices(try Self.run("canary.lua", ["--seed", "42", "--start", "2026-03-10"]).result.stdout)
        let again = Self.listedDevices(try Self.run("canary.lua", ["--seed", "42", "--start", "2026-03-10"]).result.stdout)
        let other = Self.listedDevices(try Self.run("canary.lua", ["--seed", "43", "--start", "2026-03-10"]).result.stdout)
        #expect(first.count == 5)
        #expect(first == again)
        #expect(first != other)
    }

    @Test("canary --dry-run prints the plan on stderr and journals dryRun:true lines")
    func canaryDryRun() throws {
        let run = try Self.run("canary.lua", ["--count", "3", "--start", "2026-03-10"], options: ["--dry-run"])
        #expect(run.result.status == 0, "\(run.result.stderr)")
        #expect(run.result.stderr.contains("Dry run: nothing was sent"))
        #expect(run.result.stderr.contains("schedule FOTA_BG96_BG96MAR02A08M1G_to_BG96MAR04A02M1G → BG96MAR04A02M1G from 2026-03-10 until 2026-03-24 (default: startDate + 14 days) for 3 devices"))
        #expect(run.result.stdout.contains("(dry run: placeholder id, nothing sent)"))
        let lines = run.journalText.split(separator: "\n")
        #expect(lines.count == 2)
        for line in lines { #expect(line.contains("\"dryRun\":true"), "\(line)") }
        #expect(run.journal.map { $0["phase"] as? String } == ["intent", "outcome"])
        #expect(run.journal.last?["result"] as? String == "dry run: not sent")
    }

    @Test("canary --read-only lists the devices and schedules nothing")
    func canaryReadOnly() throws {
        let run = try Self.run("canary.lua", ["--count", "2"], options: ["--read-only"])
        #expect(run.result.status == 0, "\(run.result.stderr)")
        #expect(run.result.stdout.hasSuffix("Read-only run: the upgrade was not scheduled.\n"))
        #expect(Self.listedDevices(run.result.stdout).count == 2)
        #expect(run.journalText == "")
    }

    @Test("canary refuses a bad --count with status 64 and says why", arguments: [
        ("0", "--count must be at least 1, got '0'"), ("2.5", "--count must be a whole number, got '2.5'"),
    ])
    func canaryBadCount(count: String, message: String) throws {
        let run = try Self.run("canary.lua", ["--count", count])
        #expect(run.result.status == 64)
        #expect(run.result.stderr.hasPrefix("canary.lua: \(message)\nusage: fota run canary.lua [options]\n"), "\(run.result.stderr)")
        #expect(run.result.stdout == "")
        #expect(run.journalText == "")
    }

    @Test("canary's options are read by fota.args: a count that is not a number is refused with the usage, --help shows it")
    func canaryArgs() throws {
        let run = try Self.run("canary.lua", ["--count", "x"])
        #expect(run.result.status == 64)
        #expect(run.result.stderr.hasPrefix("canary.lua: --count must be a number, got 'x'\nusage: fota run canary.lua [options]\n"), "\(run.result.stderr)")
        #expect(run.result.stderr.contains("--seed N"))
        let help = try Self.run("canary.lua", ["--help"])
        #expect(help.result.status == 0)
        #expect(help.result.stdout.contains("--start YYYY-MM-DD") && help.result.stdout.contains("(default 5)"))
        #expect(run.result.stdout == "")
        #expect(run.journalText == "")
    }

    @Test("canary refuses an unknown option and a make not in the fleet")
    func canaryBadMake() throws {
        let unknown = try Self.run("canary.lua", ["--colour", "blue"])
        #expect(unknown.result.status == 64)
        #expect(unknown.result.stderr.hasPrefix("canary.lua: unknown option '--colour'\nusage: "), "\(unknown.result.stderr)")
        let make = try Self.run("canary.lua", ["--make", "Nokia"])
        #expect(make.result.status == 1)
        #expect(make.result.stderr.contains("no eligible, licensed device matches make=Nokia"))
        #expect(make.result.stderr.contains("Franklin Wireless T10, Quectel BG96"))
        #expect(make.journalText == "")
    }

    @Test("canary refuses a --count larger than the candidates")
    func canaryTooMany() throws {
        let run = try Self.run("canary.lua", ["--count", "5000"])
        #expect(run.result.status == 1)
        #expect(run.result.stderr.contains("--count 5000 is more than the 561 candidates (Quectel BG96 on BG96MAR02A08M1G)"))
        #expect(run.journalText == "")
    }

    // MARK: remove-unfit

    @Test("remove-unfit --demo removes the unfit devices and gives each one's reason")
    func removeUnfitDemo() throws {
        let run = try Self.run("remove-unfit.lua", ["--demo"])
        #expect(run.result.status == 0, "\(run.result.stderr)")
        #expect(run.result.stderr == "")
        let out = run.result.stdout
        #expect(out.contains("Removed 3 of 3 unfit devices:\n"))
        #expect(out.contains("  351200000004672  not FOTA-eligible\n"))
        #expect(out.contains("  351200000004680  runs 1.1.0; the image upgrades 1.0.4\n"))
        // The fleet's first device of another model: a Sierra Wireless RV55, whose TAC starts with 0.
        #expect(out.contains("  013900000001301  is a Sierra Wireless RV55; the image is for Franklin Wireless T10\n"), "\(out)")
        let removal = try #require(run.journal.first { $0["call"] as? String == "remove" && $0["phase"] as? String == "outcome" })
        #expect(removal["succeeded"] as? Int == 3 && removal["failed"] as? Int == 0)
        let batch = try #require(run.journal.first { $0["call"] as? String == "remove" && $0["phase"] as? String == "batchIntent" })
        #expect(batch["devices"] as? [String] == ["351200000004672", "351200000004680", "013900000001301"])
        let id = try #require(Self.capture("Demo: scheduled upgrade (\(Self.uuidPattern))", in: out))
        #expect(removal["upgradeId"] as? String == id)
    }

    @Test("remove-unfit names an upgrade that does not exist and changes nothing")
    func removeUnfitUnknownUpgrade() throws {
        let run = try Self.run("remove-unfit.lua", ["b11d86bc-29a8-43c7-a988-3d1024e0b987"])
        #expect(run.result.status == 1)
        #expect(run.result.stderr.contains("cannot read upgrade b11d86bc-29a8-43c7-a988-3d1024e0b987: no such upgrade in the account"))
        #expect(run.journalText == "")
    }

    @Test("remove-unfit refuses an argument that is neither an upgrade id nor --demo")
    func removeUnfitBadArgument() throws {
        let run = try Self.run("remove-unfit.lua", ["upgrade-7"])
        #expect(run.result.status == 64)
        #expect(run.result.stderr.hasPrefix("[error] remove-unfit: 'upgrade-7' is not an upgrade id (a UUID) or --demo\n"))
    }

    // MARK: report

    @Test("report --demo counts upgrades per status and writes one CSV row per device under --out")
    func reportWritesCSV() throws {
        let run = try Self.run("report.lua", ["--demo"])
        #expect(run.result.status == 0, "\(run.result.stderr)")
        let out = run.result.stdout
        for status in ["Queued", "RequestFailed", "InProgress", "Finished", "UpgradeFailed"] {
            #expect(out.contains("  \(status.padding(toLength: 15, withPad: " ", startingAt: 0))      0\n"), "\(status)")
        }
        #expect(out.contains("  RequestPending       1\n"))
        let id = try #require(Self.capture("Demo: scheduled upgrade (\(Self.uuidPattern))", in: out))
        let path = run.outFolder + "/upgrade-\(id).csv"
        #expect(out.contains("4 devices written to \(path)"))
        let csv = try String(contentsOfFile: path, encoding: .utf8)
        let rows = csv.split(separator: "\n")
        #expect(rows.first == "deviceId,status,reason")
        #expect(rows.count == 5)
        let scheduled = try #require(run.journal.first { $0["phase"] as? String == "intent" }?["devices"] as? [String])
        #expect(rows.dropFirst().map { String($0.split(separator: ",").first ?? "") } == scheduled)
        #expect(rows.dropFirst().allSatisfy { $0.hasSuffix(",RequestPending,") })
    }

    @Test("report on an account without upgrades prints zero counts and writes nothing")
    func reportEmptyAccount() throws {
        let run = try Self.run("report.lua", options: ["--read-only"])
        #expect(run.result.status == 0, "\(run.result.stderr)")
        #expect(run.result.stdout.contains("  total                0\n"))
        #expect(run.result.stdout.hasSuffix("No upgrade in the account: no device report written.\n"))
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: run.outFolder)) ?? []).isEmpty)
    }

    // MARK: bulk-add

    /// What the sample file should produce: rows that are not IMEIs, repeats, and the row noted as unknown.
    static func sampleExpectations() throws -> (rows: Int, notIMEI: Int, repeats: Int, unknown: Int) {
        let text = try String(contentsOfFile: packageRoot + "/examples/devices-sample.csv", encoding: .utf8)
        let rows = text.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        var seen = Set<Substring>()
        var notIMEI = 0, repeats = 0, unknown = 0
        for row in rows {
            let imei = row[0]
            if imei.count != 15 || !imei.allSatisfy(\.isNumber) { notIMEI += 1 }
            else if !seen.insert(imei).inserted { repeats += 1 }
            else if row.last == "not in the account" { unknown += 1 }
        }
        return (rows.count, notIMEI, repeats, unknown)
    }

    @Test("bulk-add --demo with the sample CSV counts each bad row by reason")
    func bulkAddSample() throws {
        let expected = try Self.sampleExpectations()
        #expect(expected.notIMEI >= 1 && expected.repeats >= 1 && expected.unknown >= 1, "the sample must hold bad rows")
        let run = try Self.run("bulk-add.lua", ["--demo", "@examples/devices-sample.csv"])
        #expect(run.result.status == 2, "\(run.result.stderr)")
        let out = run.result.stdout
        // the demo upgrade already holds the first device: unchanged, not a failure
        let failed = expected.notIMEI + expected.repeats + expected.unknown
        #expect(out.contains("Added \(expected.rows - failed - 1) of \(expected.rows) devices (1 already in the upgrade); \(failed) failed.\n"), "\(out)")
        #expect(out.contains(String(format: "  %4d  not an IMEI (15 digits)\n", expected.notIMEI)))
        #expect(out.contains(String(format: "  %4d  listed twice in the file\n", expected.repeats)))
        #expect(out.contains(String(format: "  %4d  not in the account\n", expected.unknown)))
        #expect(!out.contains("Device already in upgrade"))
        #expect(out.contains("  line 7    35120000001746  not an IMEI (15 digits)\n"))
        #expect(Self.appended(run.journal).count == expected.rows - expected.notIMEI - expected.repeats - expected.unknown)
    }

    /// The devices a live append sent, as its batches' intent lines list them.
    static func appended(_ journal: [[String: Any]]) -> [String] {
        journal.filter { $0["call"] as? String == "append" && $0["phase"] as? String == "batchIntent" }
            .sorted { ($0["batch"] as? Int ?? 0) < ($1["batch"] as? Int ?? 0) }
            .flatMap { $0["devices"] as? [String] ?? [] }
    }

    @Test("bulk-add finds the IMEI column by the header name deviceId")
    func bulkAddHeaderName() throws {
        let folder = try TempFolder()
        let file = try folder.write("devices.csv", "site,DeviceId\nDepot 1,351200000004714\nDepot 2,351200000007840\n")
        let run = try Self.run("bulk-add.lua", ["--demo", "@" + file])
        #expect(run.result.status == 0, "\(run.result.stderr)")
        #expect(run.result.stdout.contains("\(file): 2 devices (after the header row)\n"))
        #expect(run.result.stdout.contains("Added 1 of 2 devices (1 already in the upgrade); 0 failed.\n"))
        #expect(Self.appended(run.journal) == ["351200000004714", "351200000007840"])
    }

    @Test("bulk-add reads a spreadsheet export without a header: byte order mark, CRLF line ends, quoted fields")
    func bulkAddSpreadsheetExport() throws {
        let folder = try TempFolder()
        let file = try folder.write(
            "export.csv", "\u{FEFF}351200000004714,\"Depot 1, north\"\r\n351200000007840,Depot 2\r\n")
        let run = try Self.run("bulk-add.lua", ["--demo", "@" + file])
        // without a header: the mark must not make the first row look like one
        #expect(run.result.stdout.contains("\(file): 2 devices\n"), "\(run.result.stdout)")
        #expect(Self.appended(run.journal) == ["351200000004714", "351200000007840"])
    }

    @Test("bulk-add reads a file without a header from its first column")
    func bulkAddNoHeader() throws {
        let folder = try TempFolder()
        let file = try folder.write("devices.csv", "351200000004714,a\n351200000007840,b\n351200000010356,c\n")
        let run = try Self.run("bulk-add.lua", ["--demo", "@" + file])
        #expect(run.result.stdout.contains("\(file): 3 devices\n"))
        #expect(run.result.stdout.contains("Added 2 of 3 devices (1 already in the upgrade); 0 failed.\n"))
    }

    @Test("bulk-add names an upgrade that does not exist before reading the account")
    func bulkAddUnknownUpgrade() throws {
        let run = try Self.run("bulk-add.lua", ["b11d86bc-29a8-43c7-a988-3d1024e0b987", "@examples/devices-sample.csv"])
        #expect(run.result.status == 1)
        #expect(run.result.stderr.contains("cannot read upgrade b11d86bc-29a8-43c7-a988-3d1024e0b987: no such upgrade in the account"))
        #expect(run.journalText == "")
    }

    @Test("bulk-add without a file, or with both an id and --demo, is a usage error")
    func bulkAddUsage() throws {
        let noFile = try Self.run("bulk-add.lua", ["--demo"])
        #expect(noFile.result.status == 64)
        #expect(noFile.result.stderr.hasPrefix("[error] bulk-add: name the CSV file with @path\n"))
        let both = try Self.run("bulk-add.lua", ["--demo", "b11d86bc-29a8-43c7-a988-3d1024e0b987", "@examples/devices-sample.csv"])
        #expect(both.result.status == 64)
        #expect(both.result.stderr.hasPrefix("[error] bulk-add: give an upgrade id or --demo (one of them)\n"))
    }
}

/// The history rule of remove-unfit needs an upgrade that failed, which takes
/// the simulator's control API: `fota sim` in a child process, its clock
/// advanced and a failure forced through `/_sim`.
@Suite("campaign examples against fota sim", .serialized)
struct CampaignExampleSimTests {
    /// POSTs JSON to the simulator's control API and returns the HTTP status.
    static func control(_ sim: SimulatorProcess, _ path: String, _ body: String) throws -> Int {
        try sim.control("POST", path, body: body).status
    }

    /// A `fota sim` and a journal, and `fota run` against them from the package root.
    struct Session {
        let sim: SimulatorProcess
        let folder: TempFolder
        var journal: String { folder.path + "/journal.jsonl" }

        init() throws {
            sim = try SimulatorProcess(["--devices", "300"])
            folder = try TempFolder()
        }

        func run(_ script: String, _ arguments: [String], options: [String] = []) throws -> Finished {
            try fota(["run"] + sim.options(journal: journal) + options + [script] + arguments,
                in: CampaignExampleTests.packageRoot, environment: sim.environment)
        }

        /// Schedules `firmwareName` → `firmwareTo` for `devices` starting 2026-03-09; returns the upgrade id.
        func schedule(_ firmwareName: String, _ firmwareTo: String, _ devices: [String]) throws -> String {
            let script = try folder.write("schedule.lua", """
                local name, to = ...
                print(fota.schedule{firmwareName = name, firmwareTo = to, startDate = "2026-03-09", devices = {select(3, ...)}}.id)
                """)
            let result = try run(script, [firmwareName, firmwareTo] + devices)
            guard result.status == 0 else { throw CLITestFailure("schedule.lua failed: \(result.stderr)") }
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// A canary of two devices, the first made to fail, run to its end: (upgrade id, devices, firmwareName, firmwareTo).
        func finishedCanary() throws -> (id: String, devices: [String], firmwareName: String, firmwareTo: String) {
            let canary = try run("examples/canary.lua", ["--count", "2", "--start", "2026-03-02"])
            guard canary.status == 0 else { throw CLITestFailure("canary.lua failed: \(canary.stderr)") }
            let id = try #require(CampaignExampleTests.capture("Scheduled upgrade (\(CampaignExampleTests.uuidPattern))", in: canary.stdout))
            let devices = CampaignExampleTests.listedDevices(canary.stdout)
            try #require(devices.count == 2)
            let schedule = try #require(journalRecords(journal).first { $0["phase"] as? String == "outcome" })
            #expect(try CampaignExampleSimTests.control(sim, "/_sim/upgrades/\(id)/devices/\(devices[0])/fail", #"{"reason":"Battery too low"}"#) == 200)
            #expect(try CampaignExampleSimTests.control(sim, "/_sim/clock/advance", #"{"seconds":120}"#) == 200)
            #expect(try CampaignExampleSimTests.control(sim, "/_sim/clock/advance", #"{"seconds":10800}"#) == 200)
            return (id, devices, try #require(schedule["firmwareName"] as? String), try #require(schedule["firmwareTo"] as? String))
        }
    }

    @Test("remove-unfit removes a device whose earlier upgrade failed, naming that upgrade and its reason")
    func removeUnfitHistory() throws {
        let session = try Session()
        let canary = try session.finishedCanary()
        // The same image again for both devices: one failed last time, the other now runs the new version.
        let again = try session.schedule(canary.firmwareName, canary.firmwareTo, canary.devices)
        let removal = try session.run("examples/remove-unfit.lua", [again])
        #expect(removal.status == 0, "\(removal.stderr)")
        #expect(removal.stdout.contains("Removed 2 of 2 unfit devices:\n"), "\(removal.stdout)")
        #expect(removal.stdout.contains("  \(canary.devices[0])  upgrade "), "\(removal.stdout)")
        #expect(removal.stdout.contains("failed on 2026-03-02 (Battery too low)\n"), "\(removal.stdout)")
        #expect(removal.stdout.contains("  \(canary.devices[1])  runs \(canary.firmwareTo); the image upgrades "), "\(removal.stdout)")
        #expect(removal.stderr.contains("[warn] every device of upgrade \(again) was unfit; it has none left"))
    }

    @Test("remove-unfit and bulk-add refuse an upgrade that has already run, before changing anything")
    func startedUpgradeRefused() throws {
        let session = try Session()
        let canary = try session.finishedCanary()
        let linesBefore = journalRecords(session.journal).count
        let removal = try session.run("examples/remove-unfit.lua", [canary.id])
        #expect(removal.status == 1)
        #expect(removal.stderr.contains("upgrade \(canary.id) is Finished: devices can be removed only before it starts"))
        let add = try session.run("examples/bulk-add.lua", [canary.id, "@examples/devices-sample.csv"])
        #expect(add.status == 1)
        #expect(add.stderr.contains("upgrade \(canary.id) is Finished: devices can be added only before it starts"))
        #expect(journalRecords(session.journal).count == linesBefore)
    }

    @Test("remove-unfit --dry-run lists what it would remove; the upgrade keeps its devices")
    func removeUnfitDryRun() throws {
        let session = try Session()
        // 351200000004672 is not FOTA-eligible; 351200000004680 runs 1.1.0 (seed 1)
        let devices = ["351200000004672", "351200000004680"]
        let id = try session.schedule("FOTA_T10_1.0.4_to_1.1.0", "1.1.0", devices)
        let linesBefore = journalRecords(session.journal).count
        let run = try session.run("examples/remove-unfit.lua", [id], options: ["--dry-run"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("Would remove 2 of 2 unfit devices (dry run: nothing sent):\n"), "\(run.stdout)")
        #expect(run.stdout.contains("  351200000004672  not FOTA-eligible\n"))
        #expect(!run.stderr.contains("[warn]"))
        #expect(run.stderr.contains("remove 2 devices: 351200000004672, 351200000004680"))
        #expect(journalRecords(session.journal).dropFirst(linesBefore).allSatisfy { $0["dryRun"] as? Bool == true })
        let report = try session.run("examples/report.lua", [id], options: ["--read-only", "--out", session.folder.path + "/out"])
        #expect(report.stdout.contains("(FOTA_T10_1.0.4_to_1.1.0, RequestPending): 2 devices written"), "\(report.stdout)")
    }

    @Test("bulk-add --dry-run checks the file against the account and sends nothing")
    func bulkAddDryRun() throws {
        let session = try Session()
        // The sample file lists devices of the 10,000-device fleet; this one has 300, so most are unknown.
        let id = try session.schedule("FOTA_T10_1.0.4_to_1.1.0", "1.1.0", ["351200000004714"])
        let linesBefore = journalRecords(session.journal).count
        let run = try session.run("examples/bulk-add.lua", [id, "@examples/devices-sample.csv"], options: ["--dry-run"])
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stdout.contains("Upgrade \(id) (dry run: nothing sent)\n"))
        #expect(run.stdout.contains("     2  not an IMEI (15 digits)\n"), "\(run.stdout)")
        // The dry run reads the upgrade: the device it already holds is not planned as an addition.
        #expect(run.stdout.contains("Would add 0 of 11 devices (1 already in the upgrade); 10 failed.\n"), "\(run.stdout)")
        #expect(run.stderr.contains("Dry run: nothing was sent to ThingSpace"))
        #expect(run.stderr.contains("unchanged: 1 device (351200000004714)"), "\(run.stderr)")
        let records = journalRecords(session.journal).dropFirst(linesBefore)
        #expect(records.count == 2)
        #expect(records.allSatisfy { $0["dryRun"] as? Bool == true && $0["call"] as? String == "append" })
        // the simulator still holds only the device it was scheduled with
        let report = try session.run("examples/report.lua", [id], options: ["--read-only", "--out", session.folder.path + "/out"])
        #expect(report.status == 0, "\(report.stderr)")
        let csv = try String(contentsOfFile: session.folder.path + "/out/upgrade-\(id).csv", encoding: .utf8)
        #expect(csv == "deviceId,status,reason\n351200000004714,RequestPending,\n")
    }
}
