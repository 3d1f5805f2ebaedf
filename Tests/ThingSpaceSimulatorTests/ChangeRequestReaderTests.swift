import Foundation
import Testing
@testable import ThingSpaceSimulator

/// The single-pass reader of the add/remove body (A5) must never read a body differently from
/// JSONDecoder: it either declines or agrees, in both key modes.
@Suite("Add/remove body reader")
struct ChangeRequestReaderTests {
    /// What each path makes of `bytes`: the reader's value (nil = declined), and JSONDecoder's in
    /// lenient and strict key mode (nil = the `Input binding error`).
    private struct Readings {
        var fast: Reading?
        var lenient: Reading?
        var strict: Reading?
    }

    private struct Reading: Equatable {
        var type: String?
        var deviceList: [String]?
        init(_ body: FirmwareUpgradeChangeRequestJSON) { (type, deviceList) = (body.type, body.deviceList) }
    }

    private static func read(_ bytes: [UInt8]) -> Readings {
        let data = Data(bytes)
        let slow = { (strict: Bool) in
            (try? BodyDecoding.decodeWithFoundation(FirmwareUpgradeChangeRequestJSON.self, from: data, strictKeys: strict)).map(Reading.init)
        }
        let fast = bytes.withUnsafeBytes { FirmwareUpgradeChangeRequestJSON.fastRead($0) }.map(Reading.init)
        return Readings(fast: fast, lenient: slow(false), strict: slow(true))
    }

    /// Whatever the reader takes, JSONDecoder takes in both modes, with the same result.
    private static func agrees(_ readings: Readings) -> Bool {
        guard let fast = readings.fast else { return true }
        return readings.lenient == fast && readings.strict == fast
    }

    static let imeis = ["990000000000001", "990000000000019", "990000000000027", "990000000000035"]
    static let realistic = #"{"type":"append","deviceList":["\#(imeis.joined(separator: #"",""#))"]}"#

    @Test(arguments: [
        realistic,
        #"{"type":"remove","deviceList":["990000000000001"]}"#,
        #"{"deviceList":["990000000000001","x"],"type":"merge"}"#,
        " \t\r\n{ \"type\" :\n\"append\" ,\t\"deviceList\" : [ \"1\" , \"2\" ] }\n ",
        #"{"type":"append","deviceList":[]}"#, #"{"type":"append"}"#, #"{"deviceList":["1"]}"#, "{}", #"{"type":""}"#,
        #"{"type":"a b~!@#$%^&*()'/{}[]:,","deviceList":["","[","]",","]}"#,
    ])
    func readsTheClientShapeAsJSONDecoderDoes(_ json: String) throws {
        let readings = Self.read(Array(json.utf8))
        #expect(readings.fast != nil, "the reader takes the shape clients send")
        #expect(readings.fast == readings.lenient && readings.fast == readings.strict)
    }

    /// Bodies JSONDecoder reads (or refuses) in ways the reader does not try to copy: other key
    /// spellings, extra or repeated keys, escapes, non-ASCII, null, other types, anything after the object.
    @Test(arguments: [
        #"{"TYPE":"append","deviceList":["1"]}"#, #"{"type":"append","devicelist":["1"]}"#,
        #"{"type":"append","deviceList":["1"],"note":1}"#, #"{"type":"append","type":"remove","deviceList":["1"]}"#,
        #"{"type":"append","deviceList":["1"],"deviceList":["2"]}"#, #"{"type":"app\u0065nd","deviceList":["1"]}"#,
        #"{"type":"append","deviceList":["99000000000000\u0031"]}"#, #"{"type":"append","deviceList":["a\/b"]}"#,
        #"{"ty\u0070e":"append","deviceList":["1"]}"#, #"{"type":"appénd","deviceList":["1"]}"#,
        #"{"type":null,"deviceList":["1"]}"#, #"{"type":"append","deviceList":null}"#, #"{"type":"append","deviceList":[null]}"#,
        #"{"type":7,"deviceList":["1"]}"#, #"{"type":"append","deviceList":[1]}"#, #"{"type":"append","deviceList":"1"}"#,
        #"{"type":"append","deviceList":["1"]} x"#, #"{"type":"append","deviceList":["1"]}{}"#, #"{"type":"append","deviceList":["1"],}"#,
        #"{"type":"append","deviceList":["1",]}"#, #"{"type":"append","deviceList":["1"]"#, #"{"type":"append","deviceList":["1]}"#,
        "\u{FEFF}{\"type\":\"append\"}", "{\"type\":\"a\u{7F}\"}", "{\"type\":\"a\u{01}\"}", "{\"type\":\"a\u{0B}\"}",
        "{\u{0C}\"type\":\"append\"}", "[]", "null", "\"text\"", "", "{",
    ])
    func declinesWhatItDoesNotCopy(_ json: String) {
        let readings = Self.read(Array(json.utf8))
        #expect(readings.fast == nil)
    }

