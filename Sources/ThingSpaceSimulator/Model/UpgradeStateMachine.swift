/// Moves campaigns along RequestPending → Queued/RequestFailed → InProgress → Finished/UpgradeFailed as the
/// simulated clock passes their due times (docs/simulator.md, Campaign timing). Runs lazily before every request
/// and after every clock change, so no background task is needed; a clock jump applies every intermediate change
/// in time order across all campaigns, each stamped with the simulated second it was due.
extension World {
    /// Brings every active campaign up to the current simulated time.
    mutating func tick() {
        let now = clock.now()
        while let (id, at) = earliestChange(), at <= now {
            step(id, at: at)
        }
    }

    /// The active campaign with the earliest pending change (ties: oldest campaign first), and when.
    func earliestChange() -> (id: String, at: Int64)? {
        var best: (id: String, at: Int64, sequence: Int64)?
        for id in active {
            guard let upgrade = upgrades[id], let at = upgrade.nextChangeTime else { continue }
            let candidate = (id: id, at: at, sequence: upgrade.sequence)
            if let current = best, (current.at, current.sequence) <= (at, upgrade.sequence) { continue }
            best = candidate
        }
        return best.map { ($0.id, $0.at) }
    }

    /// When the campaign `id` (or, when nil, any campaign) next changes on its own; nil when nothing will.
    func nextChange(of id: String?) -> Int64? {
        guard let id else { return earliestChange()?.at }
        return upgrades[id]?.nextChangeTime
    }

    /// Applies everything campaign `id` has due at `time` (its earliest pending change).
    private mutating func step(_ id: String, at time: Int64) {
        // Taking the record out of the dictionary keeps it uniquely referenced, so mutating a campaign
        // of a million devices does not copy its storage.
        guard var upgrade = upgrades.removeValue(forKey: id) else { return }
        switch upgrade.status {
        case .requestPending, .queued:
            // Reaching the start validates whatever is still pending first (docs/thingspace-api.md T6).
            let horizon: Int64? = time >= upgrade.startAt ? nil : time
            for imei in upgrade.takeDueForValidation(by: horizon) {
                validate(imei, in: &upgrade, at: time)
            }
            if upgrade.status == .requestPending, upgrade.pendingCount == 0 {
                setStatus(&upgrade, acceptedCount(upgrade) > 0 ? .queued : .requestFailed, at: time)
            }
            if upgrade.status == .queued, time >= upgrade.startAt {
                start(&upgrade, at: time)
            }
        case .inProgress:
            for (at, imei) in upgrade.takeDueOutcomes(by: time) {
                report(imei, in: &upgrade, at: at)
            }
            if time >= upgrade.endAt {
                for (imei, entry) in Array(upgrade.devicesInOrder) where entry.state == .inProgress {
                    endRunning(imei, in: &upgrade, reason: entry.forcedFailure ?? FailureReason.endDateReached, at: time, reached: false)
                }
            }
            if upgrade.runningCount == 0 { finish(&upgrade, at: time) }
        case .requestFailed, .finished, .upgradeFailed:
            break
        }
        store(upgrade)
    }

    /// Saves a campaign back; a campaign that ended leaves the active set.
    mutating func store(_ upgrade: UpgradeRecord) {
        upgrades[upgrade.id] = upgrade
        if upgrade.status.isTerminal { active.remove(upgrade.id) }
    }

    /// Changes a campaign's status, recording the event and queueing the callback message.
    mutating func setStatus(_ upgrade: inout UpgradeRecord, _ status: CampaignStatus, at time: Int64) {
        guard upgrade.status != status else { return }
        upgrade.status = status
        events.record(at: time, upgradeId: upgrade.id, status: status.rawValue)
        announce(upgrade, at: time)
    }

    /// Changes one device's status in a campaign and records the event.
    mutating func setDevice(_ imei: UInt64, _ state: DeviceState, in upgrade: inout UpgradeRecord, at time: Int64) {
        upgrade.setState(imei, state)
        events.record(at: time, upgradeId: upgrade.id, imei: imei, status: state.status, reason: state.reason)
    }

