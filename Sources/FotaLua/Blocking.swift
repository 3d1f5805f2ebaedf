import Dispatch
import LuaHost
import Synchronization

/// Raised into Lua when a blocked call gave up because the run is stopping
/// (Ctrl-C, a limit); the host's hook then ends the run.
struct CallInterrupted: Error, CustomStringConvertible {
    var call: String
    /// For a change sent in batches: how its batches stand (finished, unknown, not sent).
    var standing: String?
    var description: String {
        "\(call) was interrupted before it finished; " + (standing ?? "its outcome is unknown (`fota journal unknown` lists it)")
    }
}

/// Runs async client work from a host function, which runs on the
/// interpreter thread and must return synchronously. Polls for Ctrl-C and
/// tripped limits so a slow API call can be interrupted: the task is
/// cancelled and the call raises.
func waitFor<T: Sendable>(
    _ stop: LuaStopSignal, call: String, _ operation: @escaping @Sendable () async throws -> T
) throws -> T {
    try runBlocking(stopWhen: { stop.isRequested }, operation) ?? { throw CallInterrupted(call: call) }()
}

/// Runs async work from synchronous code and waits for it; nil when `stopWhen`
/// said to give up first (the work is then cancelled).
public func runBlocking<T: Sendable>(
    stopWhen: () -> Bool = { false }, _ operation: @escaping @Sendable () async throws -> T
) throws -> T? {
    let outcome = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    let task = Task.detached {
        let result: Result<T, any Error>
        do { result = .success(try await operation()) } catch { result = .failure(error) }
        outcome.withLock { $0 = result }
        done.signal()
    }
    while done.wait(timeout: .now() + .milliseconds(20)) == .timedOut {
        if stopWhen() {
            task.cancel()
            // Give the cancelled requests a moment to unwind; the journal already holds the intent.
            _ = done.wait(timeout: .now() + .seconds(1))
            return nil
        }
    }
    return try outcome.withLock { $0! }.get()
}
