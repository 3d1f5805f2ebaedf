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
