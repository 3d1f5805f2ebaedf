import Foundation
import Synchronization
import ThingSpace

/// What ThingSpace says of one device, as far as validating it for an upgrade goes
/// (docs/thingspace-api.md T5, R1–R5). Saved in a plan file and compared by `fota apply`.
public struct DeviceFacts: Codable, Sendable, Equatable {
    public var inAccount: Bool
    public var fotaEligible: Bool?
    public var licenseAssigned: Bool?
    public var make: String?
    public var model: String?
    public var firmware: String?
    /// The active upgrade (RequestPending, Queued or InProgress) that holds the device, if any.
    public var heldBy: String?
}

/// What ThingSpace says of one upgrade: its status and firmware.
public struct UpgradeFacts: Codable, Sendable, Equatable {
    public var status: String?
    public var firmwareName: String?
}

/// The reads behind a dry run's checks, made once per run and account and then cached, so a
/// dry run of 20,000 devices costs one account device walk and one report walk, not a read per
/// device. Only reads: nothing here changes ThingSpace. `fota apply` reads the same facts again
/// (a fresh instance) to see whether the world moved since the plan.
final class DryRunFacts: Sendable {
    /// Device statuses that keep a device in an upgrade: it is (or will be) validated there,
    /// accepted, or upgrading. Rejected and finished devices free it (T12).
    static let holdingStatuses: Set<String> = ["RequestPending", "Device Accepted", "UpgradeInProgress"]
    static let activeStatuses = ["RequestPending", "Queued", "InProgress"]

    private struct Account {
        var devices: [String: AccountDevice]?
        var holders: [String: String]?
        var firmware: [String: Firmware]?
        var licenceRequired: Bool?
        var upgrades: [String: FirmwareUpgrade] = [:]
        var members: [String: Set<String>] = [:]
    }

    let client: ThingSpaceClient
    private let accounts = Mutex<[String: Account]>([:])

    init(client: ThingSpaceClient) { self.client = client }

    /// Who reads: the call named in errors, and what says the run is stopping (Ctrl-C, a limit).
    struct Reader {
        var call: String
        var stop: () -> Bool = { false }
    }

    /// Runs one read to its end, outside the lock (it blocks on the network).
    private func read<T: Sendable>(_ reader: Reader, _ body: @escaping @Sendable (ThingSpaceClient) async throws -> T) throws -> T {
        let client = self.client
        return try runBlocking(stopWhen: reader.stop) { try await body(client) } ?? { throw CallInterrupted(call: reader.call) }()
    }

    private func cached<T: Sendable>(_ account: String, _ path: WritableKeyPath<Account, T?>, _ reader: Reader,
                                     read body: @escaping @Sendable (ThingSpaceClient) async throws -> T) throws -> T {
        if let value = accounts.withLock({ $0[account]?[keyPath: path] }) { return value }
        let value = try read(reader, body)
        accounts.withLock { $0[account, default: Account()][keyPath: path] = value }
        return value
    }

    /// Every device of the account by IMEI (one walk of A2).
    func devices(_ account: String, _ reader: Reader) throws -> [String: AccountDevice] {
        try cached(account, \.devices, reader) { client in
            var all: [String: AccountDevice] = [:]
            for try await device in try client.accountDevices(account: account) { all[device.deviceId] = device }
            return all
        }
    }

    /// Device → the active upgrade holding it (one walk of A7 per active status). A device accepted
    /// or upgrading holds its upgrade; one still awaiting validation will hold it once validated,
    /// unless that validation rejects it (R1–R4 against that upgrade's image), as the simulator's
    /// validation decides (docs/thingspace-api.md T5, T12).
    func holders(_ account: String, _ reader: Reader) throws -> [String: String] {
        if let known = accounts.withLock({ $0[account]?.holders }) { return known }
        let listed = try read(reader) { client in
            var entries: [(device: String, upgrade: String, pendingImage: String?)] = []
            for status in Self.activeStatuses {
                for try await upgrade in try client.upgrades(account: account, status: status) {
                    for device in upgrade.deviceList where Self.holdingStatuses.contains(device.status ?? "") {
                        let pending = device.status == "RequestPending" ? (upgrade.firmwareName ?? "") : nil
                        entries.append((device.deviceId, upgrade.id.lowercased(), pending))
                    }
                }
            }
            return entries
        }
        var held: [String: String] = [:]
        for entry in listed where entry.pendingImage == nil { held[entry.device] = entry.upgrade }
        if listed.contains(where: { $0.pendingImage != nil }) {
            let devices = try devices(account, reader)
            let images = try firmware(account, reader)
            let licenceRequired = try licenceRequired(account, reader)
            for entry in listed where held[entry.device] == nil {
                guard let image = entry.pendingImage else { continue }
                let facts = Self.facts(devices[entry.device], heldBy: nil)
                if Self.rejection(facts, image: images[image], licenceRequired: licenceRequired, holderAllowed: nil) == nil {
                    held[entry.device] = entry.upgrade
                }
            }
        }
        accounts.withLock { $0[account, default: Account()].holders = held }
        return held
    }

