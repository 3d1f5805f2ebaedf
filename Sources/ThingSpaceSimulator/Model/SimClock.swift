/// The simulated clock. Simulated "now" starts at a fixed instant and moves only when advanced through
/// `/_sim/clock/advance`, unless a rate is set, in which case it also follows wall time at that rate.
/// Everything campaign-related (validation, start, finish, history dates) reads this clock; token and
/// session lifetimes deliberately use wall time because the client experiences those in real time.
struct SimClock: Sendable {
    private let start: Int64
    private let rate: Double
    private let wall: WallClock
    private let wallOrigin: ContinuousClock.Instant
    private var manualOffset: Int64 = 0
    /// Highest value handed out; `now` never goes backwards even with a fractional rate.
    private var last: Int64

    init(start: Int64, rate: Double, wall: WallClock = .system) {
        self.start = start
        self.rate = rate
        self.wall = wall
        wallOrigin = wall.now()
        self.last = start
    }

    mutating func now() -> Int64 {
        var value = start + manualOffset
        if rate > 0 {
            let elapsed = wall.now() - wallOrigin
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            value += Int64(seconds * rate)
        }
        last = max(last, value)
        return last
    }

    mutating func advance(by seconds: Int64) {
        manualOffset += max(seconds, 0)
    }
}
