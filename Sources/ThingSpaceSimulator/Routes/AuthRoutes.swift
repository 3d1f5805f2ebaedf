import Hummingbird

/// OAuth token/revoke under /api/ts/v1 and M2M session login/logout under /api/m2m/v1 (docs/thingspace-api.md K1–K4).
enum AuthRoutes {
    static func install(on router: Router<SimRequestContext>, core: SimulatorCore) {
        let limit = core.options.maxBodyBytes

        router.post("/api/ts/v1/oauth2/token") { request, _ -> Response in
            try core.tokens.checkClient(authorization: request.headers[.authorization])
            let form = BodyDecoding.form(try await BodyDecoding.bytes(of: request, limit: limit))
            guard form["grant_type"] == "client_credentials" else {
                throw APIError(status: 400, shape: .oauth(error: "invalid_request", description: "Missing grant_type parameter value"))
            }
            return Reply.json(core.tokens.issue())
        }

        router.post("/api/ts/v1/oauth2/revoke") { request, _ -> Response in
            try core.tokens.checkClient(authorization: request.headers[.authorization])
            let form = BodyDecoding.form(try await BodyDecoding.bytes(of: request, limit: limit))
            guard let token = form["token"], !token.isEmpty else {
                throw APIError(status: 400, shape: .oauth(error: "invalid_request", description: "Missing token parameter value"))
            }
            core.tokens.revoke(token)
            return Response(status: .ok)
        }

        router.post("/api/m2m/v1/session/login") { request, _ -> Response in
            try FotaAuthMiddleware.requireBearer(request, tokens: core.tokens, api: "m2m")
            let body = try await BodyDecoding.json(LoginRequestJSON.self, from: request, limit: limit)
            return Reply.json(try core.sessions.login(username: body.username, password: body.password))
        }

        router.post("/api/m2m/v1/session/logout") { request, _ -> Response in
            try FotaAuthMiddleware.requireBearer(request, tokens: core.tokens, api: "m2m")
            return Reply.json(try core.sessions.logout(request.header("VZ-M2M-Token")))
        }
    }
}
