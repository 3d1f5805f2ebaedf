import Foundation

/// Collects batch outcomes into the column-wise result.
struct BulkResultBuilder {
    var kinds: [DeviceOutcomeKind]
    var statusIndex: [Int32]
    var reasonIndex: [Int32]
    var strings: [String] = []
    var stringIndex: [String: Int32] = [:]
    var errors: [ThingSpaceError] = []
    var errorIndex: [String: Int32] = [:]

    init(count: Int) {
        kinds = [DeviceOutcomeKind](repeating: .notSent, count: count)
        statusIndex = [Int32](repeating: -1, count: count)
        reasonIndex = [Int32](repeating: -1, count: count)
    }

    /// The last two texts interned, compared before hashing: an answer repeats its status and
    /// its reason device after device, which made hashing most of the work here.
    private var recent: (first: (String, Int32)?, second: (String, Int32)?)

    mutating func intern(_ text: String?) -> Int32 {
        guard let text else { return -1 }
        if let (known, index) = recent.first, known == text { return index }
        if let (known, index) = recent.second, known == text {
            recent = (recent.second, recent.first)
            return index
        }
        let index = Self.index(of: text, text, in: &strings, known: &stringIndex)
        recent = ((text, index), recent.first)
        return index
    }

    /// The index of `key`'s value in `values`, appending `value` the first time `key` is seen.
    private static func index<Key: Hashable, Value>(of key: Key, _ value: @autoclosure () -> Value, in values: inout [Value],
                                                     known: inout [Key: Int32]) -> Int32 {
        if let existing = known[key] { return existing }
        let index = Int32(values.count)
        values.append(value())
        known[key] = index
        return index
    }

    /// Status strings meaning success: `AddDeviceSucceed`, `RemoveDeviceSucceed` and variants.
    static func isSuccess(_ status: String?) -> Bool {
        guard let status else { return false }
        return status.hasSuffix("Succeed") || status.hasSuffix("Succeeded") || status.hasSuffix("Success")
            || status.hasSuffix("Successful") || status.lowercased() == "success"
    }

    /// ThingSpace's answer for a device the change does not concern: D8 (`AddDeviceFailed`,
    /// `Device already in upgrade`) to an append, D10 (`RemoveDeviceFailed`, `Device not in
    /// upgrade`) to a remove (docs/thingspace-api.md §4 "Device statuses"). Both speak of this
    /// upgrade only: a device held by another upgrade is accepted by A5 and rejected later at
    /// validation (R5), so it never reaches this test. Any other failure text stays a failure.
    static func isUnchanged(_ type: DeviceChangeType, status: String?, reason: String?) -> Bool {
        guard let status, let reason else { return false }
        let said = reason.trimmingCharacters(in: .whitespaces).lowercased()
        switch type {
        case .append: return status == "AddDeviceFailed" && said == "device already in upgrade"
        case .remove: return status == "RemoveDeviceFailed" && said == "device not in upgrade"
        }
    }

    /// The outcome of device `index` as the result would show it.
    func outcome(_ index: Int, deviceIds: [String], positions: [Int32]) -> DeviceOutcome {
        DeviceOutcome(stored: index, deviceId: deviceIds[index], position: positions[index], kinds: kinds,
                      statusIndex: statusIndex, reasonIndex: reasonIndex, strings: strings, errors: errors)
    }

    mutating func record(_ type: DeviceChangeType, range: Range<Int>, deviceIds: [String], response: DeviceChangeResponse) {
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
                kinds[index] = Self.isSuccess(item.status) ? .succeeded
                    : Self.isUnchanged(type, status: item.status, reason: item.reason) ? .unchanged : .failed
                statusIndex[index] = intern(item.status)
                reasonIndex[index] = intern(item.reason)
            } else {
                kinds[index] = .failed
                statusIndex[index] = -1
                reasonIndex[index] = missing
            }
        }
    }

    /// The device is known to have been changed (read back after an ambiguous failure).
    mutating func confirm(_ index: Int, status: String, reason: String) {
        kinds[index] = .succeeded
        statusIndex[index] = intern(status)
        reasonIndex[index] = intern(reason)
    }

    /// Adds a reason to a device that did not succeed (kept for failed devices; not-sent devices
    /// carry their error instead, so the reason joins it there).
    /// An unchanged device is left as it is: its answer says it is where the change wants it,
    /// only not whether the attempt whose answer was lost put it there.
    mutating func annotate(_ index: Int, reason: String) {
        if kinds[index] == .failed { reasonIndex[index] = intern(reason) }
    }

    mutating func recordNotSent(range: Range<Int>, error: ThingSpaceError) {
        let index = Self.index(of: error.description, error, in: &errors, known: &errorIndex)
        for position in range {
            kinds[position] = .notSent
            statusIndex[position] = index
            reasonIndex[position] = -1
        }
    }
}
