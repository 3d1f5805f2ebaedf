import CLua
import CLuaSupport
import Dispatch
import Foundation

/// What happened to one chunk typed at the prompt.
public enum ReplEvaluation: Sendable, Equatable {
    /// The chunk ran; its results (if any) were printed.
    case ran
    /// The chunk is not finished yet ("<eof>" syntax error): read another line.
    case incomplete
    /// A syntax or runtime error; the state is intact.
    case failed(LuaScriptError)
    case limitExceeded(LuaLimit)
    /// Ctrl-C stopped the chunk; the state is intact.
    case interrupted
    /// The chunk called os.exit(status).
    case exited(Int32)
}

/// Evaluates chunks the way lua.c does: `return <line>` first so expressions
/// print, then the line as a statement; a chunk that ends too early asks for
/// more input. Results go to the state's output through a pretty-printer.
///
/// Every chunk runs under the same limits as `fota run`: a fresh CPU budget,
/// the wall-clock `timeoutSeconds`, and a watchdog that stops a chunk stuck
/// in C and, if it does not unwind within the grace period, calls `onStuck`
/// (the state cannot be used again: the process must end).
public final class ReplSession {
    public let state: LuaState
    private var printerReference: Int32 = 0
    private let limits: LuaLimits
    /// Wall-clock limit of one chunk in seconds; 0 = none.
    public let timeoutSeconds: Double
    /// How long a stopped chunk may take to unwind before `onStuck` runs.
    public var gracePeriodSeconds: Double = 0.5
    /// Called on the watchdog thread when a chunk is stuck past a limit and
    /// the grace period. The default writes why on stderr and exits with 3,
    /// the status of a limit in `fota run`.
    public var onStuck: @Sendable (LuaLimit) -> Void = { limit in
        let what: String
        switch limit {
        case .cpu(let seconds): what = "CPU time limit (\(seconds) s)"
        case .wallClock(let seconds): what = "time limit (\(seconds) s)"
        case .memory: what = "memory limit"
        }
        FileHandle.standardError.write(Data("fota: the chunk passed the \(what) inside a C function and did not stop; exiting\n".utf8))
        exit(3)
    }

    public init(state: LuaState, limits: LuaLimits, timeoutSeconds: Double = 0) throws {
        self.state = state
        self.limits = limits
        self.timeoutSeconds = timeoutSeconds
        // The chunk returns the printer function; keep it in the registry, out of scripts' reach.
        try state.load(bytes: PrettyPrinter.source, chunkName: "=(printer)")
        var reference: Int32 = 0
        guard lh_repl_make_printer(state.L, &reference) == LUA_OK else {
            throw LuaHostFailure("cannot set up the result printer: \(state.popErrorMessage())")
        }
        printerReference = reference
    }

    /// Runs one complete or partial chunk of input.
    public func evaluate(_ source: String) -> ReplEvaluation {
        let L = state.L
        let base = lua_gettop(L)
        lh_repl_rearm(L)
        if (try? state.load(bytes: "return " + source + ";", chunkName: "=stdin")) == nil {
            do {
                try state.load(bytes: source, chunkName: "=stdin")
            } catch {
                lua_settop(L, base)
                if error.message.hasSuffix("<eof>") { return .incomplete }
                return .failed(error)
            }
        }
        let watch = watchChunk()
        // the watchdog is gone before the next chunk starts, so it cannot stop that one
        defer {
            watch.done.signal()
            watch.finished.wait()
        }
        let status = lh_pcall(L, 0, LUA_MULTRET)
        if status != LUA_OK {
            let error = state.currentError()
            lua_settop(L, base)
            return classify(error)
        }
        let count = lua_gettop(L) - base
        if count > 0 {
            if lh_repl_show(L, printerReference, count) != LUA_OK {
                let error = state.currentError()
                lua_settop(L, base)
                return classify(error)
            }
        }
        lua_settop(L, base)
        lh_flush_stdout()
        // an overrun in the chunk's last C call is still an overrun
        if lh_limits_settle(state.host) != Int32(LH_STOP_NONE) { return classify(LuaScriptError(message: "stopped")) }
        return .ran
    }

    /// Starts the watchdog of one chunk: signal `done` when the chunk ends,
    /// then wait for `finished`.
    private func watchChunk() -> (done: DispatchSemaphore, finished: DispatchSemaphore) {
        let done = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        let host = HostAddress(state.host)
        let (timeout, cpu, grace, onStuck) = (timeoutSeconds, limits.cpuSeconds, gracePeriodSeconds, onStuck)
        guard timeout > 0 || cpu > 0 else {
            finished.signal()
            return (done, finished)
        }
        let watchdog = Thread {
            if let limit = Watchdog.watch(host, done: done, timeout: timeout, cpuLimit: cpu, grace: grace) {
                onStuck(limit)
            }
            finished.signal()
        }
        watchdog.name = "fota-repl-watchdog"
        watchdog.start()
        return (done, finished)
    }

    /// Candidates for completing `text` (a name, or a path such as `fw[1].firm`), sorted.
    public func completions(for text: String) -> [String] {
        completionsCountingSteps(for: text).candidates
    }

    /// `completions(for:)` and the work it took (keys visited plus name
    /// comparisons): tests check with it that completion stays linear.
    public func completionsCountingSteps(for text: String) -> (candidates: [String], steps: Int) {
        var items: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil
        var count = 0
        var steps = 0
        let status = text.withCString { lh_complete(state.L, $0, text.utf8.count, &items, &count, &steps) }
        defer { lh_complete_free(items, count) }
        guard status == LUA_OK, let items else { return ([], steps) }
        return ((0..<count).compactMap { items[$0].map { String(cString: $0) } }, steps)
    }

    private func classify(_ error: LuaScriptError) -> ReplEvaluation {
        switch ScriptRunner.classify(error, host: state.host, limits: limits, timeout: timeoutSeconds) {
        case .exited(let status): return .exited(status)
        case .interrupted: return .interrupted
        case .limitExceeded(let limit): return .limitExceeded(limit)
        case .failed(let error): return .failed(error)
        case .finished: return .ran
        }
    }
}

extension LuaState {
    func load(bytes source: String, chunkName: String) throws(LuaScriptError) {
        let bytes = Array(source.utf8)
        let result: Result<Void, LuaScriptError> = bytes.withUnsafeBytes { buffer in
            do throws(LuaScriptError) {
                try load(bytes: buffer, chunkName: chunkName)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }
}