    @Test func declinesInvalidUTF8() {
        var bytes = Array(Self.realistic.utf8)
        bytes.insert(0xFF, at: 12)
        #expect(Self.read(bytes).fast == nil)
        #expect(Self.read(bytes).lenient == nil)
    }

    /// Thousands of bodies, built from the pieces a body is made of (keys in any order and spelling,
    /// whitespace, escapes, other types), each also damaged at random: whatever the reader takes,
    /// JSONDecoder takes too, with the same result in both key modes.
    @Test func variedAndDamagedBodiesNeverDiffer() {
        var random = SeededGenerator(seed: 0x5EED_F07A)
        func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &random)] }
        func space() -> String {
            Int.random(in: 0..<4, using: &random) == 0 ? pick([" ", "\n", "\t ", "\r\n", "\u{0B}", "\u{A0}"]) : ""
        }
        let strings = [#""append""#, #""remove""#, #""""#, #""990000000000001""#, #""99000000000000\u0031""#,
                       #""a\"b""#, #""x y""#, #""é""#, "null", "7", "true", "[]", "{}"]
        func value(_ key: String) -> String {
            guard key.lowercased() == "devicelist", Int.random(in: 0..<5, using: &random) > 0 else { return pick(strings) }
            let count = Int.random(in: 0..<6, using: &random)
            let items = (0..<count).map { _ in Int.random(in: 0..<8, using: &random) == 0 ? pick(strings) : #""\#(pick(Self.imeis))""# }
            return "[" + space() + items.map { $0 + space() }.joined(separator: "," + space()) + "]"
        }
        func body() -> String {
            var members = [#""type""#, #""deviceList""#].filter { _ in Int.random(in: 0..<8, using: &random) > 0 }
            if Int.random(in: 0..<6, using: &random) == 0 {
                members.append(pick([#""TYPE""#, #""devicelist""#, #""note""#, #""type""#, #""deviceList""#, #""ty\u0070e""#]))
            }
            members.shuffle(using: &random)
            let text = members.map { key in
                space() + key + space() + ":" + space() + value(String(key.dropFirst().dropLast())) + space()
            }.joined(separator: ",")
            return space() + "{" + text + "}" + space()
        }
        let replacements = Array(#"{}[]",:\ 0159aeu"#.utf8) + [0x00, 0x0A, 0x7F, 0x80, 0xC3, 0xA9, 0xFF]
        var taken = 0
        var takenDamaged = 0
        for round in 0..<6_000 {
            var bytes = Array((round % 3 == 0 ? Self.realistic : body()).utf8)
            let damaged = round % 2 == 1 && !bytes.isEmpty
            if damaged {
                for _ in 0..<Int.random(in: 1...2, using: &random) where !bytes.isEmpty {
                    let at = Int.random(in: 0..<bytes.count, using: &random)
                    switch Int.random(in: 0..<3, using: &random) {
                    case 0: bytes[at] = pick(replacements)
                    case 1: bytes.remove(at: at)
                    default: bytes.insert(pick(replacements), at: at)
                    }
                }
            }
            let readings = Self.read(bytes)
            if readings.fast != nil {
                taken += 1
                if damaged { takenDamaged += 1 }
            }
            #expect(Self.agrees(readings), "\(String(decoding: bytes, as: UTF8.self))")
        }
        // The test only proves something if the reader takes many of the bodies, damaged ones too.
        #expect(taken > 1_000)
        #expect(takenDamaged > 200)
    }

    /// A body the reader declines takes JSONDecoder's path and gets the same answers, byte for byte,
    /// and leaves the same events, as the plain body the reader takes: two simulators with the
    /// same seed, one sent plain bodies and one sent declined equivalents.
    @Test func declinedBodiesGetTheAnswersOfPlainOnes() async throws {
        func steps(_ devices: [String]) -> [(plain: String, declined: String)] {
            let (a, b, c) = (devices[0], devices[1], devices[2])
            let escaped = { (imei: String) in String(imei.dropLast()) + "\\u003" + String(imei.last!) }
            return [
                (#"{"type":"append","deviceList":["\#(a)","\#(b)","\#(a)"]}"#,
                 #"{"type":"app\u0065nd","deviceList":["\#(escaped(a))","\#(b)","\#(a)"]}"#),
                (#"{"type":"append","deviceList":["\#(b)","\#(c)"]}"#,
                 #"{"note":"x","deviceList":["\#(b)","\#(c)"],"type":"append"}"#),
                (#"{"type":"remove","deviceList":["\#(a)","990000000000001"]}"#,
                 #"{"TYPE":"remove","devicelist":["\#(a)","990000000000001"]}"#),
                (#"{"type":"remove","deviceList":["x"]}"#, #"{"type":"remove","deviceList":["\u0078"]}"#),
                (#"{"type":"merge","deviceList":["\#(a)"]}"#, #"{"type":"merge","deviceList":["\#(a)"],"extra":[1,{}]}"#),
                (#"{"type":"remove","deviceList":[]}"#, #"{"type":"remove","deviceList":[],"x":null}"#),
            ]
        }
        func canonical(_ body: Data) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: body), options: .sortedKeys), as: UTF8.self)
        }
        func run(declined: Bool) async throws -> [String] {
            var transcript: [String] = []
            try await Sim.with { sim in
                let auth = try await sim.authenticate()
                let group = try #require(try await sim.schedulable(auth).first)
                try #require(group.devices.count >= 4)
                let reply = try await sim.schedule(auth, image: group.image, devices: [group.devices[3]])
                let id = try #require(try reply.object["id"] as? String)
                for step in steps(group.devices) {
                    let body = declined ? step.declined : step.plain
                    let fast = Array(body.utf8).withUnsafeBytes { FirmwareUpgradeChangeRequestJSON.fastRead($0) }
                    #expect((fast == nil) == declined, "\(body)")
                    let answer = try await sim.fota(.PUT, "/upgrades/\(sim.account)/upgrade/\(id)", auth, json: body)
                    // Change results are written by hand (deterministic bytes); errors go through
                    // JSONEncoder, whose key order varies, so those compare as JSON values.
                    transcript.append("\(answer.status) " + (answer.status == 200 ? String(decoding: answer.body, as: UTF8.self) : try canonical(answer.body)))
                }
                transcript.append(try canonical(try await sim.control(.GET, "/events?since=0").body))
            }
            return transcript
        }
        let plain = try await run(declined: false)
        let declined = try await run(declined: true)
        #expect(plain == declined)
        #expect(plain.count == 7)
        #expect(plain[0].hasPrefix("200 ") && plain[0].contains("AddDeviceSucceed"))
        #expect(plain[2].contains("RemoveDeviceSucceed") && plain[2].contains("RemoveDeviceFailed"))
        #expect(plain[3].contains("Invalid device id format") && plain[5].contains("Device list is empty"))
    }
}
