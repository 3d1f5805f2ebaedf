/// Campaign-level status, the six values of the v1 enum (docs/thingspace-api.md U1–U6).
enum CampaignStatus: String, Sendable, CaseIterable {
    case requestPending = "RequestPending"
    case queued = "Queued"
    case requestFailed = "RequestFailed"
    case inProgress = "InProgress"
    case finished = "Finished"
    case upgradeFailed = "UpgradeFailed"

    /// Add/remove and cancel are only allowed before the campaign starts.
    var isChangeable: Bool { self == .requestPending || self == .queued }
    var isTerminal: Bool { self == .requestFailed || self == .finished || self == .upgradeFailed }
}

/// Where one device stands inside one campaign (docs/thingspace-api.md D1–D6).
enum DeviceState: Sendable, Equatable {
    case pending
    case accepted
    case rejected(String)
    case inProgress
    case succeeded
    case failed(String)

    var status: String {
        switch self {
        case .pending: "RequestPending"
        case .accepted: "Device Accepted"
        case .rejected: "Device Rejected"
        case .inProgress: "UpgradeInProgress"
        case .succeeded: "UpgradeSuccess"
        case .failed: "UpgradeFailed"
        }
    }

    /// `resultReason` is absent while the request is pending (docs/thingspace-api.md D1).
    var reason: String? {
        switch self {
        case .pending: nil
        case .accepted, .succeeded: "success"
        case .inProgress: "Upgrade in progress"
        case .rejected(let why), .failed(let why): why
        }
    }

    /// Devices holding a claim block other campaigns from taking them.
    var holdsClaim: Bool { self == .accepted || self == .inProgress }
}

/// Device rejection reasons (docs/thingspace-api.md R1–R5; those marked Choice there are ours).
enum RejectionReason {
    static let notFound = "Device not found."
    static let notEligible = "Device not eligible for service."
    static let noLicense = "Device has no license assigned."
    static let firmwareMismatch = "Firmware does not match the device make, model or version."
    static let alreadyScheduled = "Device scheduled for firmware-upgrade previously, it needs to be completed first."
}

/// One campaign. Devices live in insertion-ordered arrays (IMEIs and their entries side by side) plus a
/// dictionary from IMEI to position, so appending or removing a batch costs O(batch) whatever the campaign
/// size; removals leave tombstones that are compacted lazily. The dictionary holds only positions: bulk
/// appends grow it, and every resize rehashes and copies it, so its buckets are kept small.
struct UpgradeRecord: Sendable {
    struct Entry: Sendable {
        var state: DeviceState
        var validateAt: Int64
        /// Both failures in one rarely set box: an entry of 40 bytes instead of 64 keeps the array
        /// that bulk appends grow (and copy as it doubles) small.
        private var failures: Failures?

        init(state: DeviceState, validateAt: Int64) {
            self.state = state
            self.validateAt = validateAt
        }

        var forcedFailure: String? {
            get { failures?.forced }
            set { failures = Failures(forced: newValue, drawn: drawnFailure) }
        }

        /// Failure the device will report when its outcome is due (drawn at the start); nil = success.
        var drawnFailure: String? {
            get { failures?.drawn }
            set { failures = Failures(forced: forcedFailure, drawn: newValue) }
        }
    }

    /// Immutable, so entries copied with the campaign never share a change: a setter makes a new box.
    final class Failures: Sendable {
        let forced: String?
        let drawn: String?

        init?(forced: String?, drawn: String?) {
            guard forced != nil || drawn != nil else { return nil }
            self.forced = forced
            self.drawn = drawn
        }
    }

    static let tombstone = UInt64.max

