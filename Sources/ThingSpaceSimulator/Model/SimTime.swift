/// Calendar arithmetic on UTC epoch seconds. Hand-rolled (days-from-civil) because it is exact,
/// allocation-light and independent of locale and time-zone databases.
enum SimTime {
    static let day: Int64 = 86_400

    static func epochDays(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = (month + 9) % 12
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Midnight UTC at the start of the day containing `seconds`.
    static func startOfDay(_ seconds: Int64) -> Int64 {
        floorDiv(seconds, day) * day
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        Identifiers.digits(UInt64(max(value, 0)), width: width)
    }

    /// `2026-03-01`
    static func dateString(_ seconds: Int64) -> String {
        let (y, m, d) = civil(floorDiv(seconds, day))
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }

    private static func timeParts(_ seconds: Int64) -> (String, String) {
        let within = seconds - floorDiv(seconds, day) * day
        let time = "\(pad(within / 3600, 2)):\(pad(within % 3600 / 60, 2)):\(pad(within % 60, 2))"
        return (dateString(seconds), time)
    }

    /// RFC 3339 UTC: `2026-03-01T00:00:00Z`
    static func rfc3339(_ seconds: Int64) -> String {
        let (date, time) = timeParts(seconds)
        return "\(date)T\(time)Z"
    }

    /// The Go-style stamp the docs show for `updateTime`/`upgradeTime`: `2026-03-01 00:00:00.000 +0000 UTC`
    static func goStyle(_ seconds: Int64) -> String {
        let (date, time) = timeParts(seconds)
        return "\(date) \(time).000 +0000 UTC"
    }

    /// Parses a strict `YYYY-MM-DD` into the epoch seconds of its midnight UTC.
    static func parseDate(_ text: String) -> Int64? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }),
              let year = Int64(parts[0]), let month = Int64(parts[1]), let dayOfMonth = Int64(parts[2]),
              (1...12).contains(month), (1...31).contains(dayOfMonth)
        else { return nil }
        let days = epochDays(year: year, month: month, day: dayOfMonth)
        // Reject dates like 2026-02-30 that roll over into the next month.
        let check = civil(days)
        guard check.month == month, check.day == dayOfMonth else { return nil }
        return days * day
    }

    /// Parses `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS[.fff]Z`.
    static func parseTimestamp(_ text: String) -> Int64? {
        if let midnight = parseDate(text) { return midnight }
        guard text.count >= 20, text.hasSuffix("Z") else { return nil }
        let datePart = String(text.prefix(10))
        let rest = text.dropFirst(10)
        guard rest.first == "T" || rest.first == " ", let midnight = parseDate(datePart) else { return nil }
        guard let clock = rest.dropFirst().dropLast().split(separator: ".", maxSplits: 1).first else { return nil }
        let fields = clock.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 3, let h = Int64(fields[0]), let m = Int64(fields[1]), let s = Int64(fields[2]),
              (0..<24).contains(h), (0..<60).contains(m), (0..<61).contains(s)
        else { return nil }
        return midnight + h * 3600 + m * 60 + s
    }
}
