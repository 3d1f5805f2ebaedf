import Hummingbird

/// Callback registration A16–A18.
enum CallbackRoutes {
    static func install(on fota: RouterGroup<SimRequestContext>, core: SimulatorCore) {
        let limit = core.options.maxBodyBytes

        fota.get("callbacks/:account") { _, context -> Response in
            let registered = try core.withWorld { try $0.registeredCallbacks(account: context.param("account")) }
            return registered.map { Reply.json($0) } ?? Reply.emptyOK()
        }

        fota.post("callbacks/:account") { request, context -> Response in
            let body = try await BodyDecoding.json(CallbackRegistrationJSON.self, from: request, limit: limit, strictKeys: core.options.strictKeys)
            return try core.respond { try $0.registerCallback(account: context.param("account"), body) }
        }

        fota.delete("callbacks/:account/name/:service") { _, context -> Response in
            try core.respond { try $0.deregisterCallback(account: context.param("account"), service: context.param("service")) }
        }
    }
}
