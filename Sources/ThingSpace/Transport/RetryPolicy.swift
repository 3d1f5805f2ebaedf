/// How failed requests are repeated. Only requests safe to repeat (GET, add/remove PUT, DELETE,
/// token and login requests) are retried on 5xx, timeouts and dropped connections; scheduling is
/// retried only where the request certainly did not reach ThingSpace (connect error, 429).
public struct RetryPolicy: Sendable, Equatable {
    /// Total attempts including the first one (1 = no retries).
    public var maxAttempts: Int
    /// Delay before the first retry; doubled for each further retry.
    public var baseDelay: Duration
    /// Upper bound of a backoff delay.
    public var maxDelay: Duration
    /// Upper bound of a wait requested by `Retry-After`.
    public var maxRetryAfter: Duration

    public init(maxAttempts: Int = 4, baseDelay: Duration = .milliseconds(250), maxDelay: Duration = .seconds(8),
                maxRetryAfter: Duration = .seconds(60)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// No retries at all.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// Backoff before retry number `retry` (1 = first retry): exponential with "equal jitter"
    /// (half fixed, half random) so simultaneous clients spread out but never retry instantly.
    func backoff(retry: Int) -> Duration {
        let exponent = min(max(retry - 1, 0), 30)
        let raw = baseDelay * (1 << exponent)
        let capped = raw > maxDelay ? maxDelay : raw
        let half = capped / 2
        let jitterNanos = Int64.random(in: 0...max(0, nanoseconds(half)))
        return half + .nanoseconds(jitterNanos)
    }

    /// Delay to honour for a `Retry-After` value, capped; nil when the header is unusable.
    func retryAfterDelay(_ header: String, now: Double) -> Duration? {
        guard let seconds = RetryAfter.seconds(header, now: now) else { return nil }
        let requested = Duration.milliseconds(Int64((max(0, seconds) * 1000).rounded()))
        return requested > maxRetryAfter ? maxRetryAfter : requested
    }
}

func nanoseconds(_ duration: Duration) -> Int64 {
    let (seconds, attoseconds) = duration.components
    return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
}

/// `Retry-After` is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
enum RetryAfter {
    static func seconds(_ header: String, now: Double) -> Double? {
        let text = header.trimmedOf(" \t")
        if let seconds = Int(text) { return Double(seconds) }
        if let date = httpDate(text) { return date - now }
        return nil
    }

    /// IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`, as seconds since 1970.
    static func httpDate(_ text: String) -> Double? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let year = Int(parts[3]) else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let monthIndex = months.firstIndex(of: String(parts[2])) else { return nil }
        let time = parts[4].split(separator: ":").compactMap { Int($0) }
        guard time.count == 3 else { return nil }
        let days = daysFromCivil(year: year, month: monthIndex + 1, day: day)
        return Double(days * 86_400 + time[0] * 3600 + time[1] * 60 + time[2])
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

extension StringProtocol {
    func trimmedOf(_ characters: String) -> String {
        let set = Set(characters)
        var slice = self[...]
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
