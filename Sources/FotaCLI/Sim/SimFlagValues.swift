import ArgumentParser

/// Parsers for the values of simulator flags (durations, shares, failure rates), shared by `fota sim` and the
/// `--sim-*` flags of `fota run/repl --simulate`. Each error names the flag and the value it could not read.
enum SimFlagValues {
    /// `90`, `90s`, `2m`, `2h`, `7d` → seconds (plain numbers are seconds).
    static func seconds(_ text: String, flag: String) throws -> Int64 {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var digits = Substring(text)
        var unit: Int64 = 1
        if let last = text.last, let factor = units[last] {
            digits = text.dropLast()
            unit = factor
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let value = Int64(digits), value >= 0,
              value <= 100 * 366 * 86_400 / unit
        else {
            throw ValidationError("\(flag) expects a duration such as 90, 90s, 15m, 2h or 7d (got \"\(text)\").")
        }
        return value * unit
    }

    /// `5%` or `0.05` → 0.05, within 0…1.
    static func share(_ text: String, flag: String) throws -> Double {
        let isPercent = text.hasSuffix("%")
        guard let number = Double(isPercent ? String(text.dropLast()) : text), number.isFinite else {
            throw ValidationError("\(flag) expects a share such as 0.05 or 5% (got \"\(text)\").")
        }
        let value = isPercent ? number / 100 : number
        guard (0...1).contains(value) else {
            throw ValidationError("\(flag) must be between 0 and 1 (0% and 100%) (got \"\(text)\").")
        }
        return value
    }

    /// `R` (the default rate) or `MODEL=R` / `FIRMWARE=R` (an override); R as for `share`.
    static func failureRate(_ text: String, flag: String) throws -> (key: String?, rate: Double) {
        guard let equals = text.lastIndex(of: "=") else { return (nil, try share(text, flag: flag)) }
        let key = String(text[..<equals])
        guard !key.isEmpty else {
            throw ValidationError("\(flag) expects R or MODEL=R, e.g. 0.02 or BG96=0.1 (got \"\(text)\").")
        }
        return (key, try share(String(text[text.index(after: equals)...]), flag: "\(flag) \(key)"))
    }

    /// `04:00` or `04:00:00` (UTC) → seconds after midnight.
    static func timeOfDay(_ text: String, flag: String) throws -> Int64 {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { Int64($0) }
        guard (2...3).contains(parts.count), parts.allSatisfy({ $0 != nil }),
              let hours = parts[0], let minutes = parts[1], (0..<24).contains(hours), (0..<60).contains(minutes),
              (0..<60).contains(parts.count == 3 ? parts[2]! : 0)
        else {
            throw ValidationError("\(flag) expects a UTC time of day such as 04:00 (got \"\(text)\").")
        }
        return hours * 3600 + minutes * 60 + (parts.count == 3 ? parts[2]! : 0)
    }
}
