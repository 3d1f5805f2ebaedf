/// Checks run before anything is sent, so a typo fails fast with the offending value and its
/// position instead of a vague 400 after a partial bulk change.
public enum Validators {
    /// Account names are opaque strings of digits and hyphens; leading zeros are significant,
    /// so the value is never converted to a number.
    public static func account(_ value: String, field: String = "account") throws(ThingSpaceError) {
        if value.isEmpty {
            throw .validation(ValidationError(field: field, value: value, reason: "must not be empty"))
        }
        var sawDigit = false
        for byte in value.utf8 {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                sawDigit = true
            } else if byte != UInt8(ascii: "-") {
                throw .validation(ValidationError(
                    field: field, value: value, reason: "must contain only digits and hyphens, e.g. 0242078689-00001"))
            }
        }
        if !sawDigit {
            throw .validation(ValidationError(field: field, value: value, reason: "must contain digits"))
        }
    }

    /// Upgrade ids are UUIDs in the 8-4-4-4-12 hexadecimal form.
    public static func upgradeId(_ value: String, field: String = "upgradeId") throws(ThingSpaceError) {
        if !isUUID(value) {
            throw .validation(ValidationError(
                field: field, value: value, reason: "must be a UUID like 3f2b6c1e-9a4d-4f7e-8b2a-1c5d6e7f8a9b"))
        }
    }

    static func isUUID(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                if byte != UInt8(ascii: "-") { return false }
            } else if !isHexDigit(byte) {
                return false
            }
        }
        return true
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
    }

    /// Result of checking one IMEI.
    public enum IMEICheck: Sendable, Equatable {
        case valid
        /// 15 digits but the last digit is not the Luhn check digit of the first 14: ThingSpace
        /// may still know the device (test equipment), so this is only a warning.
        case luhnMismatch
    }

    static let imeiFormatReason = "an IMEI must be exactly 15 digits 0-9"

    /// An IMEI is exactly 15 ASCII digits. Returns `.luhnMismatch` (a warning) when the check digit is off.
    @discardableResult
    public static func imei(_ value: String, field: String = "deviceId", position: Int? = nil) throws(ThingSpaceError) -> IMEICheck {
        guard let packed = packIMEI(value) else {
            throw .validation(ValidationError(
                field: field, value: value, position: position, reason: imeiFormatReason))
        }
        return luhnValid(packed) ? .valid : .luhnMismatch
    }

    /// The 15 digits as a number, or nil when `value` is not 15 ASCII digits. Numbers make
    /// de-duplicating a million IMEIs cheap; the string itself is still what gets sent.
    static func packIMEI(_ value: String) -> UInt64? {
        var result: UInt64 = 0
        var count = 0
        for byte in value.utf8 {
            guard byte >= 0x30 && byte <= 0x39, count < 15 else { return nil }
            result = result &* 10 &+ UInt64(byte &- 0x30)
            count += 1
        }
        return count == 15 ? result : nil
    }

    static func luhnValid(_ packed: UInt64) -> Bool {
        var number = packed
        var sum: UInt64 = 0
        var double = false
        for _ in 0..<15 {
            var digit = number % 10
            number /= 10
            if double {
                digit *= 2
                if digit > 9 { digit -= 9 }
            }
            sum += digit
            double.toggle()
        }
        return sum % 10 == 0
    }

    /// Dates are `YYYY-MM-DD` and must exist in the Gregorian calendar (no 2025-02-30).
    public static func date(_ value: String, field: String) throws(ThingSpaceError) {
        let bytes = Array(value.utf8)
        func fail(_ reason: String) -> ThingSpaceError {
            .validation(ValidationError(field: field, value: value, reason: reason))
        }
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else {
            throw fail("must be a date in the form YYYY-MM-DD")
        }
        func number(_ range: Range<Int>) -> Int? {
            var result = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                result = result * 10 + Int(byte - 0x30)
            }
            return result
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else {
            throw fail("must be a date in the form YYYY-MM-DD")
        }
        guard (1...12).contains(month) else { throw fail("month \(month) does not exist") }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard year >= 1, (1...daysInMonth).contains(day) else {
            throw fail("day \(day) does not exist in \(year)-\(month < 10 ? "0" : "")\(month)")
        }
    }

    /// The status path segment of the upgrades report must be one of the six documented states.
    public static func reportStatus(_ value: String, field: String = "status") throws(ThingSpaceError) -> UpgradeStatus {
        let status = UpgradeStatus(rawValue: value)
        guard UpgradeStatus.reportable.contains(status) else {
            let allowed = UpgradeStatus.reportable.map(\.rawValue).joined(separator: ", ")
            throw .validation(ValidationError(field: field, value: value, reason: "must be one of \(allowed)"))
        }
        return status
    }

    /// Callback URLs must be absolute http(s) URLs; ThingSpace posts to them.
    public static func callbackURL(_ value: String) throws(ThingSpaceError) {
        let lower = value.lowercased()
        guard (lower.hasPrefix("https://") || lower.hasPrefix("http://")), value.count > 8,
              !value.utf8.contains(where: { $0 <= 0x20 })
        else {
            throw .validation(ValidationError(field: "url", value: value, reason: "must be an absolute http:// or https:// URL"))
        }
    }
}
