import Foundation

/// Best wall time of `repetitions` runs, in seconds: the least disturbed run
/// is the best estimate of the work itself on a shared machine.
func bestTime(repetitions: Int, _ body: () throws -> Void) rethrows -> Double {
    var best = Double.infinity
    let clock = ContinuousClock()
    for _ in 0..<repetitions {
        let elapsed = try clock.measure(body)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        best = min(best, seconds)
    }
    return best
}

/// One result line: what was measured, fota's time, the baseline's, the ratio and the target.
func report(_ name: String, fota: Double, baseline: Double, baselineName: String, target: Double) {
    let ratio = fota / baseline
    let verdict = ratio <= target ? "meets" : "MISSES"
    print(
        String(
            format: "%@: fota %.1f ms, %@ %.1f ms, ratio %.2fx (target <= %.1fx: %@)",
            name, fota * 1000, baselineName, baseline * 1000, ratio, target, verdict))
}

/// Integer value of `--name N` in the arguments, or the default.
func option(_ name: String, in arguments: [String], default value: Int) -> Int {
    guard let index = arguments.firstIndex(of: "--\(name)"), index + 1 < arguments.count,
        let parsed = Int(arguments[index + 1])
    else { return value }
    return parsed
}
