import Testing
@testable import ThingSpace

/// The one reader of JSON string escapes, shared by the hand-written JSON readers.
@Suite struct JSONStringEscapeTests {
    /// Decodes the single escape that is the whole of `text` (a backslash and what follows).
    func decode(_ text: String) throws(JSONStringEscape.Failure) -> String {
        let bytes = Array(text.utf8)
        var index = 1
        var out: [UInt8] = []
        try JSONStringEscape.decode(bytes, at: &index, into: &out)
        #expect(index == bytes.count, "the whole escape is read, nothing more")
        return String(decoding: out, as: UTF8.self)
    }

    func failure(_ text: String) -> JSONStringEscape.Failure? {
        do {
            _ = try decode(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func everyEscapeDecodes() throws {
        let cases: [(String, String)] = [
            (#"\""#, "\""), (#"\\"#, "\\"), (#"\/"#, "/"), (#"\b"#, "\u{8}"), (#"\f"#, "\u{C}"), (#"\n"#, "\n"),
            (#"\r"#, "\r"), (#"\t"#, "\t"), (#"\u00e9"#, "é"), (#"\u00E9"#, "é"), (#"\ud83d\ude00"#, "😀"), (#"\u0000"#, "\u{0}"),
        ]
        for (escape, expected) in cases { #expect(try decode(escape) == expected, "\(escape)") }
    }

    @Test func malformedEscapesSayWhereAndWhy() {
        #expect(failure(#"\"#) == .init(offset: 1, reason: "unfinished escape"))
        #expect(failure(#"\x"#) == .init(offset: 2, reason: "bad escape"))
        #expect(failure(#"\u12"#) == .init(offset: 2, reason: #"short \u escape"#))
        #expect(failure(#"\u12G4"#) == .init(offset: 5, reason: #"bad hex digit in \u escape"#))
        #expect(failure(#"\ud83d"#) == .init(offset: 6, reason: #"bad \u escape"#), "a lone high surrogate")
        #expect(failure(#"\ude00"#) == .init(offset: 6, reason: #"bad \u escape"#), "a lone low surrogate")
        #expect(failure(#"\ud83d\u0041"#) == .init(offset: 12, reason: "bad surrogate pair"))
    }

    @Test func changeParserDeclinesAMalformedEscape() {
        for json in [#"{"id":"a\xb"}"#, #"{"id":"\ud83d"}"#] {
            #expect(Array(json.utf8).withUnsafeBytes { ChangeResponseParser.parse($0) } == nil)
        }
    }
}
