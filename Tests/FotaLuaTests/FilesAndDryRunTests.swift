import Foundation
@testable import FotaLua
import LuaHost
import Testing

@Suite("files and dry-run checks")
struct FilesAndDryRunTests {
    @Test("files.lines splits CRLF files and files.csv drops a spreadsheet's byte order mark")
    func crlfAndBOM() async throws {
        let sim = try await SimulatedAccount.start(devices: 20)
        defer { Task { await sim.stop() } }
        let crlf = sim.folder + "/crlf.txt"
        try Data("a\r\nb\r\nc\r\n".utf8).write(to: URL(fileURLWithPath: crlf))
        let bom = sim.folder + "/bom.csv"
        try Data([0xEF, 0xBB, 0xBF] + Array("imei,site\n350000000000018,north\n".utf8)).write(to: URL(fileURLWithPath: bom))
        var settings = sim.settings()
        settings.inputFiles = [crlf, bom]
        let (result, _) = try await sim.run("""
            local lines = files.lines("\(crlf)")
            print(#lines, lines[1], lines[3])
            local rows = files.csv("\(bom)")
            print(#rows[1][1], rows[1][1], rows[2][2])
            """, settings: settings)
        #expect(result.output == "3\ta\tc\n4\timei\tnorth\n", "\(result.outcome)")
    }

    @Test("files.lines keeps empty lines, a last line without a line end, a lone \\r and the file's bytes as they are")
    func linesAsBytes() async throws {
        let sim = try await SimulatedAccount.start(devices: 20)
        defer { Task { await sim.stop() } }
        let path = sim.folder + "/mixed.txt"
        try Data([0xEF, 0xBB, 0xBF] + Array("a\n\nb\rc\r\n".utf8) + [0xFF, 0x41] + Array("\nlast".utf8)).write(to: URL(fileURLWithPath: path))
        let empty = sim.folder + "/empty.txt"
        try Data().write(to: URL(fileURLWithPath: empty))
        let newline = sim.folder + "/newline.txt"
        try Data("\n".utf8).write(to: URL(fileURLWithPath: newline))
        var settings = sim.settings()
        settings.inputFiles = [path, empty, newline]
        let (result, _) = try await sim.run("""
            local lines = files.lines("\(path)")
            print(#lines, lines[1], lines[2] == "", lines[3] == "b\\rc", lines[4] == "\\255A", lines[5])
            print(#files.lines("\(empty)"), #files.lines("\(newline)"), files.lines("\(newline)")[1] == "")
            """, settings: settings)
        #expect(result.output == "5\ta\ttrue\ttrue\ttrue\tlast\n0\t1\ttrue\n", "\(result.outcome)")
    }

    @Test("files.writecsv writes a row with holes as empty fields")
    func csvHoles() async throws {
        let sim = try await SimulatedAccount.start(devices: 20)
        defer { Task { await sim.stop() } }
        var settings = sim.settings()
        settings.outputFolder = sim.folder + "/out"
        let (result, _) = try await sim.run("""
            print(files.writecsv("r.csv", {{"id", "status"}, {1, nil, 3}, {"a,b", 'say "hi"'}}))
            """, settings: settings)
        #expect(result.finished, "\(result.outcome)")
        let written = try String(contentsOfFile: sim.folder + "/out/r.csv", encoding: .utf8)
        #expect(written == "id,status\n1,,3\n\"a,b\",\"say \"\"hi\"\"\"\n")
    }

    @Test("a dry run reads for real: an unknown upgrade fails as the real call would, and nothing is sent")
    func dryRunUnknownUpgrade() async throws {
        let sim = try await SimulatedAccount.start(devices: 20)
        defer { Task { await sim.stop() } }
        let (result, runtime) = try await sim.run("""
            local ok, e = pcall(fota.append, "00000000-0000-4000-8000-000000000000", "350000000000018")
            print(ok, e.code)
            local ok2, e2 = pcall(fota.cancel, "00000000-0000-4000-8000-000000000000")
            print(ok2, e2.code)
            """, settings: sim.settings(.dryRun))
        #expect(result.output == "false\tINVALID_PARAMETER\nfalse\tINVALID_PARAMETER\n", "\(result.outcome)")
        #expect(try await sim.mutatingRequests() == 0)
        #expect(runtime.dryRunReport?.hasSuffix("\nNo changes.") == true)
    }

    @Test("a dry run refuses changes to an upgrade that has started, as ThingSpace would")
    func dryRunStartedUpgrade() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let campaign = try await sim.campaign(size: 2)
        let (scheduled, _) = try await sim.run(schedule(campaign, devices: [campaign.devices[0]]) + "\nprint(up.id)")
        let id = scheduled.output.trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try await sim.control(.POST, "/_sim/clock/advance", body: #"{"to": "2026-03-11"}"#)
        let (result, _) = try await sim.run("""
            local ok, e = pcall(fota.append, "\(id)", "\(campaign.devices[1])")
            print(ok, e.code)
            """, settings: sim.settings(.dryRun))
        #expect(result.output == "false\tNOT_CHANGEABLE\n", "\(result.outcome)")
    }
}
