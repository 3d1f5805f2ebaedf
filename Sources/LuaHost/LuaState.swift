import CLua
import CLuaSupport
import Foundation

/// Limits a Lua state enforces on the code it runs.
public struct LuaLimits: Sendable, Equatable {
    /// Bytes the Lua heap may use; 0 = unlimited.
    public var memoryBytes: Int
    /// Seconds of CPU time the interpreter thread may use; 0 = unlimited.
    public var cpuSeconds: Double
    /// Longest pattern string.find/match/gmatch/gsub accept, in bytes.
    public var maxPatternBytes: Int
    /// Longest subject those functions accept, in bytes.
    public var maxSubjectBytes: Int

    public static let defaultMemoryMiB = 256
    public static let defaultCPUSeconds = 60.0

    public init(
        memoryBytes: Int = LuaLimits.defaultMemoryMiB << 20, cpuSeconds: Double = LuaLimits.defaultCPUSeconds,
        maxPatternBytes: Int = 512, maxSubjectBytes: Int = 16 << 20
    ) {
        self.memoryBytes = memoryBytes
        self.cpuSeconds = cpuSeconds
        self.maxPatternBytes = maxPatternBytes
        self.maxSubjectBytes = maxSubjectBytes
    }
}

/// One sandboxed Lua state. Not thread-safe: create and use it on one thread.
///
/// Every call into Lua that can raise goes through a protected C helper, so
/// no Lua error ever unwinds through Swift frames.
public final class LuaState {
    let L: OpaquePointer
    let host: UnsafeMutablePointer<lh_Host>
    private let ownsHost: Bool
    /// Registered functions, kept unmanaged so a call borrows the closure
    /// instead of retaining it; released in deinit.
    private var functions: ContiguousArray<Unmanaged<HostFunctionBox>> = []
    /// Documentation of registered functions, by id, for `help(f)`.
    public private(set) var documentation: [Int64: FunctionDoc] = [:]
    /// Names of registered functions, for argument errors when Lua cannot name the call.
    private var functionNames: [Int64: String] = [:]
    private let argumentsTape: UnsafeMutablePointer<Tape>
    private let resultsTape: UnsafeMutablePointer<Tape>
    /// Where `print` writes; stdout when nil.
    public var output: ((UnsafeRawBufferPointer) -> Void)?

    /// A fresh state with the sandboxed standard library.
    public convenience init(limits: LuaLimits = LuaLimits()) throws {
        let host = UnsafeMutablePointer<lh_Host>.allocate(capacity: 1)
        host.initialize(to: lh_Host())
        try self.init(host: host, ownsHost: true, limits: limits)
    }

    /// A state whose host block belongs to the caller, who may signal it from
    /// another thread (`lh_request_stop`) and frees it after this state is gone.
    init(host: UnsafeMutablePointer<lh_Host>, ownsHost: Bool, limits: LuaLimits) throws {
        host.pointee.mem_limit = limits.memoryBytes > 0 ? max(limits.memoryBytes, 64 << 10) : 0
        host.pointee.cpu_limit = limits.cpuSeconds
        host.pointee.max_pattern = limits.maxPatternBytes
        host.pointee.max_subject = limits.maxSubjectBytes
        guard let state = lh_newstate(host) else {
            if ownsHost { host.deallocate() }
            throw LuaHostFailure("cannot create a Lua state (out of memory)")
        }
        L = state
        self.host = host
        self.ownsHost = ownsHost
        argumentsTape = Tape.make(host: host)
        resultsTape = Tape.make(host: host)
        host.pointee.dispatch = luaHostDispatch
        host.pointee.write = luaHostWrite
        let me = Unmanaged.passUnretained(self).toOpaque()
        host.pointee.dispatch_ctx = me
        host.pointee.write_ctx = me
        guard lh_open_sandbox(L) == LUA_OK else {
            let message = popErrorMessage()
            lh_close(L)
            Tape.destroy(argumentsTape)
            Tape.destroy(resultsTape)
            lh_host_free(host)
            if ownsHost { host.deallocate() }
            throw LuaHostFailure("cannot open the sandbox: \(message)")
        }
        lh_limits_start(L)
    }

    deinit {
        lh_close(L) // may still call host functions (a pending __close): tapes live on
        Tape.destroy(argumentsTape)
        Tape.destroy(resultsTape)
        lh_host_free(host)
        if ownsHost { host.deallocate() }
        for function in functions { function.release() }
    }

    /// Bytes the Lua heap uses now, and its peak.

    /// The raw `lua_State`, for benchmarks and C baselines. The body must only
    /// call C functions that cannot raise, or run them under `lua_pcall`.
    public func withRawState<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R { try body(L) }

    /// Registers `function` and returns a value that becomes a Lua function when pushed.
    /// - Parameter name: how argument errors name it when the call site does not (e.g. "fota.append").
    public func register(_ function: @escaping LuaHostFunction, doc: FunctionDoc? = nil, name: String? = nil) -> LuaValue {
        functions.append(Unmanaged.passRetained(HostFunctionBox(function)))
        let id = Int64(functions.count - 1)
        if let doc { documentation[id] = doc }
        if let name { functionNames[id] = name }
        return .hostFunction(id)
    }

