import Foundation
@testable import FotaLua
import LuaHost
import Testing

/// Attacks on the operator's terminal: ESC and U+009B (a one-character CSI)
/// through every writer fota has, all escaped by TerminalText's one rule.
@Suite("terminal escaping")
struct TerminalEscapeTests {
    /// The rule as the docs state it, written out independently of the code:
    /// C0 controls but tab and newline, DEL, and C1 (U+0080–U+009F as UTF-8,
    /// or a byte 0x80–0x9F on its own) become `\ddd` for each of their bytes.
    static func expected(_ bytes: [UInt8]) -> [UInt8] {
        func escaped(_ part: [UInt8]) -> [UInt8] { part.flatMap { Array(String(format: "\\%03d", $0).utf8) } }
        if bytes.count == 2, bytes[0] == 0xC2, (0x80...0x9F).contains(bytes[1]) { return escaped(bytes) }
        return bytes.flatMap { byte -> [UInt8] in
            let control = (byte < 0x20 && byte != 0x09 && byte != 0x0A) || byte == 0x7F || (0x80...0x9F).contains(byte)
            return control ? escaped([byte]) : [byte]
        }
    }

    static func escape(_ bytes: [UInt8], singleLine: Bool = false) -> [UInt8] {
        bytes.withUnsafeBytes { TerminalText.escape(bytes: $0, singleLine: singleLine) }
    }

    /// What `print` wrote for `source`, as bytes.
    static func printed(_ source: String) async throws -> [UInt8] {
        let path = NSTemporaryDirectory() + "fota-escape-\(UUID().uuidString).lua"
        try Data(source.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = OutputCollector()
        var run = ScriptRun(scriptPath: path)
        run.output = { output.append($0) }
        let script = run
        let outcome = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: ScriptRunner.run(script)) }.start()
        }
        guard case .finished = outcome else { throw TestFailure("script did not finish: \(outcome)") }
        return output.bytes
    }

    @Test("print (C) and TerminalText.escape (Swift) agree with the rule on every byte 0…255 and on U+0080…U+00A0 in UTF-8")
    func printAndSwiftAgreeOnEveryByte() async throws {
        let units: [[UInt8]] = (0...255).map { [UInt8($0)] } + (0x80...0xA0).map { Array(String(UnicodeScalar($0)!).utf8) }
        let output = try await Self.printed("""
            for i = 0, 255 do print(string.char(i)) end
            for cp = 0x80, 0xA0 do print(utf8.char(cp)) end
            """)
        #expect(output == units.flatMap { Self.expected($0) + [0x0A] })
        for unit in units {
            #expect(Self.escape(unit) == Self.expected(unit), "unit \(unit)")
        }
        #expect(String(decoding: Self.escape([0xC2, 0x9B]), as: UTF8.self) == "\\194\\155")
        #expect(Self.escape([0x1B]) == Array("\\027".utf8))
    }

    @Test("a C1 byte inside a valid character is kept; outside one (invalid or overlong UTF-8) it is escaped")
    func c1BytesInAndOutOfCharacters() async throws {
        let cases: [([UInt8], String)] = [
            ([0xE2, 0x80, 0x9B], "\u{201B}"),                 // ‛ has 0x80 and 0x9B as continuation bytes
            ([0xE0, 0x9B], "\u{FFFD}\\155"),                  // E0 needs A0…BF next: not a character
            ([0xC1, 0x9B], "\u{FFFD}\\155"),                  // overlong form of U+005B
            ([0xE9, 0x9B, 0x41], "\u{FFFD}\\155A"),           // Latin-1 é then a lone CSI byte
        ]
        for (bytes, shown) in cases {
            #expect(String(decoding: Self.escape(bytes), as: UTF8.self) == shown, "\(bytes)")
        }
        let output = try await Self.printed(#"print("\xE2\x80\x9B|\xE0\x9B|\xC1\x9B")"#)
        #expect(output == [0xE2, 0x80, 0x9B] + Array("|".utf8) + [0xE0] + Array("\\155|".utf8) + [0xC1] + Array("\\155\n".utf8))
    }

    @Test("attack: log.* lets ESC and U+009B through although the docs say it escapes like print")
    func logEscapesC1() {
        let line = UtilityModules.line("warn", "a\u{1B}[2Jb\u{9B}31mc\nd\te")
        #expect(line == "[warn] a\\027[2Jb\\194\\15531mc\\010d\te\n")
    }

    @Test("attack: a firmware name with ESC or U+009B reaches the terminal raw in the dry-run plan")
    func planEscapesFirmwareNames() {
        var schedule = PlanStep(call: "schedule", account: "0000000001-00001")
        (schedule.firmwareName, schedule.firmwareTo) = ("\u{1B}]0;owned\u{07}", "\u{9B}2J\n  no changes")
        (schedule.startDate, schedule.endDate, schedule.endDateDefaulted) = ("2026-03-10", "2026-03-24", true)
        (schedule.devices, schedule.placeholderId) = (["350000000000018", "350000000000026"], "p")
        var append = PlanStep(call: "append", account: "a\u{1B}[8m")
        (append.upgradeId, append.devices) = ("u\u{9B}1m", ["350000000000018"])
        append.rejected = [.init(deviceId: "350000000000018", reason: "bad\u{1B}[2J\nreason")]
        var cancel = PlanStep(call: "cancel", account: "a")
        cancel.upgradeId = "\u{1B}c"
        let text = DryRunPlan.render([schedule, append, cancel])
        #expect(text.contains("1 × bad\\027[2J\\010reason 350000000000018"), "\(text)")
        #expect(text.contains("schedule \\027]0;owned\\007 → \\194\\1552J\\010  no changes from 2026-03-10 until 2026-03-24"), "\(text)")
        #expect(text.contains("upgrade u\\194\\1551m (account a\\027[8m)"), "\(text)")
        #expect(text.contains("cancel upgrade \\027c"), "\(text)")
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || (0x80...0x9F).contains($0.value) })
        #expect(!text.contains("\n  no changes"))
    }

    @Test("attack: a progress label with ESC or U+009B is escaped; only the bar's own redraw control remains")
    func progressLabelEscaped() {
        let line = ProgressBar.render(label: "fota.append\u{1B}[31m\u{9B}2J", done: 1, total: 2, elapsed: .seconds(1))
        #expect(line.hasPrefix("fota.append\\027[31m\\194\\1552J ["), "\(line)")
        #expect(!line.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
    }

    @Test("attack: an error message or traceback with U+009B is escaped as print escapes it")
    func errorEscapesC1() {
        let error = LuaScriptError(message: "x\u{1B}[2J\u{9B}31m", location: "s.lua:1")
        #expect(error.description == "s.lua:1: x\\027[2J\\194\\15531m")
    }
}
