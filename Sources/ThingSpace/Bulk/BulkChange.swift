/// Options of a bulk add/remove.
public struct BulkOptions: Sendable {
    /// Devices per request (ThingSpace documents no maximum; 1,000 matches its page size).
    public var batchSize: Int
    /// Requests in flight at once.
    public var concurrency: Int
    /// Called after each batch with the devices done so far (on the caller's task, never concurrently).
    public var progress: (@Sendable (BulkProgress) -> Void)?
    /// Called before a batch's request is sent (from the sending tasks, possibly concurrently).
    /// Throwing stops the change: this batch and the ones not yet sent are not sent, the batches
    /// in flight finish, and `changeDevices` rethrows the error after reporting them.
    public var willSendBatch: (@Sendable (BulkBatch) throws -> Void)?
    /// Called once per sent batch when its outcome is known (after a read-back when its answer
    /// was lost), on the caller's task, never concurrently. Throwing stops the change like `willSendBatch`.
    public var didFinishBatch: (@Sendable (BulkBatchReport) throws -> Void)?

    public init(batchSize: Int = 1000, concurrency: Int = 4, progress: (@Sendable (BulkProgress) -> Void)? = nil) {
        self.batchSize = max(1, batchSize)
        self.concurrency = max(1, concurrency)
        self.progress = progress
    }
}

/// One request of a bulk change.
public struct BulkBatch: Sendable {
    /// 0-based batch number.
    public var index: Int
    /// Batches of the whole change.
    public var count: Int
    /// The batch's devices (distinct devices of the change, in order).
    public var deviceIds: ArraySlice<String>

    public init(index: Int, count: Int, deviceIds: ArraySlice<String>) {
        self.index = index
        self.count = count
        self.deviceIds = deviceIds
    }
}

/// What became of one sent batch.
public struct BulkBatchReport: Sendable {
    public var batch: BulkBatch
    /// One outcome per device of the batch, in batch order.
    public var outcomes: [DeviceOutcome]
    /// False when the answer was lost and reading the upgrade back failed too: what ThingSpace
    /// did with these devices is unknown.
    public var settled: Bool

    public init(batch: BulkBatch, outcomes: [DeviceOutcome], settled: Bool) {
        self.batch = batch
        self.outcomes = outcomes
        self.settled = settled
    }
}

public struct BulkProgress: Sendable, Equatable {
    /// Distinct devices whose batch has finished (whatever the outcome).
    public var done: Int
    /// Distinct devices in the operation.
    public var total: Int

    public init(done: Int, total: Int) {
        self.done = done
        self.total = total
    }
}

/// What happened to one device.
public enum DeviceOutcomeKind: Sendable, Equatable {
    /// ThingSpace accepted the change (e.g. `AddDeviceSucceed`).
    case succeeded
    /// ThingSpace answered for this device with a failure status (e.g. `AddDeviceFailed`), or
    /// answered the batch without mentioning the device.
    case failed
    /// The batch holding the device got no usable answer; `error` says why.
    case notSent
    /// Nothing to do: an append of a device already in this very upgrade, or a remove of one
    /// not in it (ThingSpace's per-device answers D8 and D10, see `BulkResultBuilder.isUnchanged`).
    case unchanged
}

public struct DeviceOutcome: Sendable, Equatable {
    public var deviceId: String
    /// 1-based position of the device's first occurrence in the input list.
    public var position: Int
    public var kind: DeviceOutcomeKind
    /// ThingSpace's status for the device (nil when not sent).
    public var status: String?
    /// ThingSpace's `Reason` for the device (nil when not sent or not given).
    public var reason: String?
    /// The error that stopped the device's batch (only for `.notSent`).
    public var error: ThingSpaceError?

    public static func == (lhs: DeviceOutcome, rhs: DeviceOutcome) -> Bool {
        lhs.deviceId == rhs.deviceId && lhs.position == rhs.position && lhs.kind == rhs.kind && lhs.status == rhs.status
            && lhs.reason == rhs.reason && lhs.error?.description == rhs.error?.description
    }
}

