@testable import FotaLua
import LuaHost
import Testing

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
}
