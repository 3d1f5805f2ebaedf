import CLua
import CLuaSupport
import Foundation

/// A limit that stopped a run.
public enum LuaLimit: Sendable, Equatable {
    case memory(bytes: Int)
    case cpu(seconds: Double)
    case wallClock(seconds: Double)
}

/// How a script run ended.
public enum ScriptOutcome: Sendable {
    /// The chunk returned these values.
    case finished([LuaValue])
    /// An error escaped the script (or the script could not be loaded).
    case failed(LuaScriptError)
    case limitExceeded(LuaLimit)
    /// Ctrl-C.
    case interrupted
    /// The script called `os.exit(status)`.
    case exited(Int32)
}

/// Everything needed to run one script in a fresh sandboxed state.
public struct ScriptRun: Sendable {
    /// The script's path as the operator wrote it; errors name it this way.
    public var scriptPath: String
    public var arguments: [String]
    /// Extra folders `require` searches after the script's own folder.
    public var libraryPaths: [String]
    public var limits: LuaLimits
    /// Wall-clock limit in seconds, enforced from outside the VM; 0 = none.
    public var timeoutSeconds: Double
    /// How long to wait for a stopped script to unwind before giving up on it.
    public var gracePeriodSeconds: Double = 0.5
    /// Where `print` writes; stdout when nil.
    public var output: (@Sendable (UnsafeRawBufferPointer) -> Void)?
    /// Whether the chunk's return values are read back (the command line ignores them).
    public var readsResults = true
    /// Runs on the interpreter thread before the script, e.g. to install modules.
    public var prepare: (@Sendable (LuaState) throws -> Void)?
    /// The script's text when the caller has read it already (a pipe or a
    /// FIFO can be read only once); nil: it is read from `scriptPath`.
    public var source: Data?

    public init(
        scriptPath: String, arguments: [String] = [], libraryPaths: [String] = [],
        limits: LuaLimits = LuaLimits(), timeoutSeconds: Double = 0
    ) {
        self.scriptPath = scriptPath
        self.arguments = arguments
        self.libraryPaths = libraryPaths
        self.limits = limits
        self.timeoutSeconds = timeoutSeconds
    }
}

/// Runs scripts on a dedicated thread with an ample stack, under a watchdog.
public enum ScriptRunner {
    /// Stack of the interpreter thread: deep enough that Lua's own limits
    /// (C calls, nesting) trip long before the C stack runs out.
    public static let interpreterStackBytes = 64 << 20

    /// Runs the script to its end and reports how it ended. Blocks the caller.
    ///
    /// If a script is stuck in C code past its timeout or CPU limit and the
    /// grace period (a catastrophic pattern match), this returns
    /// `.limitExceeded` while the interpreter thread is abandoned; the command
    /// line then exits the process.
    public static func run(_ run: ScriptRun) -> ScriptOutcome {
        let source: Data
        if let given = run.source {
            source = given
        } else {
            do {
                source = try Data(contentsOf: URL(fileURLWithPath: run.scriptPath))
            } catch {
                return .failed(LuaScriptError(message: "cannot read script '\(run.scriptPath)': \(fileErrorReason(error))"))
            }
        }
        let host = UnsafeMutablePointer<lh_Host>.allocate(capacity: 1)
        host.initialize(to: lh_Host())
        let box = OutcomeBox()
        let done = DispatchSemaphore(value: 0)
        let hostAddress = HostAddress(host)
        let thread = Thread {
            box.outcome = execute(run, source: source, host: hostAddress.pointer)
            done.signal()
        }
        thread.stackSize = interpreterStackBytes
        thread.name = "fota-lua"
        thread.start()

        if let limit = Watchdog.watch(
            hostAddress, done: done, timeout: run.timeoutSeconds, cpuLimit: run.limits.cpuSeconds,
            grace: run.gracePeriodSeconds)
        {
            // The host block stays allocated: the abandoned thread may still read it.
            return .limitExceeded(limit)
        }
        host.deallocate()
        return box.outcome ?? .failed(LuaScriptError(message: "the interpreter thread ended without a result"))
    }