/// A device listed more than once in the input; only its first occurrence is sent.
public struct DuplicateDevice: Sendable, Equatable {
    public var deviceId: String
    /// 1-based position of this repeated occurrence.
    public var position: Int
    /// 1-based position of the first occurrence.
    public var firstPosition: Int
}

/// A device sent despite a doubt (its IMEI fails the Luhn check).
public struct DeviceWarning: Sendable, Equatable {
    public var deviceId: String
    public var position: Int
    public var message: String
}

/// Merged result of a bulk add/remove: every distinct input device exactly once, in input order.
/// Stored column-wise with interned status/reason text so a million devices stay small.
public struct BulkChangeResult: Sendable, RandomAccessCollection {
    public let type: DeviceChangeType
    public let account: String
    public let upgradeId: String
    /// The list the change was made for (input, distinct devices, repeats, warnings).
    public let devices: PreparedDevices
    public var duplicates: [DuplicateDevice] { devices.duplicates }
    public var warnings: [DeviceWarning] { devices.warnings }
    /// Set when ThingSpace refused the request as a whole (a 4xx for the call, not per device,
    /// e.g. an unknown upgrade or one that has started): the batches not yet sent were not sent.
    public let refusal: ThingSpaceError?

    var deviceIds: [String] { devices.deviceIds }
    var positions: [Int32] { devices.positions }
    let kinds: [DeviceOutcomeKind]
    /// Index into `strings` (status) or, for not-sent devices, into `errors`; -1 = none.
    let statusIndex: [Int32]
    let reasonIndex: [Int32]
    let strings: [String]
    /// Distinct errors that stopped batches.
    public let errors: [ThingSpaceError]

    public var startIndex: Int { 0 }
    public var endIndex: Int { deviceIds.count }

    public subscript(index: Int) -> DeviceOutcome {
        DeviceOutcome(stored: index, deviceId: deviceIds[index], position: positions[index], kinds: kinds,
                      statusIndex: statusIndex, reasonIndex: reasonIndex, strings: strings, errors: errors)
    }

    /// Device `index`'s outcome as three small numbers: devices of equal shape have equal kind,
    /// status, reason and error, so a result of a million devices groups them without hashing text.
    public func outcomeShape(_ index: Int) -> OutcomeShape {
        OutcomeShape(kind: kinds[index], status: statusIndex[index], reason: reasonIndex[index])
    }

    /// See `outcomeShape(_:)`.
    public struct OutcomeShape: Hashable, Sendable {
        let kind: DeviceOutcomeKind
        let status: Int32
        let reason: Int32
    }

    public var succeededCount: Int { kinds.lazy.filter { $0 == .succeeded }.count }
    public var failedCount: Int { kinds.lazy.filter { $0 == .failed }.count }
    public var notSentCount: Int { kinds.lazy.filter { $0 == .notSent }.count }
    public var unchangedCount: Int { kinds.lazy.filter { $0 == .unchanged }.count }
    /// True when every device is where the change wanted it: succeeded or unchanged.
    public var allSucceeded: Bool { !kinds.contains { $0 != .succeeded && $0 != .unchanged } }
}

extension DeviceOutcome {
    /// Device `index` of the column-wise storage the builder fills and the result keeps: a status
    /// and reason as indexes into `strings`; for a device not sent, `statusIndex` indexes `errors`.
    init(stored index: Int, deviceId: String, position: Int32, kinds: [DeviceOutcomeKind], statusIndex: [Int32],
         reasonIndex: [Int32], strings: [String], errors: [ThingSpaceError]) {
        let kind = kinds[index]
        let status = statusIndex[index]
        let reason = reasonIndex[index]
        self.init(
            deviceId: deviceId, position: Int(position), kind: kind,
            status: kind == .notSent || status < 0 ? nil : strings[Int(status)],
            reason: kind == .notSent || reason < 0 ? nil : strings[Int(reason)],
            error: kind == .notSent && status >= 0 ? errors[Int(status)] : nil)
    }
}
