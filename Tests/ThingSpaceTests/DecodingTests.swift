import Foundation
import Testing
@testable import ThingSpace

@Suite struct DecodingTests {
    func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(json.utf8))
    }

    @Test func upgradeListAcceptsHasMoreDataSpellingAndStringCursor() throws {
        let page = try decode(UpgradeListPage.self, #"{"hasMoreData":true,"lastSeenUpgradeId":"42","reportList":[]}"#)
        #expect(page.hasMoreFlag && page.lastSeenUpgradeId == "42")
    }

    @Test func imeiSizedNumericCursorIsKeptExactly() throws {
        let page = try decode(DeviceListPage.self, #"{"hasMoreData":true,"lastSeenDeviceId":990000862471854,"deviceList":[]}"#)
        #expect(page.lastSeenDeviceId == "990000862471854")
    }

    @Test func missingOptionalFieldsDecode() throws {
        let upgrade = try decode(FirmwareUpgrade.self, #"{"id":"x"}"#)
        #expect(upgrade.deviceList.isEmpty && upgrade.status == nil && upgrade.endDate == nil)
        let page = try decode(DeviceListPage.self, "{}")
        #expect(!page.hasMoreData && page.lastSeenDeviceId == "0" && page.deviceList.isEmpty)
    }

    @Test func numericDeviceIdsBecomeStrings() throws {
        let device = try decode(AccountDevice.self, #"{"deviceId":990000862471854,"fotaEligible":"true"}"#)
        #expect(device.deviceId == "990000862471854" && device.fotaEligible == true)
    }

    @Test func reasonCasingPerResource() throws {
        let change = try decode(DeviceChangeResponse.self, #"{"deviceList":[{"deviceId":"1","status":"AddDeviceSucceed","Reason":"R"}]}"#)
        #expect(change.deviceList[0].reason == "R")
        let detail = try decode(UpgradeDevice.self, #"{"deviceId":"1","status":"Device Rejected","resultReason":"Device not found."}"#)
        #expect(detail.resultReason == "Device not found.")
        let history = try decode(DeviceUpgradeHistory.self, #"{"deviceId":"1","status":"UpgradeFailed","reason":"timeout"}"#)
        #expect(history.reason == "timeout")
    }

    @Test func unknownStatusDecodesAsOpenString() throws {
        let upgrade = try decode(FirmwareUpgrade.self, #"{"id":"x","status":"Cancelled"}"#)
        #expect(upgrade.status?.rawValue == "Cancelled" && upgrade.status?.isKnown == false)
    }

    @Test func gatewayXMLFaultIsRecognised() {
        let response = TransportResponse(status: 403, headers: [:], body: ByteBufferForTest.make("<am:fault xmlns:am=\"x\"><am:code>404</am:code><am:message>Not Found</am:message></am:fault>"), attempts: 1)
        let error = ErrorBody.error(for: response, method: "GET", path: "/p", redactor: SecretRedactor())
        guard case .gatewayAuth(let fault) = error else { Issue.record("got \(error)"); return }
        #expect(fault.code == "404" && fault.message == "Not Found" && fault.httpStatus == 403)
    }
}

import NIOCore
enum ByteBufferForTest {
    static func make(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
}

@Suite struct ChangeResponseParserTests {
    func both(_ json: String) throws -> (fast: DeviceChangeResponse?, slow: DeviceChangeResponse) {
        let bytes = Array(json.utf8)
        let fast = bytes.withUnsafeBytes { ChangeResponseParser.parse($0) }
        let slow = try JSONDecoder().decode(DeviceChangeResponse.self, from: Data(bytes))
        return (fast, slow)
    }

    func summary(_ response: DeviceChangeResponse?) -> [String] {
        guard let response else { return ["nil"] }
        return [response.accountName ?? "-", response.id ?? "-"] + response.deviceList.map { "\($0.deviceId)|\($0.status ?? "-")|\($0.reason ?? "-")" }
    }

    @Test(arguments: [
        #"{"accountName":"0242078689-00001","id":"u","deviceList":[{"deviceId":"990000862471854","status":"AddDeviceSucceed","Reason":"Device added Successfully"},{"deviceId":"990000862471862","status":"AddDeviceFailed","Reason":"Device already in upgrade"}]}"#,
        #" { "deviceList" : [ { "deviceId" : 990000862471854 , "status" : "RemoveDeviceSucceed" , "reason" : "ok\n\"quoted\" \u00e9\ud83d\ude00" , "extra" : {"a":[1,2.5e3,true,null]} } ] , "other" : null } "#,
        #"{"devicelist":[{"deviceId":"1","status":"s","resultReason":"r"}]}"#,
        #"{"deviceList":null,"id":"x"}"#,
        #"{}"#,
    ])
    func fastParserAgreesWithDecodable(_ json: String) throws {
        let (fast, slow) = try both(json)
        #expect(fast != nil)
        #expect(summary(fast) == summary(slow))
    }

    @Test(arguments: [#"{"deviceList":[{"deviceId":true}]}"#, #"{"deviceList":[{"deviceId":"1"]}"#, "[]", #"{"deviceList":[]} x"#])
    func fastParserDeclinesWhatItDoesNotUnderstand(_ json: String) {
        let bytes = Array(json.utf8)
        #expect(bytes.withUnsafeBytes { ChangeResponseParser.parse($0) } == nil)
    }
}

@Suite struct DeviceListPageReaderTests {
    /// The one-pass reader's page, and JSONDecoder's (nil when it throws).
    func both(_ json: String) -> (fast: DeviceListPage?, slow: DeviceListPage?) {
        let bytes = Array(json.utf8)
        return both(bytes)
    }

    func both(_ bytes: [UInt8]) -> (fast: DeviceListPage?, slow: DeviceListPage?) {
        let fast = bytes.withUnsafeBytes { DeviceListPage.read($0) }
        let slow = try? JSONDecoder().decode(DeviceListPage.self, from: Data(bytes))
        return (fast, slow)
    }

    static let realistic = #"""
        {"accountName":"0242078689-00001","hasMoreData":true,"lastSeenDeviceId":13900000000017,"deviceList":[
        {"deviceId":"013900000000009","mdn":"4255550100","model":"RV55","make":"Sierra Wireless","firmware":"RV55_2.0.1","fotaEligible":true,"licenseAssigned":false,"upgradeTime":"01/01/1900 0:0:0"},
        {"deviceId":"013900000000017","mdn":"4255550101","model":"RV55","make":"Sierra Wireless","firmware":"RV55_2.0.1","fotaEligible":false,"licenseAssigned":true,"upgradeTime":"01/01/1900 0:0:0","extra":{"a":[1,2.5e3,true,null,{"b":"c"}]}}
        ]}
        """#

    @Test(arguments: [
        realistic,
        #"{"hasMoreFlag":"TRUE","lastSeenDeviceId":"0","devicelist":[{"deviceId":990000862471854,"fotaEligible":"false","mdn":null}]}"#,
        #"{"hasMoreData":null,"hasMoreFlag":true,"deviceList":null,"devicelist":[{"deviceId":"1"}]}"#,
        #"{"hasMoreData":"maybe","hasMoreFlag":false,"deviceList":[{"make":"Qu\u00e9bec \"Co\"","model":true,"firmware":-12,"licenseAssigned":"yes"}]}"#,
        #"{"deviceList":[{"deviceId":"é","mdn":"x"},{}],"devicelist":[{"deviceId":"2"}]}"#,
        #" { } "#,
        #"{"deviceList":[]}"#,
    ])
    func readerAgreesWithDecodable(_ json: String) throws {
        let (fast, slow) = both(json)
        #expect(fast != nil, "the reader should take this page")
        #expect(fast == slow)
    }

    @Test(arguments: [
        #"{"deviceList":[{"deviceId":"1","deviceId":"2"}]}"#,  // a duplicated key: which one wins is JSONDecoder's call
        #"{"hasMoreData":true,"hasMoreData":false}"#,
        #"{"deviceList":[{"mdn":4.5}]}"#,  // a fraction read as text
        #"{"deviceList":[{"mdn":-0}]}"#,
        #"{"deviceList":[{"mdn":1234567890123456789012}]}"#,
        #"{"deviceList":[{"fotaEligible":1}]}"#,
        #"{"deviceList":[{"mdn":{"a":1}}]}"#,
    ])
    func readerLeavesUnusualPagesToDecodable(_ json: String) {
        let (fast, _) = both(json)
        #expect(fast == nil)
    }

    @Test(arguments: [
        #"{"deviceList":[{"deviceId":"1"}]} x"#, #"{"deviceList":[{"deviceId":"1"]}"#, "[]", #"{"deviceList":[null]}"#,
        String(repeating: "[", count: 100_000),
        #"{"x":"# + String(repeating: "[", count: 100_000),
    ])
    func readerNeverTakesWhatDecodableRefuses(_ json: String) {
        let (fast, slow) = both(json)
        #expect(slow == nil, "not JSON, or not a page")
        #expect(fast == nil)
    }

    /// JSONDecoder does not check a value it never reads (and the lenient readers swallow a bad
    /// one): these pass it. The reader declines them all, so what they make stays its decision.
    @Test(arguments: [
        #"{"deviceList":[{"x":01}]}"#, #"{"deviceList":[{"x":1.}]}"#, #"{"deviceList":[{"x":1e}]}"#, #"{"deviceList":[{"x":--1}]}"#,
        #"{"deviceList":[{"deviceId":"a\qb"}]}"#, #"{"deviceList":[{"deviceId":"\ud800"}]}"#, "{\"deviceList\":[{\"deviceId\":\"a\u{01}\"}]}",
    ])
    func readerDeclinesMalformedValues(_ json: String) {
        #expect(both(json).fast == nil)
    }

    @Test func invalidUTF8IsLeftToDecodable() {
        var bytes = Array(#"{"deviceList":[{"deviceId":"ab"}]}"#.utf8)
        bytes.insert(0xFF, at: bytes.count - 5)
        #expect(both(bytes).fast == nil)
    }

    /// Thousands of pages with one byte changed: whatever the reader takes, JSONDecoder takes too,
    /// with the same result (the reader only ever declines where it differs).
    @Test func mutatedPagesNeverDiffer() {
        let original = Array(Self.realistic.utf8)
        let replacements = Array(#"{}[]",:\ 0159.-eE+tfnul"#.utf8) + [0x00, 0x80, 0xC3, 0xA9]
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        var taken = 0
        for _ in 0..<3_000 {
            var bytes = original
            for _ in 0..<(1 + next(2)) {
                let at = next(bytes.count)
                switch next(3) {
                case 0: bytes[at] = replacements[next(replacements.count)]
                case 1: bytes.remove(at: at)
                default: bytes.insert(replacements[next(replacements.count)], at: at)
                }
            }
            let (fast, slow) = both(bytes)
            if let fast {
                taken += 1
                #expect(slow == fast, "\(String(decoding: bytes, as: UTF8.self))")
            }
        }
        #expect(taken > 100, "most single-byte changes inside strings still read")
    }
}
