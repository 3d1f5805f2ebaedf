import Foundation
import NIOCore
import Testing
@testable import ThingSpaceSimulator

/// The add/remove answer (A5) is written by hand; its bytes must stay what clients parse.
@Suite("Add/remove answer writer")
struct ChangeResultWriterTests {
    @Test func writesTheAnswerByteForByte() {
        let result = FirmwareUpgradeChangeResultJSON(accountName: "0000123456-00001", id: "6a1e2f9c-1b2d-4c3e-8f4a-5b6c7d8e9f00", deviceList: [
            .init(deviceId: "990000000000001", status: "AddDeviceSucceed", reason: "Device added Successfully"),
            .init(deviceId: "990000000000019", status: "AddDeviceFailed", reason: "Device already in upgrade"),
        ])
        let text = String(buffer: ChangeResultWriter.body(result))
        #expect(text == #"{"accountName":"0000123456-00001","id":"6a1e2f9c-1b2d-4c3e-8f4a-5b6c7d8e9f00","deviceList":["#
            + #"{"deviceId":"990000000000001","status":"AddDeviceSucceed","Reason":"Device added Successfully"},"#
            + #"{"deviceId":"990000000000019","status":"AddDeviceFailed","Reason":"Device already in upgrade"}]}"#)
        let empty = FirmwareUpgradeChangeResultJSON(accountName: "", id: "", deviceList: [])
        #expect(String(buffer: ChangeResultWriter.body(empty)) == #"{"accountName":"","id":"","deviceList":[]}"#)
    }

    /// Quotes, backslashes and control characters are escaped (lower-case `\u00xx`); other text,
    /// non-ASCII included, is written as its UTF-8; the result reads back as the strings it came from.
    @Test func escapesWhatJSONNeeds() throws {
        let odd = "a\"b\\c\u{01}\u{1F}\n\té€😀/\u{7F}"
        let long = String(repeating: "\"\\\u{00}x", count: 300)
        let result = FirmwareUpgradeChangeResultJSON(accountName: odd, id: long, deviceList: [.init(deviceId: odd, status: long, reason: "")])
        let bytes = Array(buffer: ChangeResultWriter.body(result))
        let text = String(decoding: bytes, as: UTF8.self)
        let escaped = #"a\"b\\c\u0001\u001f\u000a\u0009é€😀/\#u{7F}"#
        #expect(text.hasPrefix(#"{"accountName":"\#(escaped)","id":""#))
        #expect(text.contains(#"{"deviceId":"\#(escaped)","status":""#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["accountName"] as? String == odd)
        #expect(object["id"] as? String == long)
        let device = try #require((object["deviceList"] as? [[String: Any]])?.first)
        #expect(device["deviceId"] as? String == odd && device["status"] as? String == long && device["Reason"] as? String == "")
    }
}
