import Foundation
import Hummingbird

/// The `/_sim` control API: clock, state inspection, forced failures, faults, auth expiry, request log.
/// Kept apart from the ThingSpace paths and never subject to auth, latency or faults.
enum ControlRoutes {
    static func install(on router: Router<SimRequestContext>, core: SimulatorCore) {
        let sim = router.group("_sim")
        let limit = core.options.maxBodyBytes
        installClockAndState(sim, core: core, limit: limit)
        installFailures(sim, core: core, limit: limit)
        installTrafficControl(sim, core: core, limit: limit)
    }

    /// One advance may move the clock by at most 100 years, which keeps all time arithmetic far from overflow.
    private static let maxAdvance: Int64 = 100 * 366 * SimTime.day

    private static func clock(_ world: inout World) -> ClockJSON {
        let now = world.clock.now()
        return ClockJSON(now: SimTime.rfc3339(now), epochSeconds: now)
    }

    private static func installClockAndState(_ sim: RouterGroup<SimRequestContext>, core: SimulatorCore, limit: Int) {
        sim.get("clock") { _, _ -> Response in
            core.respondUnchecked { clock(&$0) }
        }

        sim.post("clock/advance") { request, _ -> Response in
            let body = try await BodyDecoding.json(AdvanceClockJSON.self, from: request, limit: limit)
            return try core.respond { (world: inout World) throws(APIError) -> ClockJSON in
                let now = world.clock.now()
                let seconds: Int64
                switch (body.seconds, body.to) {
                case (let delta?, nil) where (0...maxAdvance).contains(delta):
                    seconds = delta
                case (nil, let target?):
                    guard let instant = SimTime.parseTimestamp(target), instant >= now, instant - now <= maxAdvance else {
                        throw APIError.invalid("`to` must be a date or RFC 3339 UTC time not before \(SimTime.rfc3339(now))")
                    }
                    seconds = instant - now
                default:
                    throw APIError.invalid("Send either {\"seconds\": n} with 0 ≤ n ≤ \(maxAdvance) or {\"to\": \"YYYY-MM-DD[THH:MM:SSZ]\"}")
                }
                world.clock.advance(by: seconds)
                world.tick()
                return clock(&world)
            }
        }

        sim.get("state") { _, _ -> Response in
            let sessions = core.sessions.sessionCount
            let locked = core.sessions.isLocked
            let injected = core.faults.injectedCount
            return core.respondUnchecked { world in
                world.tick()
                var byStatus: [String: Int] = [:]
                for status in CampaignStatus.allCases { byStatus[status.rawValue] = 0 }
                for upgrade in world.upgrades.values { byStatus[upgrade.status.rawValue, default: 0] += 1 }
                return StateJSON(
                    account: world.accountName, now: SimTime.rfc3339(world.clock.now()), devices: world.fleet.count,
                    upgradesByStatus: byStatus, activeUpgrades: world.active.count, licenses: world.totalLicenses,
                    licensesUsed: world.usedLicenses, sessions: sessions, userLocked: locked,
                    faultsInjected: injected, callbacksQueued: world.outbox.count
                )
            }
        }

        sim.get("devices/:deviceId") { _, context -> Response in
            try core.respond { (world: inout World) throws(APIError) -> SimDeviceJSON in
                world.tick()
                guard let imei = Identifiers.imei(context.param("deviceId")), let device = world.fleet[imei] else {
                    throw APIError.invalid("Device not found.")
                }
                return SimDeviceJSON(
                    device: World.json(device), clientType: device.model.clientType,
                    everUpgraded: device.everUpgraded, heldByUpgrade: world.claims[imei]
                )
            }
        }

        sim.get("callbacks") { _, _ -> Response in
            core.respondUnchecked { $0.outbox }
        }

        // A ready-made listener: register `<endpoint>/_sim/sink` as the callback URL to see deliveries.
        sim.post("sink") { request, _ -> Response in
            let data = try await BodyDecoding.bytes(of: request, limit: limit)
            guard (try? JSONSerialization.jsonObject(with: data)) != nil else { throw APIError.inputBinding }
            core.sink.withLock { $0.append(String(decoding: data, as: UTF8.self)) }
            return Reply.json(SuccessJSON(success: true))
        }
        sim.get("sink") { _, _ -> Response in
            let bodies = core.sink.withLock { $0 }
            return Reply.raw(Data(("[" + bodies.joined(separator: ",") + "]").utf8), status: .ok, contentType: "application/json")
        }
    }