    private func acceptedCount(_ upgrade: UpgradeRecord) -> Int {
        upgrade.allEntries.reduce(0) { $0 + ($1.state == .accepted ? 1 : 0) }
    }

    /// The pre-validation checks (docs/thingspace-api.md T5), in the order of the reasons R1–R5 there.
    private mutating func validate(_ imei: UInt64, in upgrade: inout UpgradeRecord, at time: Int64) {
        let verdict: DeviceState
        if let device = fleet[imei] {
            let image = upgrade.firmware
            if !device.fotaEligible {
                verdict = .rejected(RejectionReason.notEligible)
            } else if settings.mrcOnly, !device.licensed {
                verdict = .rejected(RejectionReason.noLicense)
            } else if Int(device.modelIndex) != image.modelIndex || device.firmware != image.fromVersion {
                verdict = .rejected(RejectionReason.firmwareMismatch)
            } else if let holder = claims[imei], holder != upgrade.id {
                verdict = .rejected(RejectionReason.alreadyScheduled)
            } else {
                verdict = .accepted
                claims[imei] = upgrade.id
            }
        } else {
            verdict = .rejected(RejectionReason.notFound)
        }
        setDevice(imei, verdict, in: &upgrade, at: time)
    }

    /// Starts the campaign: accepted devices begin upgrading and each one's outcome is planned from its
    /// connectivity, client type and failure draw (docs/simulator.md, Campaign timing).
    private mutating func start(_ upgrade: inout UpgradeRecord, at time: Int64) {
        let accepted = Array(upgrade.devicesInOrder.filter { $0.1.state == .accepted }.map(\.0))
        guard !accepted.isEmpty else {
            // Everything was removed or rejected after queueing: the campaign did not run.
            setStatus(&upgrade, .upgradeFailed, at: time)
            return
        }
        setStatus(&upgrade, .inProgress, at: time)
        let model = Catalogue.models[upgrade.firmware.modelIndex]
        var plan: [(imei: UInt64, at: Int64, failure: String?)] = []
        plan.reserveCapacity(accepted.count)
        for imei in accepted {
            setDevice(imei, .inProgress, in: &upgrade, at: time)
            if let outcome = settings.campaign.outcome(
                imei: imei, clientType: model.clientType, model: model.model, image: upgrade.firmware.firmwareName,
                campaign: upgrade.sequence, start: time)
            {
                plan.append((imei, outcome.at, outcome.failure))
            }
        }
        upgrade.planOutcomes(plan)
    }

    /// A running device reports: forced failure first, then the drawn one, else success.
    private mutating func report(_ imei: UInt64, in upgrade: inout UpgradeRecord, at time: Int64) {
        guard let entry = upgrade.entry(imei), entry.state == .inProgress else { return }
        if let reason = entry.forcedFailure ?? entry.drawnFailure {
            endRunning(imei, in: &upgrade, reason: reason, at: time, reached: entry.drawnFailure != FailureReason.noResponse)
            return
        }
        setDevice(imei, .succeeded, in: &upgrade, at: time)
        let toIndex = Catalogue.models[upgrade.firmware.modelIndex].versions.firstIndex(of: upgrade.firmware.toVersion)
        fleet.update(imei) { device in
            if let toIndex { device.versionIndex = UInt8(toIndex) }
            device.upgradeTime = time
            device.everUpgraded = true
        }
        recordHistory(imei, upgrade: upgrade)
        releaseClaim(imei, heldBy: upgrade.id)
    }

    /// Ends a running device `UpgradeFailed`; `reached` says whether the upgrade ever ran on it.
    mutating func endRunning(_ imei: UInt64, in upgrade: inout UpgradeRecord, reason: String, at time: Int64, reached: Bool) {
        setDevice(imei, .failed(reason), in: &upgrade, at: time)
        if reached { fleet.update(imei) { $0.everUpgraded = true } }
        recordHistory(imei, upgrade: upgrade)
        releaseClaim(imei, heldBy: upgrade.id)
    }

