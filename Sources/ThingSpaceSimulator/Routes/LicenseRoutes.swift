import Hummingbird

/// Licence endpoints A10–A15.
enum LicenseRoutes {
    static func install(on fota: RouterGroup<SimRequestContext>, core: SimulatorCore) {
        let limit = core.options.maxBodyBytes

        fota.get("licenses/:account/index/:startIndex") { _, context -> Response in
            try core.respond { try $0.licenses(account: context.param("account"), startIndex: context.param("startIndex")) }
        }

        for (action, assign) in [("assign", true), ("remove", false)] {
            fota.post("licenses/:account/\(action)") { request, context -> Response in
                let body = try await BodyDecoding.json(DeviceListBodyJSON.self, from: request, limit: limit, strictKeys: core.options.strictKeys)
                return try core.respond { try $0.changeLicenses(account: context.param("account"), assign: assign, body) }
            }
        }

        fota.post("licenses/:account/cancel") { request, context -> Response in
            let body = try await BodyDecoding.json(DeviceListBodyJSON.self, from: request, limit: limit, strictKeys: core.options.strictKeys)
            return try core.respond { try $0.setLicencesToRemove(account: context.param("account"), body) }
        }

        fota.delete("licenses/:account/cancel") { _, context -> Response in
            try core.respond { try $0.deleteLicencesToRemove(account: context.param("account")) }
        }

        fota.get("licenses/:account/cancel/index/:startIndex") { _, context -> Response in
            try core.respond { try $0.licencesToRemoveList(account: context.param("account"), startIndex: context.param("startIndex")) }
        }
    }
}
