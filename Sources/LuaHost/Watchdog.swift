import CLuaSupport
import Dispatch

/// Watches a script from outside its interpreter thread: the wall clock
/// (--timeout) and the interpreter thread's CPU clock (--cpu-limit). The
/// hook enforces both between instructions; the watchdog covers a script
/// stuck in one long C call (a catastrophic pattern match), where no hook
/// runs: it requests the stop, and if the interpreter has not ended within
/// the grace period, reports the limit so the caller can give up on it.
enum Watchdog {
    /// How often the clocks are read while the script runs.
    static let pollSeconds = 0.1

    /// Waits until `done` is signalled (nil) or a limit was requested and the
    /// grace period ran out without `done` (that limit).
    static func watch(
        _ host: HostAddress, done: DispatchSemaphore, timeout: Double, cpuLimit: Double, grace: Double
    ) -> LuaLimit? {
        let start = DispatchTime.now()
        var stoppedAt: DispatchTime?
        var limit: LuaLimit?
        while done.wait(timeout: .now() + pollSeconds) == .timedOut {
            let now = DispatchTime.now()
            if let stoppedAt {
                if seconds(from: stoppedAt, to: now) >= grace { return limit }
            } else if timeout > 0, seconds(from: start, to: now) >= timeout {
                lh_request_stop(host.pointer, Int32(LH_STOP_TIMEOUT))
                (stoppedAt, limit) = (now, .wallClock(seconds: timeout))
            } else if lh_cpu_overrun(host.pointer) > 0 {
                lh_request_stop(host.pointer, Int32(LH_STOP_CPU))
                (stoppedAt, limit) = (now, .cpu(seconds: cpuLimit))
            }
        }
        return nil
    }

    private static func seconds(from start: DispatchTime, to end: DispatchTime) -> Double {
        Double(end.uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}

/// The host block's address, used from the watchdog only through functions
/// that are safe from another thread (`lh_request_stop`, `lh_cpu_overrun`).
// @unchecked Sendable: those read and write only the C11 atomic fields of the
// block (stop, the CPU clock's base), plus fields set before the watchdog starts.
struct HostAddress: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<lh_Host>
    init(_ pointer: UnsafeMutablePointer<lh_Host>) { self.pointer = pointer }
}