    /// The account's firmware images by name (A1).
    func firmware(_ account: String, _ reader: Reader) throws -> [String: Firmware] {
        try cached(account, \.firmware, reader) { client in
            Dictionary(try await client.listFirmware(account: account).map { ($0.firmwareName, $0) }) { first, _ in first }
        }
    }

    /// Whether devices need a licence: an account that bought only MRC (A9 purchaseType).
    func licenceRequired(_ account: String, _ reader: Reader) throws -> Bool {
        try cached(account, \.licenceRequired, reader) { client in
            let types = (try await client.subscription(account: account).purchaseType ?? "").split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) }
            return types.contains("TS-HFOTA-MRC") && !types.contains("TS-HFOTA-EVNT")
        }
    }

    /// The upgrade (A4); ThingSpace's error when it cannot be read (an unknown id, as the real call would).
    func upgrade(_ account: String, _ id: String, _ reader: Reader) throws -> FirmwareUpgrade {
        let key = id.lowercased()
        if let known = accounts.withLock({ $0[account]?.upgrades[key] }) { return known }
        let found = try read(reader) { client in try await client.upgrade(account: account, upgradeId: id) }
        accounts.withLock { $0[account, default: Account()].upgrades[key] = found }
        return found
    }

    /// The facts of one device as the plan records them.
    func deviceFacts(_ account: String, _ deviceId: String, _ reader: Reader) throws -> DeviceFacts {
        Self.facts(try devices(account, reader)[deviceId], heldBy: try holders(account, reader)[deviceId])
    }

    private static func facts(_ device: AccountDevice?, heldBy holder: String?) -> DeviceFacts {
        guard let device else { return DeviceFacts(inAccount: false, heldBy: holder) }
        return DeviceFacts(
            inAccount: true, fotaEligible: device.fotaEligible, licenseAssigned: device.licenseAssigned, make: device.make,
            model: device.model, firmware: device.firmware, heldBy: holder)
    }

    /// The facts of one upgrade as the plan records them.
    func upgradeFacts(_ account: String, _ id: String, _ reader: Reader) throws -> UpgradeFacts {
        let upgrade = try upgrade(account, id, reader)
        return UpgradeFacts(status: upgrade.status?.rawValue, firmwareName: upgrade.firmwareName)
    }

    /// The devices in the upgrade now (any device status).
    func members(_ account: String, _ upgradeId: String, _ reader: Reader) throws -> Set<String> {
        let key = upgradeId.lowercased()
        if let known = accounts.withLock({ $0[account]?.members[key] }) { return known }
        let members = Set(try upgrade(account, upgradeId, reader).deviceList.map(\.deviceId))
        accounts.withLock { $0[account, default: Account()].members[key] = members }
        return members
    }

    /// The reason ThingSpace's validation would reject `facts` for `image` (R1–R5, in the order it checks
    /// them), or nil when it would accept it. `holderAllowed` is the upgrade the device may already be held by.
    static func rejection(_ facts: DeviceFacts, image: Firmware?, licenceRequired: Bool, holderAllowed: String?) -> String? {
        guard facts.inAccount else { return RejectionText.notFound }
        if facts.fotaEligible == false { return RejectionText.notEligible }
        if licenceRequired && facts.licenseAssigned != true { return RejectionText.noLicense }
        if let image, facts.make != image.make || facts.model != image.model || facts.firmware != image.fromVersion {
            return RejectionText.firmwareMismatch
        }
        if let holder = facts.heldBy, holder != holderAllowed?.lowercased() { return RejectionText.alreadyScheduled }
        return nil
    }
}

/// ThingSpace's texts for a device rejected at validation (docs/thingspace-api.md R1–R5).
enum RejectionText {
    static let notFound = "Device not found."
    static let notEligible = "Device not eligible for service."
    static let noLicense = "Device has no license assigned."
    static let firmwareMismatch = "Firmware does not match the device make, model or version."
    static let alreadyScheduled = "Device scheduled for firmware-upgrade previously, it needs to be completed first."
}
