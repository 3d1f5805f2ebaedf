import Foundation
@testable import FotaLua
import LuaHost
import Testing

/// Runs `source` as a script with only `json` installed, under `limits`.
func runWithJSON(_ source: String, limits: LuaLimits) throws -> ScriptOutcome {
    let path = NSTemporaryDirectory() + "fota-json-\(UUID().uuidString).lua"
    try Data(source.utf8).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    var run = ScriptRun(scriptPath: path, limits: limits, timeoutSeconds: 60)
    run.prepare = { state in
        try state.setGlobal("json", .map([
            "encode": state.register(UtilityModules.jsonEncode, name: "json.encode"),
            "decode": state.register(UtilityModules.jsonDecode, name: "json.decode"),
        ]))
    }
    return ScriptRunner.run(run)
}

@Suite("json")
struct JSONTests {
    @Test("integers stay integers and floats stay floats")
    func numbers() throws {
        #expect(try JSONText.encode(.array([.integer(9_007_199_254_740_993), .number(1.5), .number(2.0)])) == "[9007199254740993,1.5,2.0]")
        #expect(try JSONText.decode(Array("[9007199254740993, 2.0, -0.5e1]".utf8)) == .array([.integer(9_007_199_254_740_993), .number(2.0), .number(-5.0)]))
    }

    @Test("keys are sorted so output is stable")
    func sortedKeys() throws {
        #expect(try JSONText.encode(.map(["b": .integer(1), "a": .boolean(true)])) == #"{"a":true,"b":1}"#)
    }

    @Test("strings escape quotes and control characters and decode \\u escapes with surrogates")
    func strings() throws {
        #expect(try JSONText.encode(.string("a\"b\\c\n\u{1B}")) == #""a\"b\\c\n\u001b""#)
        #expect(try JSONText.decode(Array(#""\ud83d\ude00 \u00e9""#.utf8)) == .string("😀 é"))
    }

    @Test("strings at the edges of plain ASCII: space and ~ are copied, 0x1F and DEL escaped, non-ASCII kept, invalid UTF-8 replaced")
    func stringEdges() throws {
        #expect(try JSONText.encode(.string("356938035643809")) == #""356938035643809""#)
        #expect(try JSONText.encode(.string(" ~")) == #"" ~""#)
        #expect(try JSONText.encode(.string("a\u{1F}b\u{7F}")) == #""a\u001fb\u007f""#)
        #expect(try JSONText.encode(.string("délai")) == "\"délai\"")
        let invalid = [UInt8(ascii: "a"), 0xFF, UInt8(ascii: "b")].withUnsafeBytes { LuaString(bytes: $0) }
        #expect(try JSONText.encode(.string(invalid)) == "\"a\u{FFFD}b\"")
    }

    @Test("null in an object drops the key; in an array it keeps positions")
    func nulls() throws {
        #expect(try JSONText.decode(Array(#"{"a":null,"b":1}"#.utf8)) == .map(["b": .integer(1)]))
        #expect(try JSONText.decode(Array("[1,null,3]".utf8)) == .map([.integer(1): .integer(1), .integer(3): .integer(3)]))
    }

    @Test("bad JSON names the byte where it went wrong")
    func badJSON() {
        #expect(throws: JSONText.DecodeError.self) { try JSONText.decode(Array(#"{"a":}"#.utf8)) }
        do {
            _ = try JSONText.decode(Array("[1, 2".utf8))
            Issue.record("decoding must fail")
        } catch {
            #expect(error.description.contains("byte 6"))
        }
    }

    @Test("NaN, functions and boolean keys cannot be encoded")
    func unencodable() {
        #expect(throws: JSONText.EncodeError.self) { try JSONText.encode(.number(.nan)) }
        #expect(throws: JSONText.EncodeError.self) { try JSONText.encode(.hostFunction(1)) }
        #expect(throws: JSONText.EncodeError.self) { try JSONText.encode(.map([.boolean(true): .integer(1)])) }
    }

    @Test("attack: json.encode of a table shared 2^30 times hits the memory limit instead of writing gigabytes")
    func encodeSharedReferences() throws {
        let outcome = try runWithJSON("""
            local t = {'leaf'}
            for i = 1, 30 do t = {t, t} end
            return json.encode(t)
            """, limits: LuaLimits(memoryBytes: 16 << 20))
        guard case .limitExceeded(.memory(let bytes)) = outcome else { Issue.record("\(outcome)"); return }
        #expect(bytes == 16 << 20)
    }

    @Test("attack: json.decode of text whose values outgrow the memory limit fails with it; with room it decodes")
    func decodeCharged() throws {
        let script = """
            local parts = {}
            for i = 1, 100000 do parts[i] = '{"id":"device-' .. i .. '","tags":["a","b"],"n":' .. i .. '}' end
            local text = '[' .. table.concat(parts, ',') .. ']'
            parts = nil
            local v = json.decode(text)
            return #v, v[100000].id
            """
        let small = try runWithJSON(script, limits: LuaLimits(memoryBytes: 32 << 20))
        guard case .limitExceeded(.memory) = small else { Issue.record("\(small)"); return }
        let roomy = try runWithJSON(script, limits: LuaLimits(memoryBytes: 512 << 20))
        guard case .finished(let values) = roomy else { Issue.record("\(roomy)"); return }
        #expect(values == [.integer(100000), .string("device-100000")])
    }

    @Test("attack: json.encode of a 44-entry table whose border is 2^40 writes its 44 entries")
    func encodeHugeBorder() throws {
        let outcome = try runWithJSON("""
            local parts = {}
            for i = 0, 40 do parts[#parts + 1] = '[' .. (1 << i) .. ']=true' end
            local t = load('return {a=1,b=2,c=3,' .. table.concat(parts, ',') .. '}')()
            assert(#t >= 1 << 40)
            local n = 0
            for _ in pairs(json.decode(json.encode(t))) do n = n + 1 end
            return n
            """, limits: LuaLimits())
        guard case .finished(let values) = outcome else { Issue.record("\(outcome)"); return }
        #expect(values == [.integer(44)])
    }
}
