import Synchronization
// Every test file here sees the shared fixtures (Sim, HTTPReply, jsonList).
@_exported import TestSupport
@testable import ThingSpaceSimulator

/// Wall time that moves only when the test says so: token and session lifetimes, and a clock
/// rate, are tested by advancing it instead of sleeping through them.
final class ManualWallClock: Sendable {
    private let origin = ContinuousClock.now
    private let elapsed = Mutex<Duration>(.zero)

    var clock: WallClock {
        WallClock { [self] in origin + elapsed.withLock { $0 } }
    }

    func advance(_ duration: Duration) {
        elapsed.withLock { $0 += duration }
    }
}
