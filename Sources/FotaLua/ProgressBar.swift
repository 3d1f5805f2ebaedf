import Foundation
import LuaHost
import Synchronization

/// A progress line on stderr for long bulk calls: devices done / total, rate
/// and time left. Redrawn at most ten times a second; only used when stderr
/// is a terminal, so logs and pipes get nothing extra.
final class ProgressBar: Sendable {
    private struct State {
        var lastDraw: ContinuousClock.Instant?
        var drawn = false
    }

    private let label: String
    private let started = ContinuousClock.now
    private let state = Mutex(State())

    init(label: String) { self.label = label }

    func update(done: Int, total: Int) {
        let now = ContinuousClock.now
        let line: String? = state.withLock { state in
            if done < total, let last = state.lastDraw, now - last < .milliseconds(100) { return nil }
            state.lastDraw = now
            state.drawn = true
            return Self.render(label: label, done: done, total: total, elapsed: now - started)
        }
        if let line { FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8)) }
    }

    /// Ends the line so later output starts on a fresh one.
    func finish() {
        if state.withLock({ $0.drawn }) { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    /// The line without the redraw controls; the label is escaped like all terminal text.
    static func render(label: String, done: Int, total: Int, elapsed: Duration) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let eta = rate > 0 && done < total ? String(format: ", %.0f s left", Double(total - done) / rate) : ""
        return String(format: "%@ [%@] %d/%d devices, %.0f/s%@", TerminalText.escape(label, singleLine: true), bar, done, total, rate, eta)
    }
}
