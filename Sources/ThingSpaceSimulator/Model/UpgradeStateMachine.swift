/// Moves campaigns along RequestPending → Queued/RequestFailed → InProgress → Finished/UpgradeFailed as the
/// simulated clock passes their due times. Runs lazily before every request and after every clock change,
/// so no background task is needed and a clock jump applies every intermediate step in order.
extension World {
    /// Brings every active campaign up to the current simulated time.
    mutating func tick() {
        let now = clock.now()
        for id in active {
            advance(id, to: now)
        }
    }

    private mutating func advance(_ id: String, to now: Int64) {
        // Taking the record out of the dictionary keeps it uniquely referenced, so mutating a campaign
        // of a million devices does not copy its storage.
        while let status = upgrades[id]?.status, !status.isTerminal {
            guard var upgrade = upgrades.removeValue(forKey: id) else { return }
            let before = upgrade.status
            switch upgrade.status {
            case .requestPending, .queued:
                // Reaching the start date validates whatever is still pending first.
                let horizon: Int64? = now >= upgrade.startAt ? nil : now
                for imei in upgrade.takeDueForValidation(by: horizon) {
                    validate(imei, in: &upgrade)
                }
                // One transition per pass, so each status change is announced on its own.
                if upgrade.status == .requestPending {
                    if upgrade.pendingCount == 0 {
                        upgrade.status = acceptedCount(upgrade) > 0 ? .queued : .requestFailed
                    }
                } else if now >= upgrade.startAt {
                    start(&upgrade)
                }
            case .inProgress:
                if let finishAt = upgrade.finishAt, now >= finishAt {
                    finish(&upgrade, at: finishAt)
                }
            case .requestFailed, .finished, .upgradeFailed:
                break
            }
            store(upgrade, announcingFrom: before)
            if upgrade.status == before { return }
        }
    }

    /// Saves a campaign back and records the status change (active set, callback message).
    mutating func store(_ upgrade: UpgradeRecord, announcingFrom before: CampaignStatus) {
        upgrades[upgrade.id] = upgrade
        if upgrade.status.isTerminal { active.remove(upgrade.id) }
        if upgrade.status != before { announce(upgrade) }
    }

    private func acceptedCount(_ upgrade: UpgradeRecord) -> Int {
        upgrade.entries.values.reduce(0) { $0 + ($1.state == .accepted ? 1 : 0) }
    }

    /// The pre-validation checks (docs/thingspace-api.md T5), in the order of the reasons R1–R5 there.
    private mutating func validate(_ imei: UInt64, in upgrade: inout UpgradeRecord) {
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
        upgrade.setState(imei, verdict)
    }

    private func start(_ upgrade: inout UpgradeRecord) {
        let accepted = Array(upgrade.devicesInOrder.filter { $0.1.state == .accepted }.map(\.0))
        guard !accepted.isEmpty else {
            // Everything was removed or rejected after queueing: the campaign did not run.
            upgrade.status = .upgradeFailed
            return
        }
        for imei in accepted { upgrade.setState(imei, .inProgress) }
        upgrade.status = .inProgress
        upgrade.finishAt = upgrade.startAt + settings.upgradeDuration
    }

    private mutating func finish(_ upgrade: inout UpgradeRecord, at time: Int64) {
        var anySucceeded = false
        let running = Array(upgrade.devicesInOrder.filter { $0.1.state == .inProgress })
        let toIndex = Catalogue.models[upgrade.firmware.modelIndex].versions.firstIndex(of: upgrade.firmware.toVersion)
        for (imei, entry) in running {
            if let reason = entry.forcedFailure {
                upgrade.setState(imei, .failed(reason))
            } else {
                upgrade.setState(imei, .succeeded)
                anySucceeded = true
                fleet.update(imei) { device in
                    if let toIndex { device.versionIndex = UInt8(toIndex) }
                    device.upgradeTime = time
                }
            }
            fleet.update(imei) { $0.everUpgraded = true }
            recordHistory(imei, upgrade: upgrade)
            releaseClaim(imei, heldBy: upgrade.id)
        }
        upgrade.status = anySucceeded ? .finished : .upgradeFailed
    }

    /// Forces a campaign into `UpgradeFailed` (control API); devices that were upgrading fail with `reason`.
    mutating func failCampaign(_ id: String, reason: String) throws(APIError) {
        tick()
        guard let status = upgrades[id]?.status else { throw .unknownUpgrade }
        guard !status.isTerminal else {
            throw APIError.invalid("Upgrade already ended with status \(status.rawValue)")
        }
        guard var upgrade = upgrades.removeValue(forKey: id) else { throw .unknownUpgrade }
        for (imei, entry) in Array(upgrade.devicesInOrder) {
            switch entry.state {
            case .inProgress:
                upgrade.setState(imei, .failed(reason))
                fleet.update(imei) { $0.everUpgraded = true }
                recordHistory(imei, upgrade: upgrade)
            case .pending, .accepted:
                upgrade.setState(imei, .failed(reason))
            case .rejected, .succeeded, .failed:
                continue
            }
            releaseClaim(imei, heldBy: id)
        }
        upgrade.status = .upgradeFailed
        store(upgrade, announcingFrom: status)
    }

    private mutating func recordHistory(_ imei: UInt64, upgrade: UpgradeRecord) {
        guard let entry = upgrade.entries[imei] else { return }
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
