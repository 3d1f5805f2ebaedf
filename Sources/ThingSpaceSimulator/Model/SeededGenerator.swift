/// SplitMix64: tiny, fast and fully determined by its seed, which is what a reproducible fleet needs
/// (the system generator is neither seedable nor stable across platforms).
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0..<bound` without the cost of the generic `Int.random(in:using:)` path.
    mutating func below(_ bound: UInt64) -> UInt64 {
        next() % bound
    }

    /// True with probability `permille / 1000`.
    mutating func chance(permille: UInt64) -> Bool {
        below(1000) < permille
    }
}