    let id: String
    let sequence: Int64
    let accountName: String
    let firmware: FirmwareImage
    let firmwareTo: String
    let startDate: String
    let endDate: String?
    let startAt: Int64
    /// When the campaign ends at the latest (end of `endDate`, or the open-ended length after the start).
    let endAt: Int64
    var status: CampaignStatus
    private(set) var order: [UInt64] = []
    /// `slots[p]` is the entry of `order[p]`; stale where `order[p]` is a tombstone.
    private var slots: [Entry] = []
    private var positions: [UInt64: Int] = [:]
    private var tombstones = 0
    /// Devices still awaiting validation; kept as a count so state checks stay O(1).
    private(set) var pendingCount = 0
    /// Devices awaiting validation, oldest first; stale items (removed or re-added devices) are skipped.
    private var pendingQueue: [(imei: UInt64, validateAt: Int64)] = []
    private var pendingHead = 0
    /// Devices upgrading (UpgradeInProgress), kept as a count so the end check stays O(1).
    private(set) var runningCount = 0
    /// Due device outcomes after the start, earliest first (ties in campaign order); stale items are skipped.
    private var outcomes: [(at: Int64, imei: UInt64)] = []
    private var outcomeHead = 0

    init(id: String, sequence: Int64, accountName: String, firmware: FirmwareImage, firmwareTo: String,
         startDate: String, endDate: String?, startAt: Int64, endAt: Int64) {
        self.id = id
        self.sequence = sequence
        self.accountName = accountName
        self.firmware = firmware
        self.firmwareTo = firmwareTo
        self.startDate = startDate
        self.endDate = endDate
        self.startAt = startAt
        self.endAt = endAt
        self.status = .requestPending
    }

    var deviceCount: Int { positions.count }

    /// Devices in the order they were added.
    var devicesInOrder: some Sequence<(UInt64, Entry)> {
        zip(order, slots).lazy.filter { $0.0 != Self.tombstone }
    }

    /// Every device's entry, in the order they were added.
    var allEntries: some Sequence<Entry> { devicesInOrder.lazy.map(\.1) }

    /// A device's entry; nil when it is not in the campaign.
    func entry(_ imei: UInt64) -> Entry? { positions[imei].map { slots[$0] } }

    func contains(_ imei: UInt64) -> Bool { positions[imei] != nil }

    /// Adds a device awaiting validation; false when it is already in the campaign.
    mutating func add(_ imei: UInt64, validateAt: Int64) -> Bool {
        // One hash lookup for the usual case, a new device (bulk appends); one already here is put back.
        if let existing = positions.updateValue(order.count, forKey: imei) {
            positions[imei] = existing
            return false
        }
        slots.append(Entry(state: .pending, validateAt: validateAt))
        order.append(imei)
        pendingQueue.append((imei, validateAt))
        pendingCount += 1
        return true
    }

    /// Removes a device; returns its entry, nil when it was not in the campaign.
    mutating func remove(_ imei: UInt64) -> Entry? {
        guard let position = positions.removeValue(forKey: imei) else { return nil }
        let entry = slots[position]
        if entry.state == .pending { pendingCount -= 1 }
        if entry.state == .inProgress { runningCount -= 1 }
        order[position] = Self.tombstone
        tombstones += 1
        if tombstones > 1024, tombstones * 2 > order.count { compact() }
        return entry
    }

    /// Drops the tombstones. Each device's new position follows from its old one (minus the tombstones
    /// before it), so the positions are updated in storage order without a hash lookup each.
    private mutating func compact() {
        var newPosition = [Int](repeating: 0, count: order.count)
        var keptOrder: [UInt64] = []
        var keptSlots: [Entry] = []
        keptOrder.reserveCapacity(order.count - tombstones)
        keptSlots.reserveCapacity(order.count - tombstones)
        for (position, imei) in order.enumerated() {
            newPosition[position] = keptOrder.count
            guard imei != Self.tombstone else { continue }
            keptOrder.append(imei)
            keptSlots.append(slots[position])
        }
        order = keptOrder
        slots = keptSlots
        // Walks bare indices: `values.indices` would hold a second reference to the table, and the
        // first write would then copy all of it.
        var index = positions.values.startIndex
        while index != positions.values.endIndex {
            positions.values[index] = newPosition[positions.values[index]]
            positions.values.formIndex(after: &index)
        }
        tombstones = 0
    }

