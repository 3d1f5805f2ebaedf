/// Builds the deterministic seeded fleet. Devices are drawn model by model (in catalogue order, so
/// the random sequence does not depend on the TACs) with ascending serials; each model's block is
/// sorted, the blocks' TAC ranges do not overlap, and the blocks are joined in TAC order, so the
/// result is sorted without a sort pass: O(N) and allocation-free per device.
enum FleetGenerator {
    /// Share of devices (per mille) that are not FOTA eligible.
    static let ineligiblePermille: UInt64 = 50

    /// `unlicensedPermille` devices in 1,000 have no licence (`SimulatorOptions.licensedShare`).
    static func generate(seed: UInt64, count: Int, licenseTime: Int64, unlicensedPermille: UInt64) -> Fleet {
        var random = SeededGenerator(seed: seed)
        var blocks: [(tac: UInt64, devices: [Device])] = []
        let totalWeight = Catalogue.models.reduce(0) { $0 + $1.weight }
        var remaining = count
        for (modelIndex, model) in Catalogue.models.enumerated() {
            let isLast = modelIndex == Catalogue.models.count - 1
            let share = isLast ? remaining : count * model.weight / totalWeight
            remaining -= share
            // Serial numbers climb with random gaps so IMEIs are not trivially consecutive.
            var serialCounter = random.below(1000)
            var devices: [Device] = []
            devices.reserveCapacity(share)
            for _ in 0..<share {
                serialCounter += 1 + random.below(3)
                let tac = model.baseTAC + serialCounter / 1_000_000
                let body = tac * 1_000_000 + serialCounter % 1_000_000
                let imei = body * 10 + Identifiers.luhnCheckDigit(body)
                let licensed = !random.chance(permille: unlicensedPermille)
                devices.append(Device(
                    imei: imei,
                    mdn: 2_000_000_000 + random.below(7_999_999_999),
                    modelIndex: UInt8(modelIndex),
                    versionIndex: UInt8(random.below(UInt64(model.versions.count))),
                    fotaEligible: !random.chance(permille: ineligiblePermille),
                    licensed: licensed,
                    licenseTime: licensed ? licenseTime : 0,
                    upgradeTime: nil,
                    everUpgraded: false
                ))
            }
            blocks.append((model.baseTAC, devices))
        }
        var devices: [Device] = []
        devices.reserveCapacity(count)
        for block in blocks.sorted(by: { $0.tac < $1.tac }) { devices += block.devices }
        return Fleet(devices: devices)
    }
}
