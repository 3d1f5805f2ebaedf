import Foundation
import Testing

/// ESC and U+009B (a one-character CSI) from a script, through each thing
/// `fota run` writes to the terminal: print, log, errors and the dry-run plan.
@Suite("fota run escapes terminal controls")
struct TerminalEscapeCLITests {
    /// No ESC, no C1 control (as UTF-8) and no other C0 control but tab and newline.
    static func isInert(_ text: String) -> Bool {
        !text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\t" && $0 != "\n") || (0x7F...0x9F).contains($0.value) }
    }

    @Test("attack: ESC and U+009B through print, log.info and an error are all escaped")
    func printLogAndErrorEscaped() throws {
        let result = try fotaRun("""
            local csi = utf8.char(0x9b)
            print("p\\27[2J" .. csi .. "31m")
            log.info("l\\27]0;title\\7", csi .. "2J")
            error("e\\27[8m" .. csi .. "8m", 0)
            """, name: "esc.lua")
        #expect(result.status == 1)
        #expect(result.stdout == "p\\027[2J\\194\\15531m\n")
        #expect(result.stderr == "[info] l\\027]0;title\\007 \\194\\1552J\nfota: esc.lua:4: e\\027[8m\\194\\1558m\n")
        #expect(Self.isInert(result.stdout) && Self.isInert(result.stderr))
    }

    @Test("attack: firmwareName and firmwareTo with ESC and U+009B in a dry-run schedule are escaped in the plan")
    func dryRunPlanEscaped() throws {
        let result = try fotaRun("""
            local devices = {}
            for d in fota.devices() do
              devices[#devices + 1] = d.deviceId
              if #devices == 2 then break end
            end
            fota.schedule{firmwareName = "fw\\27]0;owned\\7", firmwareTo = utf8.char(0x9b) .. "2J\\n  no changes",
              startDate = "2030-01-01", devices = devices}
            """, name: "plan.lua", options: ["--simulate", "--dry-run", "--journal", "journal.jsonl"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("schedule fw\\027]0;owned\\007 → \\194\\1552J\\010  no changes from 2030-01-01 until 2030-01-15"), "\(result.stderr)")
        #expect(Self.isInert(result.stderr))
    }
}