    mutating func setState(_ imei: UInt64, _ state: DeviceState) {
        guard let position = positions[imei] else { return }
        let old = slots[position].state
        if old == .pending, state != .pending { pendingCount -= 1 }
        if old == .inProgress, state != .inProgress { runningCount -= 1 }
        if old != .inProgress, state == .inProgress { runningCount += 1 }
        slots[position].state = state
    }

    mutating func forceFailure(_ imei: UInt64, reason: String) -> Bool {
        guard let position = positions[imei] else { return false }
        slots[position].forcedFailure = reason
        return true
    }

    /// Plans the outcomes decided at the start: per running device, when it reports and its failure (nil = success).
    /// `plan` is in campaign order, so a stable sort by time keeps ties in that order.
    mutating func planOutcomes(_ plan: [(imei: UInt64, at: Int64, failure: String?)]) {
        for item in plan {
            if let position = positions[item.imei] { slots[position].drawnFailure = item.failure }
        }
        var due = plan.enumerated().map { (index: $0.offset, at: $0.element.at, imei: $0.element.imei) }
        due.sort { $0.at != $1.at ? $0.at < $1.at : $0.index < $1.index }
        outcomes = due.map { ($0.at, $0.imei) }
        outcomeHead = 0
    }

    /// Pops the running devices whose outcome is due by `time`, earliest first.
    mutating func takeDueOutcomes(by time: Int64) -> [(at: Int64, imei: UInt64)] {
        var due: [(at: Int64, imei: UInt64)] = []
        while outcomeHead < outcomes.count, outcomes[outcomeHead].at <= time {
            let item = outcomes[outcomeHead]
            outcomeHead += 1
            if entry(item.imei)?.state == .inProgress { due.append(item) }
        }
        return due
    }

    /// Earliest due outcome of a device still running.
    var nextOutcomeTime: Int64? {
        var index = outcomeHead
        while index < outcomes.count {
            if entry(outcomes[index].imei)?.state == .inProgress { return outcomes[index].at }
            index += 1
        }
        return nil
    }

    /// The next simulated second at which this campaign changes on its own; nil when it never will.
    var nextChangeTime: Int64? {
        switch status {
        case .requestPending, .queued:
            return min(nextValidationTime ?? .max, startAt)
        case .inProgress:
            return min(nextOutcomeTime ?? .max, endAt)
        case .requestFailed, .finished, .upgradeFailed:
            return nil
        }
    }

    /// Pops the devices whose validation is due by `time` (all pending ones when `time` is nil).
    mutating func takeDueForValidation(by time: Int64?) -> [UInt64] {
        var due: [UInt64] = []
        while pendingHead < pendingQueue.count {
            let item = pendingQueue[pendingHead]
            if let time, item.validateAt > time { break }
            pendingHead += 1
            if let entry = entry(item.imei), entry.state == .pending, entry.validateAt == item.validateAt {
                due.append(item.imei)
            }
        }
        if pendingHead > 1024, pendingHead * 2 > pendingQueue.count {
            pendingQueue.removeFirst(pendingHead)
            pendingHead = 0
        }
        return due
    }

    /// Earliest simulated time at which a queued validation is due.
    var nextValidationTime: Int64? {
        var index = pendingHead
        while index < pendingQueue.count {
            let item = pendingQueue[index]
            if let entry = entry(item.imei), entry.state == .pending, entry.validateAt == item.validateAt {
                return item.validateAt
            }
            index += 1
        }
        return nil
    }
}

/// One line of a device's upgrade history (A8).
struct HistoryEntry: Sendable {
    let upgradeId: String
    let accountName: String
    let firmwareFrom: String
    let firmwareTo: String
    let startDate: String
    let upgradeStartTime: Int64
    let status: String
    let reason: String
}