    /// Sets a global variable (protected: a memory error comes back as a throw).
    public func setGlobal(_ name: String, _ value: LuaValue) throws {
        argumentsTape.pointee.reset()
        try argumentsTape.pointee.append(value)
        try argumentsTape.pointee.checkBudget()
        let status = argumentsTape.pointee.withTape { tape in name.withCString { lh_setglobal_tape(L, $0, tape) } }
        argumentsTape.pointee.shrinkIfLarge()
        guard status == LUA_OK else { throw LuaHostFailure("cannot set global '\(name)': \(popErrorMessage())") }
    }

    /// Reads a global variable raw (no __index on the global table runs).
    public func global(_ name: String) throws -> LuaValue {
        let top = lua_gettop(L)
        // restores the stack even when reading fails halfway through a table,
        // and gives back what the read charged to the budget
        defer {
            lua_settop(L, top)
            _ = lh_end_call(host)
        }
        lua_rawgeti(L, lshim_registryindex(), lua_Integer(LUA_RIDX_GLOBALS))
        guard lh_rawgetfield(L, -1, name) == LUA_OK else {
            throw LuaHostFailure("cannot read global '\(name)': out of memory")
        }
        var reader = ValueReader(L)
        return try reader.read(at: -1)
    }

    /// Sets the folders `require` searches, in order. Errors name modules by
    /// these paths as given, so relative folders keep host paths out of messages.
    public func setRequirePath(_ folders: [String]) throws {
        let folders = folders.filter { !$0.isEmpty }
        var blob: [UInt8] = []
        for folder in folders { blob += Array(folder.utf8) + [0] + Array(folder.utf8) + [0] }
        blob.append(0)
        let status = blob.withUnsafeBytes {
            lh_set_require_path(L, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count - 1, Int32(folders.count))
        }
        guard status == LUA_OK else { throw LuaHostFailure("cannot set the library path: \(popErrorMessage())") }
    }

