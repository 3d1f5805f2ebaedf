/// Options of a bulk add/remove.
public struct BulkOptions: Sendable {
    /// Devices per request (ThingSpace documents no maximum; 1,000 matches its page size).
    public var batchSize: Int
    /// Requests in flight at once.
    public var concurrency: Int
    /// Called after each batch with the devices done so far (on the caller's task, never concurrently).
    public var progress: (@Sendable (BulkProgress) -> Void)?

    public init(batchSize: Int = 1000, concurrency: Int = 4, progress: (@Sendable (BulkProgress) -> Void)? = nil) {
        self.batchSize = max(1, batchSize)
        self.concurrency = max(1, concurrency)
        self.progress = progress
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
    let kinds: [UInt8]
    /// Index into `strings` (status) or, for not-sent devices, into `errors`; -1 = none.
    let statusIndex: [Int32]
    let reasonIndex: [Int32]
    let strings: [String]
    /// Distinct errors that stopped batches.
    public let errors: [ThingSpaceError]

    public var startIndex: Int { 0 }
    public var endIndex: Int { deviceIds.count }

    public subscript(index: Int) -> DeviceOutcome {
        let kind: DeviceOutcomeKind = switch kinds[index] {
        case 0: .succeeded
        case 1: .failed
        default: .notSent
        }
        let status = statusIndex[index]
        let reason = reasonIndex[index]
        return DeviceOutcome(
            deviceId: deviceIds[index], position: Int(positions[index]), kind: kind,
            status: kind == .notSent || status < 0 ? nil : strings[Int(status)],
            reason: kind == .notSent || reason < 0 ? nil : strings[Int(reason)],
            error: kind == .notSent && status >= 0 ? errors[Int(status)] : nil)
    }

    public var succeededCount: Int { kinds.lazy.filter { $0 == 0 }.count }
    public var failedCount: Int { kinds.lazy.filter { $0 == 1 }.count }
    public var notSentCount: Int { kinds.lazy.filter { $0 == 2 }.count }
    /// True when every device succeeded.
    public var allSucceeded: Bool { !kinds.contains { $0 != 0 } }
}

/// A device list validated and de-duplicated once, then shared by everything that handles the
/// change: the sender, the journal, the dry run and the result table. Every input position maps
/// to its distinct device explicitly (`distinctIndex`), so no one relies on an ordering rule.
public struct PreparedDevices: Sendable {
    /// The list as given (repeats included).
    public let input: [String]
    /// Each device once, in order of first appearance: what is sent.
    public let deviceIds: [String]
    /// 1-based input position of each distinct device's first occurrence.
    let positions: [Int32]
    /// For each input position (0-based), the index of its device in `deviceIds`.
    let distinctIndexes: [Int32]
    /// Repeated occurrences (each sent once, at its first position).
    public let duplicates: [DuplicateDevice]
    /// Devices sent despite a doubt (Luhn).
    public let warnings: [DeviceWarning]

    /// Validates every IMEI (throwing on the first bad one, naming it and its 1-based position)
    /// and removes repeats. IMEIs are packed into integers so the seen-set of a million stays small.
    public init(_ devices: [String], field: String = "deviceList") throws(ThingSpaceError) {
        if devices.isEmpty {
            throw .validation(ValidationError(field: field, value: "", reason: "must list at least one device"))
        }
        var seen: [UInt64: Int32] = [:]
        seen.reserveCapacity(devices.count)
        var ids: [String] = []
        var positions: [Int32] = []
        var distinct: [Int32] = []
        var duplicates: [DuplicateDevice] = []
        var warnings: [DeviceWarning] = []
        ids.reserveCapacity(devices.count)
        positions.reserveCapacity(devices.count)
        distinct.reserveCapacity(devices.count)
        for (offset, device) in devices.enumerated() {
            let position = offset + 1
            guard let packed = Validators.packIMEI(device) else {
                throw .validation(ValidationError(
                    field: field, value: device, position: position, reason: Validators.imeiFormatReason))
            }
            if let index = seen[packed] {
                duplicates.append(DuplicateDevice(deviceId: device, position: position, firstPosition: Int(positions[Int(index)])))
                distinct.append(index)
                continue
            }
            seen[packed] = Int32(ids.count)
            distinct.append(Int32(ids.count))
            if !Validators.luhnValid(packed) {
                warnings.append(DeviceWarning(
                    deviceId: device, position: position, message: "check digit does not match (Luhn); sent anyway"))
            }
            ids.append(device)
            positions.append(Int32(position))
        }
        input = devices
        deviceIds = ids
        self.positions = positions
        distinctIndexes = distinct
        self.duplicates = duplicates
        self.warnings = warnings
    }