    private static func installFailures(_ sim: RouterGroup<SimRequestContext>, core: SimulatorCore, limit: Int) {
        sim.post("upgrades/:id/fail") { request, context -> Response in
            let body = try await optionalBody(FailJSON.self, request, limit: limit)
            let id = context.param("id").lowercased()
            return try core.respond { (world: inout World) throws(APIError) -> SuccessJSON in
                try world.failCampaign(id, reason: body?.reason ?? "Upgrade failed")
                return SuccessJSON(success: true)
            }
        }

        sim.post("upgrades/:id/devices/:deviceId/fail") { request, context -> Response in
            let body = try await optionalBody(FailJSON.self, request, limit: limit)
            let id = context.param("id").lowercased()
            let deviceId = context.param("deviceId")
            return try core.respond { (world: inout World) throws(APIError) -> SuccessJSON in
                world.tick()
                guard let imei = Identifiers.imei(deviceId) else { throw .badDeviceId }
                guard world.upgrades[id]?.forceFailure(imei, reason: body?.reason ?? "Device upgrade failed") == true else {
                    throw APIError.invalid("Device is not in that upgrade")
                }
                return SuccessJSON(success: true)
            }
        }
    }

    private static func installTrafficControl(_ sim: RouterGroup<SimRequestContext>, core: SimulatorCore, limit: Int) {
        sim.get("faults") { _, _ -> Response in
            Reply.json(FaultsJSON(rules: core.faults.rules, injected: core.faults.injectedCount))
        }
        sim.post("faults") { request, _ -> Response in
            let rule = try await BodyDecoding.json(FaultRule.self, from: request, limit: limit)
            guard rule.remaining > 0,
                  rule.drop == true || rule.dropAnswer == true || (rule.status.map { (100...599).contains($0) } ?? true)
            else {
                throw APIError.invalid("remaining must be > 0 and status a valid HTTP status")
            }
            if let body = rule.body, (try? JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed])) == nil {
                throw APIError.invalid("body must be JSON text (it is sent as the answer)")
            }
            guard !(rule.drop == true && rule.dropAnswer == true) else {
                throw APIError.invalid("drop (never serve) and dropAnswer (serve, then lose the answer) exclude each other")
            }
            core.faults.add(rule)
            return Reply.json(FaultsJSON(rules: core.faults.rules, injected: core.faults.injectedCount))
        }
        sim.delete("faults") { _, _ -> Response in
            core.faults.clear()
            return Reply.json(SuccessJSON(success: true))
        }

        sim.post("auth/expire-token") { _, _ -> Response in
            core.tokens.expireNow()
            return Reply.json(SuccessJSON(success: true))
        }
        sim.post("auth/expire-session") { _, _ -> Response in
            core.sessions.expireAll()
            return Reply.json(SuccessJSON(success: true))
        }
        sim.post("auth/unlock") { _, _ -> Response in
            core.sessions.unlock()
            return Reply.json(SuccessJSON(success: true))
        }

        sim.get("requests") { request, _ -> Response in
            let since = request.uri.queryParameters.get("since").flatMap { Int($0) } ?? 0
            let entries = core.log.entries(since: since)
            return Reply.json(RequestsJSON(count: entries.count, entries: entries))
        }
        sim.get("requests/counts") { _, _ -> Response in
            Reply.json(core.log.counts)
        }
        sim.delete("requests") { _, _ -> Response in
            core.log.reset()
            return Reply.json(SuccessJSON(success: true))
        }
    }

    /// Control bodies are optional: an empty body means "use the defaults".
    private static func optionalBody<T: Decodable>(_ type: T.Type, _ request: Request, limit: Int) async throws(APIError) -> T? {
        let data = try await BodyDecoding.bytes(of: request, limit: limit)
        guard !data.isEmpty else { return nil }
        return try BodyDecoding.decode(T.self, from: data)
    }
}
