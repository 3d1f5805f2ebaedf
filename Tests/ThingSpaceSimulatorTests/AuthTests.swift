import Foundation
import Testing
@testable import ThingSpaceSimulator

@Suite("OAuth and M2M session")
struct AuthTests {
    @Test func tokenEndpointReturnsBearerTokenWithExpiry() async throws {
        try await Sim.with { sim in
            let reply = try await sim.requestToken()
            #expect(reply.status == 200)
            let body = try reply.object
            #expect(body["token_type"] as? String == "Bearer")
            #expect((body["access_token"] as? String)?.isEmpty == false)
            #expect((body["expires_in"] as? Int).map { $0 > 3500 && $0 <= 3600 } == true)
        }
    }

    @Test func tokenEndpointReturnsSameTokenUntilExpiry() async throws {
        try await Sim.with { sim in
            let first = try await sim.token()
            let second = try await sim.token()
            #expect(first == second)
        }
    }

    @Test func tokenEndpointWithoutBasicAuthIsGatewayFault900902() async throws {
        try await Sim.with { sim in
            let reply = try await sim.send(.POST, "/api/ts/v1/oauth2/token", body: Data("grant_type=client_credentials".utf8),
                                           headers: [("Content-Type", "application/x-www-form-urlencoded")])
            #expect(reply.status == 401)
            #expect(reply.faultCode == "900902")
        }
    }

    @Test func tokenEndpointWithWrongSecretIsInvalidClient() async throws {
        try await Sim.with { sim in
            let reply = try await sim.requestToken(authorization: sim.basicAuth(nil, "wrong"))
            #expect(reply.status == 401)
            #expect(try reply.object["error"] as? String == "invalid_client")
        }
    }

    @Test func tokenEndpointWithoutGrantTypeIsInvalidRequest() async throws {
        try await Sim.with { sim in
            for form in ["", "grant_type=password", "scope=x"] {
                let reply = try await sim.requestToken(form: form)
                #expect(reply.status == 400)
                #expect(try reply.object["error"] as? String == "invalid_request")
                #expect(try reply.object["error_description"] as? String == "Missing grant_type parameter value")
            }
        }
    }

