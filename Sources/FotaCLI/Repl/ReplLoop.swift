import CLineEdit
import Foundation
import FotaLua
import LuaHost

/// Reads chunks, runs them in one sandboxed state and shows the results.
final class ReplLoop {
    let settings: ReplSettings
    private var session: ReplSession?
    private var anyChunkFailed = false

    init(settings: ReplSettings) { self.settings = settings }

    /// Runs until end of input; returns the exit status.
    func run() -> Int32 {
        let session: ReplSession
        do {
            let state = try LuaState(limits: settings.limits.luaLimits)
            try configure(state)
            session = try ReplSession(state: state, limits: settings.limits.luaLimits, timeoutSeconds: settings.limits.timeout)
        } catch {
            printError("cannot start the prompt: \(error)")
            return ExitStatus.configuration
        }
        self.session = session
        LuaProcess.installInterruptHandler()
        defer { LuaProcess.uninstallInterruptHandler() }
        return settings.interactive ? runInteractive(session) : runPiped(session)
    }

    private func configure(_ state: LuaState) throws {
        try FotaModule.install(in: state, runtime: settings.session.runtime)
        try ReplHelp.install(in: state)
        // At the prompt, require searches the current folder first.
        try state.setRequirePath(["."] + settings.libraryPaths)
    }

    private func runInteractive(_ session: ReplSession) -> Int32 {
        printOutput(banner())
        LuaProcess.flushStandardOutput()
        let history = try? StatePaths.file("history")
        let context = Unmanaged.passUnretained(self).toOpaque()
        le_init(history, Int32(ReplCommand.historyLimit), replComplete, context)
        var pending = ""
        while true {
            var raw: UnsafeMutablePointer<CChar>? = nil
            let status = le_readline(pending.isEmpty ? "> " : ">> ", &raw)
            if status == Int32(LE_EOF) {
                print()
                break
            }
            if status == Int32(LE_INTERRUPT) {
                pending = ""
                continue
            }
            let line = String(cString: raw!)
            free(raw)
            pending = pending.isEmpty ? line : pending + "\n" + line
            if pending.allSatisfy(\.isWhitespace) {
                pending = ""
                continue
            }
            let result = evaluate(pending, session: session)
            if case .incomplete = result { continue }
            le_add_history(pending)
            // os.exit leaves through the caller like the end of input, so the
            // dry-run plan is printed and the session logged out.
            if case .exited(let status) = result { return status }
            pending = ""
        }
        // At a terminal the operator saw each error as it happened: leaving is
        // not a failure. Only piped input (a script fed to the prompt) reports them.
        return ExitStatus.success
    }

    private func runPiped(_ session: ReplSession) -> Int32 {
        var pending = ""
        while let line = readLine(strippingNewline: true) {
            pending = pending.isEmpty ? line : pending + "\n" + line
            if pending.allSatisfy(\.isWhitespace) {
                pending = ""
                continue
            }
            let result = evaluate(pending, session: session)
            if case .incomplete = result { continue }
            if case .exited(let status) = result { return status }
            pending = ""
        }
        if !pending.isEmpty {
            // The input ended inside a chunk: report it as Lua would.
            anyChunkFailed = true
            printError("stdin: unexpected end of input in an unfinished chunk:\n\(pending)")
        }
        return anyChunkFailed ? ExitStatus.scriptError : ExitStatus.success
    }

    /// Runs one chunk and reports a failure; the state survives whatever happens.
    @discardableResult
    private func evaluate(_ chunk: String, session: ReplSession) -> ReplEvaluation {
        let result = session.evaluate(chunk)
        LuaProcess.flushStandardOutput()
        switch result {
        case .ran, .incomplete:
            break
        case .failed(let error):
            anyChunkFailed = true
            printError(error.description, prefixed: false)
        case .limitExceeded(let limit):
            anyChunkFailed = true
            printError(settings.limits.explain(limit), prefixed: false)
        case .interrupted:
            anyChunkFailed = true
            printError("interrupted", prefixed: false)
        case .exited:
            break // the read loop returns the status
        }
        return result
    }

    private func banner() -> String {
        let runtime = settings.session.runtime
        let mode: String
        switch runtime.settings.mode {
        case .live where settings.session.isSimulated: mode = "changes go to the built-in simulator only, never to ThingSpace"
        case .live: mode = "changes are sent to ThingSpace and journaled"
        case .dryRun: mode = "DRY RUN: changes are only planned and journaled"
        case .readOnly: mode = "READ-ONLY: changes are refused"
        }
        let connection = runtime.client == nil
            ? "no ThingSpace credentials (use --simulate, --profile or THINGSPACE_* variables)"
            : "\(settings.session.endpointDescription), account \(runtime.settings.defaultAccount ?? "(none: pass opts.account)")"
        return """
            fota repl — Lua 5.4 in the fota sandbox (memory \(settings.limits.memoryLimit) MiB, CPU \
            \(Int(settings.limits.cpuLimit)) s per chunk)
            Talking to \(connection); \(mode).
            help() for help, Ctrl-D to exit.
            """
    }

    fileprivate func completions(for text: String) -> [String] {
        session?.completions(for: text) ?? []
    }
}

/// libedit asks for completions through this capture-free function; the
/// ReplLoop comes back through the context pointer.
private let replComplete: le_CompleteFn = { context, text, count in
    let loop = Unmanaged<ReplLoop>.fromOpaque(context!).takeUnretainedValue()
    let candidates = loop.completions(for: String(cString: text!))
    count!.pointee = candidates.count
    guard !candidates.isEmpty else { return nil }
    let array = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: candidates.count)
    for (i, candidate) in candidates.enumerated() { array[i] = strdup(candidate) }
    // le.c frees with free(): hand it memory from malloc, not Swift's allocator.
    let size = MemoryLayout<UnsafeMutablePointer<CChar>?>.stride * candidates.count
    let copy = malloc(size)!.assumingMemoryBound(to: UnsafeMutablePointer<CChar>?.self)
    copy.initialize(from: array, count: candidates.count)
    array.deallocate()
    return copy
}
