/// Where the simulator reads wall time: token and session lifetimes (a client experiences those
/// in real time) and a simulated clock running at a rate. Production reads the continuous clock;
/// tests substitute a clock they move by hand instead of sleeping through a lifetime.
struct WallClock: Sendable {
    let now: @Sendable () -> ContinuousClock.Instant

    static let system = WallClock { ContinuousClock.now }
}