    /// The index in `deviceIds` of the device at input position `offset` (0-based).
    public func distinctIndex(ofInput offset: Int) -> Int { Int(distinctIndexes[offset]) }

    /// True when the device at input position `offset` (0-based) repeats an earlier one.
    public func isRepeat(inputOffset offset: Int) -> Bool {
        Int(positions[distinctIndex(ofInput: offset)]) != offset + 1
    }

    /// 1-based input position of the first occurrence of the device at input position `offset`.
    public func firstPosition(ofInput offset: Int) -> Int { Int(positions[distinctIndex(ofInput: offset)]) }
}

/// Collects batch outcomes into the column-wise result.
struct BulkResultBuilder {
    var kinds: [UInt8]
    var statusIndex: [Int32]
    var reasonIndex: [Int32]
    var strings: [String] = []
    var stringIndex: [String: Int32] = [:]
    var errors: [ThingSpaceError] = []
    var errorIndex: [String: Int32] = [:]

    init(count: Int) {
        kinds = [UInt8](repeating: 2, count: count)
        statusIndex = [Int32](repeating: -1, count: count)
        reasonIndex = [Int32](repeating: -1, count: count)
    }

    mutating func intern(_ text: String?) -> Int32 {
        guard let text else { return -1 }
        if let index = stringIndex[text] { return index }
        let index = Int32(strings.count)
        strings.append(text)
        stringIndex[text] = index
        return index
    }

    /// Status strings meaning success: `AddDeviceSucceed`, `RemoveDeviceSucceed` and variants.
    static func isSuccess(_ status: String?) -> Bool {
        guard let status else { return false }
        return status.hasSuffix("Succeed") || status.hasSuffix("Succeeded") || status.hasSuffix("Success")
            || status.hasSuffix("Successful") || status.lowercased() == "success"
    }

    mutating func record(range: Range<Int>, deviceIds: [String], response: DeviceChangeResponse) {
        let items = response.deviceList
        // ThingSpace answers in request order; match by position and only build a lookup table
        // when the answer is shuffled, shorter or longer.
        let inOrder = items.count == range.count
            && zip(items, deviceIds[range]).allSatisfy { item, id in item.deviceId == id }
        var byDevice: [String: DeviceChangeResponse.Item] = [:]
        if !inOrder {
            byDevice.reserveCapacity(items.count)
            for item in items where byDevice[item.deviceId] == nil { byDevice[item.deviceId] = item }
        }
        let missing = intern("no result for this device in ThingSpace's answer")
        for index in range {
            if let item = inOrder ? items[index - range.lowerBound] : byDevice[deviceIds[index]] {
                kinds[index] = Self.isSuccess(item.status) ? 0 : 1
                statusIndex[index] = intern(item.status)
                reasonIndex[index] = intern(item.reason)
            } else {
                kinds[index] = 1
                statusIndex[index] = -1
                reasonIndex[index] = missing
            }
        }
    }

    /// The device is known to have been changed (read back after an ambiguous failure).
    mutating func confirm(_ index: Int, status: String, reason: String) {
        kinds[index] = 0
        statusIndex[index] = intern(status)
        reasonIndex[index] = intern(reason)
    }

    /// Adds a reason to a device that did not succeed (kept for failed devices; not-sent devices
    /// carry their error instead, so the reason joins it there).
    mutating func annotate(_ index: Int, reason: String) {
        if kinds[index] == 1 { reasonIndex[index] = intern(reason) }
    }

    mutating func recordNotSent(range: Range<Int>, error: ThingSpaceError) {
        let key = error.description
        let index: Int32
        if let existing = errorIndex[key] {
            index = existing
        } else {
            index = Int32(errors.count)
            errors.append(error)
            errorIndex[key] = index
        }
        for position in range {
            kinds[position] = 2
            statusIndex[position] = index
            reasonIndex[position] = -1
        }
    }
}
