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
    private var events: [SimEvent] = []
    private(set) var nextSeq: Int64 = 1

    init(capacity: Int = EventLog.defaultCapacity) {
        self.capacity = max(capacity, 1)
    }

    mutating func record(at: Int64, upgradeId: String, imei: UInt64? = nil, status: String, reason: String? = nil) {
        events.append(SimEvent(seq: nextSeq, at: at, upgradeId: upgradeId, imei: imei, status: status, reason: reason))
        nextSeq += 1
        // Trim in chunks so dropping old events stays amortised O(1) per event.
        if events.count >= capacity + max(capacity / 4, 1) {
            events.removeFirst(events.count - capacity)
        }
    }

    /// Up to `limit` events with a sequence number above `since`, optionally of one upgrade, and whether more follow.
    func after(_ since: Int64, upgrade: String?, limit: Int) -> (events: [SimEvent], more: Bool) {
        guard let first = events.first else { return ([], false) }
        var index = since < first.seq ? 0 : Int(min(since - first.seq + 1, Int64(events.count)))
        var found: [SimEvent] = []
        while index < events.count {
            let event = events[index]
            index += 1
            if let upgrade, event.upgradeId != upgrade { continue }
            if found.count == limit { return (found, true) }
            found.append(event)
        }
        return (found, false)
    }
}
