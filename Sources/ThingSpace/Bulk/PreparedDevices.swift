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
    /// The 1-based input position of distinct device `distinct`.
    public func firstPosition(ofDistinct distinct: Int) -> Int { Int(positions[distinct]) }
}
