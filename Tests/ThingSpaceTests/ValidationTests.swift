import Testing
@testable import ThingSpace

@Suite struct ValidationTests {
    func validationError(_ body: () throws -> Void) -> ValidationError? {
        do {
            try body()
            return nil
        } catch let error as ThingSpaceError {
            if case .validation(let invalid) = error { return invalid }
            return nil
        } catch {
            return nil
        }
    }

    @Test(arguments: ["0242078689-00001", "0402196254-00001", "12345", "007"])
    func accountOfDigitsAndHyphensIsAccepted(_ account: String) throws {
        try Validators.account(account)
    }

    @Test(arguments: ["", "ACME-1", "0242078689 00001", "---", "12.5"])
    func accountWithOtherCharactersIsRejectedNamingTheValue(_ account: String) {
        let invalid = validationError { try Validators.account(account) }
        #expect(invalid?.field == "account" && invalid?.value == account)
    }

    @Test func accountLeadingZerosAreKeptInThePath() async throws {
        try await withStub(fallback: { request in request.path.hasSuffix("/subscriptions/000123-00001") ? .ok("{}") : nil }) { server, client in
            _ = try await client.subscription(account: "000123-00001")
            #expect(await server.count("GET", "/api/fota/v1/subscriptions/000123-00001") == 1)
        }
    }

    @Test func upgradeIdMustBeAUUID() {
        #expect(validationError { try Validators.upgradeId("3f2b6c1e-9a4d-4f7e-8b2a-1c5d6e7f8a9b") } == nil)
        #expect(validationError { try Validators.upgradeId("3F2B6C1E-9A4D-4F7E-8B2A-1C5D6E7F8A9B") } == nil)
        for bad in ["", "3f2b6c1e9a4d4f7e8b2a1c5d6e7f8a9b", "3f2b6c1e-9a4d-4f7e-8b2a-1c5d6e7f8a9g", "../../etc/passwd"] {
            #expect(validationError { try Validators.upgradeId(bad) }?.value == bad)
        }
    }

    @Test func imeiMustBe15ASCIIDigits() {
        #expect(validationError { try Validators.imei("990000862471854") } == nil)
        for bad in ["99000086247185", "9900008624718540", "99000086247185a", "٩٩٠٠٠٠٨٦٢٤٧١٨٥٤", ""] {
            #expect(validationError { try Validators.imei(bad, position: 4) } == ValidationError(
                field: "deviceId", value: bad, position: 4, reason: "an IMEI must be exactly 15 digits 0-9"))
        }
    }

    @Test func imeiWithWrongCheckDigitIsOnlyAWarning() throws {
        // 490154203237518 is the textbook valid IMEI.
        #expect(try Validators.imei("490154203237518") == .valid)
        #expect(try Validators.imei("490154203237519") == .luhnMismatch)
        #expect(try Validators.imei(Fixtures.imei(42)) == .valid)
    }

    @Test func datesMustBeRealCalendarDates() {
        for good in ["2026-12-01", "2024-02-29", "2000-02-29"] {
            #expect(validationError { try Validators.date(good, field: "startDate") } == nil)
        }
        for bad in ["2026-13-01", "2025-02-29", "1900-02-29", "2026-04-31", "2026-1-01", "01/12/2026", "2026-12-01T00:00:00Z", "2026-00-10"] {
            let invalid = validationError { try Validators.date(bad, field: "startDate") }
            #expect(invalid?.field == "startDate" && invalid?.value == bad, "\(bad)")
        }
    }

    @Test func reportStatusMustBeOneOfSixStates() throws {
        for status in ["RequestPending", "Queued", "RequestFailed", "InProgress", "Finished", "UpgradeFailed"] {
            #expect(try Validators.reportStatus(status).isKnown)
        }
        let invalid = validationError { _ = try Validators.reportStatus("Request Pending") }
        #expect(invalid?.value == "Request Pending" && invalid?.reason.contains("RequestPending") == true)
    }

    @Test func scheduleRequestValidationNamesFieldAndPosition() {
        let base = UpgradeRequest(accountName: "0242078689-00001", firmwareName: "F", firmwareTo: "1.1", startDate: "2026-12-01",
                                  deviceList: ["990000862471854", "990000862471862"])
        var request = base
        request.deviceList.append("12345")
        #expect(validationError { _ = try ThingSpaceClient.validate(request) } == ValidationError(
            field: "deviceList", value: "12345", position: 3, reason: "an IMEI must be exactly 15 digits 0-9"))
        request = base
        request.deviceList.append("990000862471854")
        #expect(validationError { _ = try ThingSpaceClient.validate(request) }?.position == 3)
        request = base
        request.endDate = "2026-11-30"
        #expect(validationError { _ = try ThingSpaceClient.validate(request) }?.field == "endDate")
        request = base
        request.startDate = "2026-02-30"
        #expect(validationError { _ = try ThingSpaceClient.validate(request) }?.field == "startDate")
        request = base
        request.deviceList = []
        #expect(validationError { _ = try ThingSpaceClient.validate(request) }?.field == "deviceList")
    }

    @Test func invalidInputSendsNothing() async throws {
        try await withStub { server, client in
            _ = await thingSpaceError { _ = try await client.upgrade(account: "0242078689-00001", upgradeId: "not-a-uuid") }
            _ = await thingSpaceError { _ = try client.upgrades(account: "0242078689-00001", status: "Done") }
            _ = await thingSpaceError { _ = try await client.deviceHistory(account: "0242078689-00001", deviceId: "123") }
            _ = await thingSpaceError { _ = try await client.listFirmware(account: "acme") }
            #expect(await server.requests().isEmpty)
        }
    }

    @Test func validationMessageNamesValueAndPosition() {
        let error = ThingSpaceError.validation(ValidationError(field: "deviceList", value: "123", position: 7, reason: "an IMEI must be exactly 15 digits 0-9"))
        #expect(error.description == #"invalid deviceList at position 7 "123": an IMEI must be exactly 15 digits 0-9"#)
    }
}
