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

    /// Events per `/_sim/events` answer at most; `more` tells the caller to ask again from `next`.
    static let maxEventsPerCall = 10_000

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
                    faultsInjected: injected, callbacksQueued: world.outbox.count,
                    nextChange: world.nextChange(of: nil).map(SimTime.rfc3339)
                )
            }
        }

        sim.get("devices/:deviceId") { _, context -> Response in
            try core.respond { (world: inout World) throws(APIError) -> SimDeviceJSON in
                world.tick()
                guard let imei = Identifiers.imei(context.param("deviceId")), let device = world.fleet[imei] else {
                    throw APIError.invalid("Device not found.")
                }
                let link = world.settings.campaign.connectivity(of: imei)
                let windowed = link.pattern == .dailyCheckIn || link.pattern == .oftenOff
                return SimDeviceJSON(
                    device: World.json(device), clientType: device.model.clientType,
                    everUpgraded: device.everUpgraded, heldByUpgrade: world.claims[imei],
                    connectivity: link.pattern.rawValue,
                    connectsAt: windowed ? String(SimTime.rfc3339(link.timeOfDay).dropFirst(11).dropLast()) : nil,
                    connectsEveryDays: windowed ? Int(link.pattern == .dailyCheckIn ? 1 : link.periodDays) : nil,
                    nextOnline: link.firstOnline(atOrAfter: world.clock.now()).map(SimTime.rfc3339)
                )
            }
        }

        sim.get("next-change") { request, _ -> Response in
            let upgrade = request.uri.queryParameters.get("upgrade")
            return try core.respond { (world: inout World) throws(APIError) -> NextChangeJSON in
                world.tick()
                let now = world.clock.now()
                guard let upgrade else { return NextChangeJSON(at: world.nextChange(of: nil), now: now) }
                guard Identifiers.isUUIDShaped(upgrade) else { throw .badUUID }
                let id = upgrade.lowercased()
                // A cancelled campaign will never change again; an id never handed out is a mistake worth reporting.
                guard world.upgrades[id] != nil || world.cancelled.contains(id) else { throw .unknownUpgrade }
                return NextChangeJSON(at: world.nextChange(of: id), now: now)
            }
        }

        sim.get("events") { request, _ -> Response in
            let query = request.uri.queryParameters
            let sinceText = query.get("since") ?? "0"
            let limitText = query.get("limit") ?? String(maxEventsPerCall)
            guard let since = Int64(sinceText), since >= 0 else {
                throw APIError.invalid("since must be a non-negative event sequence number (got \(sinceText))")
            }
            guard let limit = Int(limitText), (1...maxEventsPerCall).contains(limit) else {
                throw APIError.invalid("limit must be between 1 and \(maxEventsPerCall) (got \(limitText))")
            }
            let upgrade = query.get("upgrade")?.lowercased()
            return core.respondUnchecked { world in
                world.tick()
                let (events, more) = world.events.after(since, upgrade: upgrade, limit: limit)
                let list = events.map { event in
                    EventJSON(
                        seq: event.seq, at: event.at, time: SimTime.rfc3339(event.at), upgradeId: event.upgradeId,
                        kind: event.imei == nil ? "upgrade" : "device", status: event.status,
                        deviceId: event.imei.map(Identifiers.imeiString), reason: event.reason
                    )
                }
                // Without new events the cursor stays (capped at the newest event, so a bogus one cannot skip future events).
                let next = events.last?.seq ?? min(since, world.events.nextSeq - 1)
                return EventsJSON(events: list, next: next, more: more)
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

        sim.post("upgrades/:id/fail-share") { request, context -> Response in
            let body = try await optionalBody(FailShareJSON.self, request, limit: limit)
            let id = context.param("id").lowercased()
            return try core.respond { (world: inout World) throws(APIError) -> FailShareResultJSON in
                guard Identifiers.isUUIDShaped(id) else { throw .badUUID }
                guard let share = body?.share, (0...1).contains(share) else {
                    throw APIError.invalid("Send {\"share\": s} with 0 ≤ s ≤ 1, optionally with \"reason\"")
                }
                let failed = try world.failShare(id, share: share, reason: body?.reason ?? "Device upgrade failed")
                return FailShareResultJSON(upgradeId: id, failed: failed.count, deviceIds: failed.map(Identifiers.imeiString))
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