    private static func execute(_ run: ScriptRun, source: Data, host: UnsafeMutablePointer<lh_Host>) -> ScriptOutcome {
        let state: LuaState
        do {
            state = try LuaState(host: host, ownsHost: false, limits: run.limits)
        } catch {
            return .failed(LuaScriptError(message: "\(error)"))
        }
        if let output = run.output { state.output = { output($0) } }
        var outcome: ScriptOutcome
        do {
            try configureRequire(state, run: run)
            try state.setGlobal("arg", argumentTable(run))
            try run.prepare?(state)
            try source.withUnsafeBytes { try state.load(bytes: $0, chunkName: "@" + run.scriptPath) }
            let results = try state.callFunctionOnStack(
                arguments: run.arguments.map { .string($0) }, readingResults: run.readsResults)
            // A stop the script caught and then returned through a tail call
            // (`return pcall(os.exit, 3)`, `return pcall(loop)`) still ends the
            // run as a stop, and so does a CPU overrun in the chunk's last C call.
            _ = lh_limits_settle(host)
            outcome = stopOutcome(host: host, limits: run.limits, timeout: run.timeoutSeconds) ?? .finished(results)
        } catch let error as LuaScriptError {
            outcome = classify(error, host: host, limits: run.limits, timeout: run.timeoutSeconds)
        } catch {
            outcome = classify(LuaScriptError(message: "\(error)"), host: host, limits: run.limits, timeout: run.timeoutSeconds)
        }
        lh_flush_stdout()
        _ = consume state // closing runs finalizers, still under the budget and the hook
        return outcome
    }

    /// A failed call is put down to a tripped limit, Ctrl-C or os.exit when
    /// the host recorded one: the error text itself may have been rewritten by the script.
    /// Call it on the interpreter thread (it reads that thread's CPU clock).
    static func classify(_ error: LuaScriptError, host: UnsafeMutablePointer<lh_Host>, limits: LuaLimits, timeout: Double) -> ScriptOutcome {
        _ = lh_limits_settle(host)
        if let stop = stopOutcome(host: host, limits: limits, timeout: timeout) { return stop }
        if host.pointee.mem_refused != 0 && error.message.hasSuffix("not enough memory") {
            return .limitExceeded(.memory(bytes: limits.memoryBytes))
        }
        return .failed(error)
    }

    /// The outcome a sticky stop recorded in the host (limit, Ctrl-C, os.exit), if any.
    static func stopOutcome(host: UnsafeMutablePointer<lh_Host>, limits: LuaLimits, timeout: Double) -> ScriptOutcome? {
        switch lh_stop_reason(host) {
        case Int32(LH_STOP_EXIT): return .exited(Int32(host.pointee.exit_status))
        case Int32(LH_STOP_INTERRUPT): return .interrupted
        case Int32(LH_STOP_TIMEOUT): return .limitExceeded(.wallClock(seconds: timeout))
        case Int32(LH_STOP_CPU): return .limitExceeded(.cpu(seconds: limits.cpuSeconds))
        default:
            // Ctrl-C can end a host function's wait before any hook has seen it.
            return lh_interrupt_pending() != 0 ? .interrupted : nil
        }
    }

    private static func configureRequire(_ state: LuaState, run: ScriptRun) throws {
        let scriptFolder = (run.scriptPath as NSString).deletingLastPathComponent
        try state.setRequirePath([scriptFolder.isEmpty ? "." : scriptFolder] + run.libraryPaths)
    }

    /// `arg` as lua.c builds it: arg[0] is the script, arg[1…] its arguments.
    private static func argumentTable(_ run: ScriptRun) -> LuaValue {
        var entries: [LuaKey: LuaValue] = [.integer(0): .string(run.scriptPath)]
        for (i, argument) in run.arguments.enumerated() { entries[.integer(Int64(i + 1))] = .string(argument) }
        return .map(entries)
    }
}

/// Hands the outcome from the interpreter thread to the waiting caller.
// @unchecked Sendable: written once by the interpreter thread before it
// signals the semaphore, read by the caller only after waiting on it.
private final class OutcomeBox: @unchecked Sendable {
    var outcome: ScriptOutcome?
}

/// Why reading or writing a file failed, in the system's words ("No such file or
/// directory", "Permission denied"): Foundation's own text names no cause on Linux.
public func fileErrorReason(_ error: any Error) -> String {
    let nsError = error as NSError
    if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(underlying.code)))
    }
    switch nsError.code {
    case NSFileReadNoSuchFileError: return String(cString: strerror(ENOENT))
    case NSFileReadNoPermissionError, NSFileWriteNoPermissionError: return String(cString: strerror(EACCES))
    default: return nsError.localizedDescription
    }
}
