/// Wire-format checks and renderings shared by every route. IMEIs are kept as integers internally
/// (fast to hash and compare, and numeric order equals string order for fixed-width 15-digit ids).
enum Identifiers {
    /// Parses a 15-digit IMEI string; nil when it is not exactly 15 ASCII digits.
    static func imei(_ text: some StringProtocol) -> UInt64? {
        guard text.utf8.count == 15 else { return nil }
        var value: UInt64 = 0
        for byte in text.utf8 {
            guard byte >= 48, byte <= 57 else { return nil }
            value = value * 10 + UInt64(byte - 48)
        }
        return value
    }

    /// Renders a number as a zero-padded decimal string of `width` digits.
    static func digits(_ value: UInt64, width: Int) -> String {
        String(unsafeUninitializedCapacity: width) { buffer in
            var rest = value
            for index in stride(from: width - 1, through: 0, by: -1) {
                buffer[index] = UInt8(48 + rest % 10)
                rest /= 10
            }
            return width
        }
    }

    static func imeiString(_ value: UInt64) -> String {
        digits(value, width: 15)
    }

    /// Luhn check digit for the 14 leading digits of an IMEI.
    static func luhnCheckDigit(_ body: UInt64) -> UInt64 {
        var sum: UInt64 = 0
        var rest = body
        var double = true  // the rightmost body digit is doubled
        while rest > 0 {
            var digit = rest % 10
            if double {
                digit *= 2
                if digit > 9 { digit -= 9 }
            }
            sum += digit
            double.toggle()
            rest /= 10
        }
        return (10 - sum % 10) % 10
    }

    static func isLuhnValid(_ imei: UInt64) -> Bool {
        luhnCheckDigit(imei / 10) == imei % 10
    }

    /// Account names are opaque strings of digits and hyphens; leading zeros are significant.
    static func isValidAccountName(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }

    /// 8-4-4-4-12 hexadecimal, the shape of the upgrade ids this service hands out.
    static func isUUIDShaped(_ text: some StringProtocol) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == 45 else { return false }
            } else {
                let isHex = (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 102) || (byte >= 65 && byte <= 70)
                guard isHex else { return false }
            }
        }
        return true
    }
}
