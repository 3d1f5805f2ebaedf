/// One status change of a campaign or of one device in it, as `/_sim/events` lists it.
struct SimEvent: Sendable {
    let seq: Int64
    /// Simulated epoch second the change happened (when it was due, even if applied by a later clock jump).
    let at: Int64
    let upgradeId: String
    /// The device, nil for a change of the campaign's own status.
    let imei: UInt64?
    let status: String
    let reason: String?
}

/// Every campaign and device status change in the order it happened, for timelines (`GET /_sim/events`).
/// Sequence numbers are contiguous from 1, so finding the first event after a cursor is O(1); the oldest
/// events are dropped beyond `capacity` so a long rehearsal cannot grow the log without bound.
struct EventLog: Sendable {
    static let defaultCapacity = 1_000_000

    let capacity: Int
    /// Stored compactly (40 bytes instead of a `SimEvent`'s 80): bulk appends record an event a device,
    /// and writing the log's fresh memory was a large share of an append's cost. The sequence number
    /// follows from the position, upgrade ids and statuses are kept once in `names`.
    private var events: [Stored] = []
    private(set) var nextSeq: Int64 = 1
    private var names: [String] = []
    private var codes: [String: UInt32] = [:]
    /// The last upgrade id and status looked up: the same ones for a whole batch.
    private var lastUpgrade: (name: String, code: UInt32)?
    private var lastStatus: (name: String, code: UInt32)?

    private struct Stored: Sendable {
        let at: Int64
        let imei: UInt64
        let reason: String?
        let upgrade: UInt32
        let status: UInt32
    }

    /// `Stored.imei` of a campaign's own status change (IMEIs have 15 digits, so never this).
    private static let noDevice = UInt64.max

    init(capacity: Int = EventLog.defaultCapacity) {
        self.capacity = max(capacity, 1)
    }

    mutating func record(at: Int64, upgradeId: String, imei: UInt64? = nil, status: String, reason: String? = nil) {
        events.append(Stored(at: at, imei: imei ?? Self.noDevice, reason: reason, upgrade: upgradeCode(upgradeId), status: statusCode(status)))
        nextSeq += 1
        // Trim in chunks so dropping old events stays amortised O(1) per event.
        if events.count >= capacity + max(capacity / 4, 1) {
            events.removeFirst(events.count - capacity)
        }
    }

    private mutating func upgradeCode(_ name: String) -> UInt32 { Self.code(name, last: &lastUpgrade, names: &names, codes: &codes) }

    private mutating func statusCode(_ name: String) -> UInt32 { Self.code(name, last: &lastStatus, names: &names, codes: &codes) }

    /// `name`'s code: `last`'s when it is the same name (a batch repeats it), else from `codes`,
    /// a new one the first time.
    private static func code(_ name: String, last: inout (name: String, code: UInt32)?, names: inout [String],
                             codes: inout [String: UInt32]) -> UInt32 {
        if let last, last.name == name { return last.code }
        let code: UInt32
        if let known = codes[name] {
            code = known
        } else {
            code = UInt32(names.count)
            names.append(name)
            codes[name] = code
        }
        last = (name, code)
        return code
    }

    /// Up to `limit` events with a sequence number above `since`, optionally of one upgrade, and whether more follow.
    func after(_ since: Int64, upgrade: String?, limit: Int) -> (events: [SimEvent], more: Bool) {
        guard !events.isEmpty else { return ([], false) }
        let firstSeq = nextSeq - Int64(events.count)
        var index = since < firstSeq ? 0 : Int(min(since - firstSeq + 1, Int64(events.count)))
        var wanted: UInt32?
        if let upgrade {
            guard let code = codes[upgrade] else { return ([], false) }
            wanted = code
        }
        var found: [SimEvent] = []
        while index < events.count {
            let event = events[index]
            index += 1
            if let wanted, event.upgrade != wanted { continue }
            if found.count == limit { return (found, true) }
            found.append(SimEvent(
                seq: firstSeq + Int64(index - 1), at: event.at, upgradeId: names[Int(event.upgrade)],
                imei: event.imei == Self.noDevice ? nil : event.imei, status: names[Int(event.status)], reason: event.reason
            ))
        }
        return (found, false)
    }
}
