import Hummingbird

extension SimulatorCore {
    /// Applies `body` to the world and answers 200 with its JSON result (encoded outside the lock).
    func respond<T: Encodable & Sendable>(_ body: (inout World) throws -> T) throws -> Response {
        Reply.json(try withWorld(body))
    }
}

extension Request {
    /// A header by name; `VZ-M2M-Token` is not among HTTPTypes' predefined names.
    func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.canonicalName == lowered }?.value
    }
}

extension RequestContext {
    /// A path parameter; the router only matches when it is present.
    func param(_ name: String) -> String {
        parameters.get(name) ?? ""
    }
}

/// Campaign endpoints E3–E6.
enum UpgradeRoutes {
    static func install(on fota: RouterGroup<SimRequestContext>, core: SimulatorCore) {
        let limit = core.options.maxBodyBytes

        fota.post("upgrades") { request, _ -> Response in
            let body = try await BodyDecoding.json(FirmwareUpgradeRequestJSON.self, from: request, limit: limit)
            return try core.respond { try $0.schedule(body) }
        }

        fota.get("upgrades/:account/upgrade/:id") { _, context -> Response in
            try core.respond { try $0.details(account: context.param("account"), id: context.param("id")) }
        }

        fota.put("upgrades/:account/upgrade/:id") { request, context -> Response in
            let account = context.param("account")
            let id = context.param("id")
            // Path errors take precedence over body errors, as a client would fix those first.
            try core.withWorld { world in _ = try world.requireUpgrade(account: account, id: id) }
            let body = try await BodyDecoding.json(FirmwareUpgradeChangeRequestJSON.self, from: request, limit: limit)
            return try core.respond { try $0.change(account: account, id: id, body) }
        }

        fota.delete("upgrades/:account/upgrade/:id") { _, context -> Response in
            try core.respond { try $0.cancel(account: context.param("account"), id: context.param("id")) }
        }
    }
}
