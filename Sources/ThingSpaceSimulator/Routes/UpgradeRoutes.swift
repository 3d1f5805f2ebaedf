import Hummingbird

/// Campaign endpoints A3–A6.
enum UpgradeRoutes {
    static func install(on fota: RouterGroup<SimRequestContext>, core: SimulatorCore) {
        let limit = core.options.maxBodyBytes

        fota.post("upgrades") { request, _ -> Response in
            let body = try await BodyDecoding.json(FirmwareUpgradeRequestJSON.self, from: request, limit: limit, strictKeys: core.options.strictKeys)
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
            let body = try await BodyDecoding.json(FirmwareUpgradeChangeRequestJSON.self, from: request, limit: limit, strictKeys: core.options.strictKeys)
            return ChangeResultWriter.response(try core.withWorld { try $0.change(account: account, id: id, body) })
        }

        fota.delete("upgrades/:account/upgrade/:id") { _, context -> Response in
            try core.respond { try $0.cancel(account: context.param("account"), id: context.param("id")) }
        }
    }
}