    /// Runs Lua source text as a chunk and returns its results.
    /// - Parameter chunkName: how errors name the chunk, e.g. "@script.lua" or "=stdin".
    public func run(_ source: String, chunkName: String = "=(host)", arguments: [LuaValue] = []) throws -> [LuaValue] {
        var source = source
        let loadStatus = source.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                lh_loadtext(L, chars.baseAddress, chars.count, chunkName)
            }
        }
        guard loadStatus == LUA_OK else { throw LuaScriptError(message: popErrorMessage()) }
        return try callFunctionOnStack(arguments: arguments)
    }

    /// Loads a chunk without running it; throws a syntax error as a `LuaScriptError`.
    func load(bytes: UnsafeRawBufferPointer, chunkName: String) throws(LuaScriptError) {
        let status = lh_loadtext(L, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count, chunkName)
        guard status == LUA_OK else { throw LuaScriptError(message: popErrorMessage()) }
    }

    /// Calls the function at the top of the stack with `arguments`; pops it and returns its
    /// results (none when `readingResults` is false, so values that cannot cross are no error).
    func callFunctionOnStack(arguments: [LuaValue], readingResults: Bool = true) throws -> [LuaValue] {
        let base = lua_gettop(L) - 1
        argumentsTape.pointee.reset()
        do {
            for argument in arguments { try argumentsTape.pointee.append(argument) }
            try argumentsTape.pointee.checkBudget()
        } catch {
            lua_settop(L, base)
            // arguments past the budget fail as Lua's own memory error would
            if argumentsTape.pointee.refused { throw LuaScriptError(message: LuaMemoryError().description) }
            throw error
        }
        var pushed: Int32 = 0
        let pushStatus = argumentsTape.pointee.withTape { lh_push_tape(L, $0, &pushed) }
        argumentsTape.pointee.shrinkIfLarge()
        guard pushStatus == LUA_OK else {
            let message = popErrorMessage()
            lua_settop(L, base)
            throw LuaScriptError(message: message)
        }
        let status = lh_pcall(L, pushed, LUA_MULTRET)
        guard status == LUA_OK else {
            let error = currentError()
            lua_settop(L, base)
            throw error
        }
        defer {
            lua_settop(L, base)
            _ = lh_end_call(host)
        }
        var reader = ValueReader(L)
        var results: [LuaValue] = []
        let top = lua_gettop(L)
        if top > base, readingResults {
            for index in (base + 1)...top { results.append(try reader.read(at: index)) }
        }
        return results
    }

    /// The error at the top of the stack with what the message handler recorded; pops it.
    func currentError() -> LuaScriptError {
        let message = popErrorMessage()
        let location = host.pointee.err_where.map { String(cString: $0) }
        // the traceback is only ever shown: escape control characters as print does
        let traceback = host.pointee.err_traceback.map { TerminalText.escape(String(cString: $0)) }
        return LuaScriptError(message: message, location: location, traceback: traceback)
    }

    /// Longest error message kept, in bytes: the rest is summarized, so an
    /// error of a huge string costs no huge copy (or escaped copy) outside the budget.
    static let maxErrorBytes = 64 << 10

    /// The string of `length` bytes at `bytes`, cut to `maxErrorBytes`.
    private static func errorText(_ bytes: UnsafePointer<CChar>, _ length: Int) -> String {
        let kept = min(length, maxErrorBytes)
        let text = LuaString(bytes: UnsafeRawBufferPointer(start: bytes, count: kept)).description
        return kept == length ? text : text + "… (\(length - kept) more bytes)"
    }

    /// Pops the error value; strings as they are, other values described raw.
    func popErrorMessage() -> String {
        defer { lua_settop(L, -2) }
        var length = 0
        if let bytes = lh_rawstring(L, -1, &length) { return Self.errorText(bytes, length) }
        // An error table carries its own text where LuaErrorValueText says.
        if lua_type(L, -1) == LUA_TTABLE {
            for field in LuaErrorValueText.fields {
                _ = lh_rawgetfield(L, -1, field)
                defer { lua_settop(L, -2) }
                if let bytes = lh_rawstring(L, -1, &length) { return Self.errorText(bytes, length) }
            }
        }
        if lua_type(L, -1) == LUA_TNIL { return "nil" }
        return "(error object is a \(String(cString: lua_typename(L, lua_type(L, -1)))) value)"
    }

    fileprivate func dispatch(
        _ thread: OpaquePointer, _ id: Int64, _ out: UnsafeMutablePointer<lh_Tape>, _ argn: UnsafeMutablePointer<Int32>
    ) -> Int32 {
        // Large buffers of the previous call's results go (C has pushed them by now).
        resultsTape.pointee.shrinkIfLarge()
        let status = call(thread, id, out, argn)
        // Whatever the function charged to the budget ends with it; a refused
        // charge (its copies, its text, the results tape) fails the call with
        // the memory error, however the function reported it or even if it
        // went on without the value.
        guard host.pointee.call_charged != 0 || host.pointee.call_refused != 0 else { return status } // the common case
        return lh_end_call(host) != 0 ? Int32(LH_CALL_MEMERROR) : status
    }

    @inline(__always)
    private func call(
        _ thread: OpaquePointer, _ id: Int64, _ out: UnsafeMutablePointer<lh_Tape>, _ argn: UnsafeMutablePointer<Int32>
    ) -> Int32 {
        // A .hostFunction id made by another state (or by hand) must not index out of range.
        guard id >= 0, id < Int64(functions.count) else {
            resultsTape.pointee.appendString("host function #\(id) is not registered with this Lua state")
            resultsTape.pointee.fill(out)
            return Int32(LH_CALL_ERROR)
        }
        let arguments = LuaArguments(thread)
        var results = LuaResults(tape: resultsTape)
        do {
            try functions[Int(id)]._withUnsafeGuaranteedRef { try $0.body(arguments, &results) }
            resultsTape.pointee.fill(out)
            return Int32(LH_CALL_RETURN)
        } catch let error as LuaArgumentError {
            resultsTape.pointee.reset()
            resultsTape.pointee.appendString(error.message)
            if let name = functionNames[id] { resultsTape.pointee.appendString(name) }
            resultsTape.pointee.fill(out)
            argn.pointee = Int32(error.position)
            return Int32(LH_CALL_ARGERROR)
        } catch let error as LuaErrorValue {
            resultsTape.pointee.reset()
            do {
                try resultsTape.pointee.append(error.luaErrorValue, metatable: error.luaErrorMetatable ?? 0)
            } catch {
                resultsTape.pointee.appendString("\(error)")
            }
            resultsTape.pointee.fill(out)
            return Int32(LH_CALL_ERROR)
        } catch {
            resultsTape.pointee.reset()
            resultsTape.pointee.appendString("\(error)")
            resultsTape.pointee.fill(out)
            return Int32(LH_CALL_ERROR)
        }
    }

    fileprivate func write(_ bytes: UnsafeRawBufferPointer) {
        if let output {
            output(bytes)
        } else {
            lh_write_stdout(bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
        }
    }
}

final class HostFunctionBox {
    let body: LuaHostFunction
    init(_ body: @escaping LuaHostFunction) { self.body = body }
}

// C calls these through the host block; they reach the LuaState through its
// context pointer, so the closures capture nothing.
// _withUnsafeGuaranteedRef: the state outlives every call into it, so no retain is needed per call.
private let luaHostDispatch: lh_DispatchFn = { context, thread, id, out, argn in
    Unmanaged<LuaState>.fromOpaque(context!)._withUnsafeGuaranteedRef { $0.dispatch(thread!, id, out!, argn!) }
}

private let luaHostWrite: lh_WriteFn = { context, bytes, length in
    Unmanaged<LuaState>.fromOpaque(context!).takeUnretainedValue()
        .write(UnsafeRawBufferPointer(start: bytes, count: length))
}
