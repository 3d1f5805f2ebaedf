import Hummingbird

/// Reports A7–A8 and the account reads A1, A2, A9.
enum ReportRoutes {
    static func install(on fota: RouterGroup<SimRequestContext>, core: SimulatorCore) {
        fota.get("firmware/:account") { _, context -> Response in
            try core.respond { try $0.firmwareList(account: context.param("account")) }
        }

        fota.get("devices/:account/index/:startIndex") { request, context -> Response in
            let clientType = request.uri.queryParameters.get("clientType")
            return try core.respond {
                try $0.deviceList(account: context.param("account"), startIndex: context.param("startIndex"), clientType: clientType)
            }
        }

        fota.get("reports/:account/status/:status/index/:startIndex") { _, context -> Response in
            try core.respond {
                try $0.upgrades(account: context.param("account"), status: context.param("status"), startIndex: context.param("startIndex"))
            }
        }

        // The SDK says `devices`, the doc's curl example `device`; both are served (docs/thingspace-api.md A8).
        for segment in ["devices", "device"] {
            fota.get("reports/:account/\(segment)/:deviceId") { _, context -> Response in
                try core.respond { try $0.history(account: context.param("account"), deviceId: context.param("deviceId")) }
            }
        }

        fota.get("subscriptions/:account") { _, context -> Response in
            try core.respond { try $0.subscription(account: context.param("account")) }
        }
    }
}