    @Test func revokedTokenIsRefusedAndNextRequestYieldsNewToken() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let revoke = try await sim.send(.POST, "/api/ts/v1/oauth2/revoke", body: Data("grant_type=client_credentials&token=\(auth.bearer)".utf8),
                                            headers: [("Authorization", sim.basicAuth()), ("Content-Type", "application/x-www-form-urlencoded")])
            #expect(revoke.status == 200)
            let refused = try await sim.fota(.GET, "/firmware/\(sim.account)", auth)
            #expect(refused.status == 401)
            #expect(refused.faultCode == "900901")
            let fresh = try await sim.token()
            #expect(fresh != auth.bearer)
        }
    }

    @Test func tokenExpiresAfterConfiguredTTL() async throws {
        let time = ManualWallClock()
        try await Sim.with(Sim.options { $0.tokenTTL = .seconds(60); $0.wallClock = time.clock }) { sim in
            let auth = try await sim.authenticate()
            time.advance(.seconds(59))
            #expect(try await sim.fota(.GET, "/firmware/\(sim.account)", auth).status == 200)
            // Asked again, the endpoint hands out the same token with the time it has left.
            let again = try await sim.requestToken().object
            #expect(again["access_token"] as? String == auth.bearer)
            #expect(again["expires_in"] as? Int == 1)
            time.advance(.seconds(1))
            let expired = try await sim.fota(.GET, "/firmware/\(sim.account)", auth)
            #expect(expired.status == 401)
            #expect(expired.faultCode == "900901")
            #expect(try await sim.token() != auth.bearer)
        }
    }

    @Test func loginRequiresBearerToken() async throws {
        try await Sim.with { sim in
            let missing = try await sim.send(.POST, "/api/m2m/v1/session/login", body: Data(#"{"username":"a","password":"b"}"#.utf8),
                                             headers: [("Content-Type", "application/json")])
            #expect(missing.status == 401)
            #expect(missing.faultCode == "900902")
            let invalid = try await sim.login(token: "not-a-token")
            #expect(invalid.status == 401)
            #expect(invalid.faultCode == "900901")
        }
    }

    @Test func loginReturnsSessionToken() async throws {
        try await Sim.with { sim in
            let reply = try await sim.login(token: try await sim.token())
            #expect(reply.status == 200)
            #expect((try reply.object["sessionToken"] as? String)?.count == 36)
        }
    }

    @Test func wrongPasswordIsRefused() async throws {
        try await Sim.with { sim in
            let reply = try await sim.login(token: try await sim.token(), password: "wrong")
            #expect(reply.status == 400)
            #expect(reply.errorCode?.hasPrefix("UnifiedWebService.") == true)
        }
    }

    @Test func fiveBadPasswordsLockTheUserEvenForTheRightPassword() async throws {
        try await Sim.with { sim in
            let token = try await sim.token()
            for _ in 0..<4 { #expect(try await sim.login(token: token, password: "wrong").status == 400) }
            // Four failures do not lock: the right password still works and resets the count.
            #expect(try await sim.login(token: token).status == 200)
            for _ in 0..<5 { #expect(try await sim.login(token: token, password: "wrong").status == 400) }
            let locked = try await sim.login(token: token)
            #expect(locked.status == 400)
            #expect(locked.errorCode == "UnifiedWebService.REQUEST_FAILED.UserLocked")
            #expect(try await sim.control(.POST, "/auth/unlock").status == 200)
            #expect(try await sim.login(token: token).status == 200)
        }
    }

    @Test func logoutReturnsTokenAndInvalidatesSession() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let reply = try await sim.send(.POST, "/api/m2m/v1/session/logout",
                                           headers: [("Authorization", "Bearer \(auth.bearer)"), ("VZ-M2M-Token", auth.session)])
            #expect(reply.status == 200)
            #expect(try reply.object["sessionToken"] as? String == auth.session)
            let after = try await sim.fota(.GET, "/firmware/\(sim.account)", auth)
            #expect(after.errorCode == "UnifiedWebService.REQUEST_FAILED.SessionToken.Expired")
        }
    }

    @Test func fotaCallWithoutBearerIsFault900902() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            let reply = try await sim.send(.GET, "/api/fota/v1/firmware/\(sim.account)", headers: [("VZ-M2M-Token", auth.session)])
            #expect(reply.status == 401)
            #expect(reply.faultCode == "900902")
        }
    }

    @Test func fotaCallWithUnknownBearerIsFault900901() async throws {
        try await Sim.with { sim in
            var auth = try await sim.authenticate()
            auth.bearer = "bogus"
            let reply = try await sim.fota(.GET, "/firmware/\(sim.account)", auth)
            #expect(reply.status == 401)
            #expect(reply.faultCode == "900901")
            #expect(reply.errorCode == nil)
        }
    }

    @Test func fotaCallWithoutSessionIsSessionExpired() async throws {
        try await Sim.with { sim in
            let token = try await sim.token()
            let reply = try await sim.send(.GET, "/api/fota/v1/firmware/\(sim.account)", headers: [("Authorization", "Bearer \(token)")])
            #expect(reply.status == 400)
            #expect(reply.errorCode == "UnifiedWebService.REQUEST_FAILED.SessionToken.Expired")
            #expect(reply.errorMessage == "The Session has expired.")
        }
    }

    @Test func sessionExpiresAfterIdleTimeButUseKeepsItAlive() async throws {
        let time = ManualWallClock()
        try await Sim.with(Sim.options { $0.sessionIdle = .seconds(4); $0.wallClock = time.clock }) { sim in
            let auth = try await sim.authenticate()
            // Each use restarts the idle timer: 12 s in all, never 4 s without a use.
            for _ in 0..<4 {
                time.advance(.seconds(3))
                #expect(try await sim.fota(.GET, "/subscriptions/\(sim.account)", auth).status == 200)
            }
            time.advance(.seconds(4) - .milliseconds(1))
            #expect(try await sim.fota(.GET, "/subscriptions/\(sim.account)", auth).status == 200)
            time.advance(.seconds(4))
            let expired = try await sim.fota(.GET, "/subscriptions/\(sim.account)", auth)
            #expect(expired.status == 400)
            #expect(expired.errorCode == "UnifiedWebService.REQUEST_FAILED.SessionToken.Expired")
        }
    }

    @Test func controlApiExpiresTokenNow() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            #expect(try await sim.control(.POST, "/auth/expire-token").status == 200)
            #expect(try await sim.fota(.GET, "/firmware/\(sim.account)", auth).faultCode == "900901")
            #expect(try await sim.token() != auth.bearer)
        }
    }

    @Test func controlApiExpiresSessionNow() async throws {
        try await Sim.with { sim in
            let auth = try await sim.authenticate()
            #expect(try await sim.control(.POST, "/auth/expire-session").status == 200)
            let reply = try await sim.fota(.GET, "/firmware/\(sim.account)", auth)
            #expect(reply.errorCode == "UnifiedWebService.REQUEST_FAILED.SessionToken.Expired")
        }
    }

    @Test func revokeWithoutTokenIsInvalidRequest() async throws {
        try await Sim.with { sim in
            let reply = try await sim.send(.POST, "/api/ts/v1/oauth2/revoke", body: Data("grant_type=client_credentials".utf8),
                                           headers: [("Authorization", sim.basicAuth()), ("Content-Type", "application/x-www-form-urlencoded")])
            #expect(reply.status == 400)
            #expect(try reply.object["error"] as? String == "invalid_request")
        }
    }

    @Test func loginWithoutCredentialsIsRequestUndefined() async throws {
        try await Sim.with { sim in
            let token = try await sim.token()
            let reply = try await sim.send(.POST, "/api/m2m/v1/session/login", body: Data(#"{"username":"sim-user"}"#.utf8),
                                           headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")])
            #expect(reply.status == 400)
            #expect(reply.errorCode == "UnifiedWebService.INPUT_INVALID.RequestUndefined")
        }
    }

    @Test func badPasswordsForUnknownUserDoNotLockTheRealUser() async throws {
        try await Sim.with { sim in
            let token = try await sim.token()
            for _ in 0..<6 { _ = try await sim.login(token: token, username: "someone-else", password: "x") }
            #expect(try await sim.login(token: token).status == 200)
        }
    }
}
