import Foundation
@testable import FotaLua
import LuaHost
import Testing

@Suite("json.null, json.object and json.array")
struct JSONMarkerTests {
    @Test("json.null writes null, json.object() writes {} and json.array() writes [], empty or not")
    func encodes() throws {
        let (outcome, output) = try runWithFota("""
            print(json.encode({a = json.null, list = {1, json.null, 3}}))
            print(json.encode(json.object()), json.encode({}), json.encode(json.array()))
            print(json.encode({filters = json.object(), tags = json.array({"x", "y"})}))
            local t = {}
            print(json.object(t) == t, json.encode(json.object({b = 1})))
            print(pcall(json.encode, json.array({1, x = 2})))
            print(pcall(json.null))
            print(pcall(json.object, 5))
            """)
        guard case .finished = outcome else { Issue.record("\(outcome)"); return }
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines[0] == #"{"a":null,"list":[1,null,3]}"#)
        #expect(lines[1] == "{}\t[]\t[]")
        #expect(lines[2] == #"{"filters":{},"tags":["x","y"]}"#)
        #expect(lines[3] == "true\t" + #"{"b":1}"#)
        #expect(lines[4].hasPrefix("false") && lines[4].contains("bad argument #1 to 'json.encode' (a table marked json.array has the key 'x'"))
        #expect(lines[5].hasPrefix("false") && lines[5].contains("json.null is a marker for json.encode, not a function to call"))
        #expect(lines[6].hasPrefix("false") && lines[6].contains("bad argument #1 to 'json.object' (table or nothing expected, got number)"))
    }

    @Test("decoding: null in an array is json.null (positions and # stay), in an object the key is absent, {} round-trips")
    func decodes() throws {
        let (outcome, output) = try runWithFota("""
            local v = json.decode('{"a": null, "list": [1, null, 3], "empty": {}, "none": []}')
            print(v.a, #v.list, v.list[2] == json.null, v.list[3])
            print(json.encode(v))
            print(json.decode("null"))
            """)
        guard case .finished = outcome else { Issue.record("\(outcome)"); return }
        #expect(output == "nil\t3\ttrue\t3\n" + #"{"empty":{},"list":[1,null,3],"none":[]}"# + "\nnil\n")
    }

    @Test("S35 attack: a __json field from data (decoded JSON, a script's string) is a plain key; only the markers' own functions mark a table")
    func forgedMarks() throws {
        let (outcome, output) = try runWithFota("""
            print(json.encode(json.decode('{"__json": "array", "a": 1}')))
            print(json.encode({__json = "object"}))
            print(pcall(json.encode, {__json = print}))
            """)
        guard case .finished = outcome else { Issue.record("\(outcome)"); return }
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(output)")
        #expect(lines.first == #"{"__json":"array","a":1}"#)
        // A string mark is data; another function under __json is refused like any function.
        #expect(lines.dropFirst().first == #"{"__json":"object"}"#, "\(output)")
        #expect(lines.last?.hasPrefix("false") == true && lines.last?.contains("function") == true, "\(output)")
    }

    @Test("another function in a value is still refused")
    func functionsRefused() throws {
        let (outcome, output) = try runWithFota("""
            print(pcall(json.encode, {f = fota.now}))
            print(pcall(json.encode, {f = print}))
            """)
        guard case .finished = outcome else { Issue.record("\(outcome)"); return }
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines[0].contains("a function cannot be written as JSON"))
        #expect(lines[1].contains(".f: a function cannot be passed to the host"))
    }
}
