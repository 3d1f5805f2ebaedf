import Foundation
import Logging
import Testing
@testable import ThingSpace

@Suite struct RedactionTests {
    let secrets = [StubServer.credentials.clientSecret, StubServer.credentials.password, "SECRETTOKEN", "SECRETSESSION"]

    @Test func verboseLogsHaveOneLinePerRequestWithoutSecrets() async throws {
        let capture = LogCapture()
        try await withStub(configure: { $0.verbose = true }, logger: capture.logger(level: .trace), fallback: { request in
            request.path.contains("/subscriptions/") ? .ok("{}") : nil
        }) { server, client in
            await server.enqueue("GET", "/api/fota/v1/subscriptions/\(StubServer.account)", .apiError(500, "X", "retry me"))
            _ = try await client.subscription(account: StubServer.account)
        }
        let text = capture.text
        #expect(text.contains("POST /api/ts/v1/oauth2/token -> 200"))
        #expect(text.contains("POST /api/m2m/v1/session/login -> 200"))
        #expect(text.contains("GET /api/fota/v1/subscriptions/\(StubServer.account) -> 500"))
        #expect(text.contains("will retry"))
        #expect(text.contains("(attempt 2)"))
        #expect(text.contains("ms"))
        #expect(text.contains("Authorization: <redacted>"), "trace level shows headers, redacted")
        for secret in secrets {
            #expect(!text.contains(secret), "log leaked \(secret)")
        }
    }

    @Test func errorsEchoingSecretsAreScrubbed() async throws {
        try await withStub(fallback: { request in
            // A misbehaving server echoing the credentials it received.
            request.path.contains("/subscriptions/")
                ? .apiError(400, "BAD", "token \(request.header("authorization") ?? "") session \(request.header("vz-m2m-token") ?? "")")
                : nil
        }) { _, client in
            let error = await thingSpaceError { _ = try await client.subscription(account: StubServer.account) }
            let text = error?.description ?? ""
            #expect(text.contains("<redacted>"))
            for secret in secrets { #expect(!text.contains(secret), "error leaked \(secret)") }
        }
    }

    @Test func rejectedLoginMessageHasNoPassword() async throws {
        let capture = LogCapture()
        try await withStub(logger: capture.logger()) { server, client in
            await server.state.setLoginOverride(.apiError(400, "REQUEST_FAILED.BadLogin", "password \(StubServer.credentials.password) is wrong"))
            let error = await thingSpaceError { _ = try await client.subscription(account: StubServer.account) }
            #expect(!(error?.description.contains(StubServer.credentials.password) ?? true))
        }
        for secret in secrets { #expect(!capture.text.contains(secret)) }
    }

    @Test func redactorHidesCredentialHeadersAndKnownValues() {
        let redactor = SecretRedactor(["hunter22"])
        #expect(redactor.scrub("pw=hunter22;") == "pw=<redacted>;")
        var headers = HTTPHeadersForTest.make()
        headers.add(name: "X-Note", value: "hunter22")
        let text = redactor.describe(headers)
        #expect(text.contains("Authorization: <redacted>") && text.contains("VZ-M2M-Token: <redacted>") && !text.contains("hunter22"))
    }
}

import NIOHTTP1
enum HTTPHeadersForTest {
    static func make() -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: "Bearer abcdef")
        headers.add(name: "VZ-M2M-Token", value: "abcdef")
        return headers
    }
}