    /// Ends a started campaign once no device is running: Finished when any device succeeded (U5, U6).
    mutating func finish(_ upgrade: inout UpgradeRecord, at time: Int64) {
        let anySucceeded = upgrade.allEntries.contains { $0.state == .succeeded }
        setStatus(&upgrade, anySucceeded ? .finished : .upgradeFailed, at: time)
    }

    /// Forces a campaign into `UpgradeFailed` (control API); devices not yet ended fail with `reason`.
    mutating func failCampaign(_ id: String, reason: String) throws(APIError) {
        tick()
        guard let status = upgrades[id]?.status else { throw .unknownUpgrade }
        guard !status.isTerminal else {
            throw APIError.invalid("Upgrade already ended with status \(status.rawValue)")
        }
        guard var upgrade = upgrades.removeValue(forKey: id) else { throw .unknownUpgrade }
        let now = clock.now()
        for (imei, entry) in Array(upgrade.devicesInOrder) {
            switch entry.state {
            case .inProgress:
                endRunning(imei, in: &upgrade, reason: reason, at: now, reached: true)
            case .pending, .accepted:
                setDevice(imei, .failed(reason), in: &upgrade, at: now)
                releaseClaim(imei, heldBy: id)
            case .rejected, .succeeded, .failed:
                continue
            }
        }
        setStatus(&upgrade, .upgradeFailed, at: now)
        store(upgrade)
    }

    /// Fails `share` of a campaign's devices that have no outcome yet (control API `fail-share`): running devices
    /// fail now; before the start, the chosen devices are marked to fail when their outcome is due. The devices
    /// are drawn from the seed, so the same calls on the same seed pick the same devices.
    mutating func failShare(_ id: String, share: Double, reason: String) throws(APIError) -> [UInt64] {
        tick()
        guard let status = upgrades[id]?.status else { throw .unknownUpgrade }
        guard !status.isTerminal else {
            throw APIError.invalid("Upgrade already ended with status \(status.rawValue)")
        }
        guard var upgrade = upgrades.removeValue(forKey: id) else { throw .unknownUpgrade }
        let open = Array(upgrade.devicesInOrder.filter { entry in
            switch entry.1.state {
            case .inProgress: true
            case .pending, .accepted: entry.1.forcedFailure == nil
            case .rejected, .succeeded, .failed: false
            }
        }.map(\.0))
        // Round to the nearest device, but a positive share of a non-empty campaign fails at least one.
        var count = Int((share * Double(open.count)).rounded())
        if share > 0, count == 0, !open.isEmpty { count = 1 }
        var chosen = open
        var generator = SeededGenerator(seed: settings.seed ^ 0xFA11_5EED ^ UInt64(bitPattern: upgrade.sequence) << 20 ^ UInt64(failShareCalls))
        failShareCalls += 1
        for index in 0..<count {
            chosen.swapAt(index, index + Int(generator.below(UInt64(chosen.count - index))))
        }
        chosen = Array(chosen.prefix(count))
        let now = clock.now()
        for imei in chosen {
            if upgrade.entry(imei)?.state == .inProgress {
                endRunning(imei, in: &upgrade, reason: reason, at: now, reached: true)
            } else {
                _ = upgrade.forceFailure(imei, reason: reason)
            }
        }
        if upgrade.status == .inProgress, upgrade.runningCount == 0 { finish(&upgrade, at: now) }
        store(upgrade)
        return chosen
    }

    private mutating func recordHistory(_ imei: UInt64, upgrade: UpgradeRecord) {
        guard let entry = upgrade.entry(imei) else { return }
        history[imei, default: []].append(HistoryEntry(
            upgradeId: upgrade.id,
            accountName: upgrade.accountName,
            firmwareFrom: upgrade.firmware.fromVersion,
            firmwareTo: upgrade.firmware.toVersion,
            startDate: upgrade.startDate,
            upgradeStartTime: upgrade.startAt,
            status: entry.state.status,
            reason: entry.state.reason ?? ""
        ))
    }

    mutating func releaseClaim(_ imei: UInt64, heldBy id: String) {
        if claims[imei] == id { claims[imei] = nil }
    }
}
