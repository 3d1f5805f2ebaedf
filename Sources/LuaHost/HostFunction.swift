import CLua
import CLuaSupport

/// A Swift function that Lua code can call. It reads its arguments from
/// `LuaArguments` and appends results to `LuaResults`; it must not call back
/// into Lua. Throw `LuaArgumentError` for a bad argument, a `LuaErrorValue`
/// to raise a Lua value, or any other error to raise its description.
public typealias LuaHostFunction = (borrowing LuaArguments, inout LuaResults) throws -> Void

/// The arguments of a host function call, read with raw accessors.
public struct LuaArguments: ~Copyable {
    let L: OpaquePointer
    /// How many arguments the caller passed.
    public let count: Int

    init(_ L: OpaquePointer) {
        self.L = L
        count = Int(lua_gettop(L))
    }

    /// The Lua type name of argument `position` (1-based), "no value" past the end.
    public func typeName(_ position: Int) -> String {
        guard position <= count else { return "no value" }
        return String(cString: lua_typename(L, lua_type(L, Int32(position))))
    }

    public func isNil(_ position: Int) -> Bool {
        position > count || lua_type(L, Int32(position)) == LUA_TNIL
    }

    /// An integer argument (floats with an integral value are accepted, as Lua does).
    public func integer(_ position: Int) throws(LuaArgumentError) -> Int64 {
        var isInteger: Int32 = 0
        if position <= count, lua_type(L, Int32(position)) == LUA_TNUMBER {
            let value = lua_tointegerx(L, Int32(position), &isInteger)
            if isInteger != 0 { return value }
            throw LuaArgumentError(position, "number has no integer representation")
        }
        throw LuaArgumentError(position, "integer expected, got \(typeName(position))")
    }

    public func number(_ position: Int) throws(LuaArgumentError) -> Double {
        guard position <= count, lua_type(L, Int32(position)) == LUA_TNUMBER else {
            throw LuaArgumentError(position, "number expected, got \(typeName(position))")
        }
        return lua_tonumberx(L, Int32(position), nil)
    }

    /// A string argument. Numbers are not converted: that would allocate inside Lua.
    public func string(_ position: Int) throws(LuaArgumentError) -> LuaString {
        guard position <= count, lua_type(L, Int32(position)) == LUA_TSTRING else {
            throw LuaArgumentError(position, "string expected, got \(typeName(position))")
        }
        do {
            return try ValueReader(L).readString(Int32(position))
        } catch {
            throw LuaArgumentError(position, error.description)
        }
    }

    /// Lends the bytes of string argument `position` in place, without a copy;
    /// nil when it is not a string. The bytes live as long as the call.
    public func withStringBytes<R>(_ position: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R? {
        var length = 0
        guard position <= count, let pointer = lh_rawstring(L, Int32(position), &length) else { return nil }
        return try body(UnsafeRawBufferPointer(start: pointer, count: length))
    }

    /// The memory budget shared with the Lua heap: charge what the function
    /// builds from its arguments (text, copies); charges end with the call.
    public var budget: LuaMemoryBudget { LuaMemoryBudget(host: lh_host(L)) }

    public func boolean(_ position: Int) -> Bool {
        position <= count && lua_toboolean(L, Int32(position)) != 0
    }

    /// The id of the host function passed as argument `position`, or nil if
    /// it is not one (a Lua function, a C library function, another value).
    public func hostFunctionID(_ position: Int) -> Int64? {
        var id: Int64 = 0
        guard position <= count, lh_host_function_id(L, Int32(position), &id) != 0 else { return nil }
        return id
    }

    /// Polls whether the run is stopping, for a host function that waits on I/O.
    public var stopSignal: LuaStopSignal { LuaStopSignal(L) }

    /// Any argument as a value; tables are read raw and whole.
    public func value(_ position: Int) throws(LuaArgumentError) -> LuaValue {
        guard position <= count else { return .nil }
        var reader = ValueReader(L)
        do {
            return try reader.read(at: Int32(position))
        } catch {
            throw LuaArgumentError(position, error.description)
        }
    }
}

/// Tells a waiting host function that the run is stopping (Ctrl-C, a tripped
/// limit, os.exit). Read it on the interpreter thread only.
public struct LuaStopSignal {
    let L: OpaquePointer
    init(_ L: OpaquePointer) { self.L = L }
    public var isRequested: Bool { lh_stop_pending(L) != 0 }
}

/// The results of a host function call, written straight into the tape that
/// C turns into Lua values once Swift has returned.
public struct LuaResults: ~Copyable {
    // A LuaResults lives only during one call; its state owns the tape.
    let tape: UnsafeMutablePointer<Tape>

    public mutating func push(_ value: LuaValue) throws(LuaBridgeError) { try tape.pointee.append(value) }
    public mutating func push(integer: Int64) { tape.pointee.appendInteger(integer) }
    public mutating func push(number: Double) { tape.pointee.appendNumber(number) }
    public mutating func push(boolean: Bool) { tape.pointee.appendBoolean(boolean) }
    public mutating func push(string: String) { tape.pointee.appendString(string) }
    public mutating func pushNil() { tape.pointee.appendNil() }

    /// Names the call's argument (a table) whose elements this result repeats: a string pushed
    /// `mirroring: k`, and row k of a row list, that has the same bytes as the argument's element
    /// k becomes that element (read raw), not a new Lua string. For a result listing a long
    /// input back (100,000 IMEIs): no hashing and interning of each again. The bytes decide, so a
    /// wrong hint (the element changed, or is not a string) only costs the comparison.
    public mutating func mirror(argument position: Int) { tape.pointee.mirror(argument: position) }
    /// `string`, probably the 1-based element `element` of the argument named by `mirror`.
    public mutating func push(string: String, mirroring element: Int) { tape.pointee.appendString(string, mirroring: element) }
    /// Makes room at once for about `slots` more values (a table, a key, a string … each one slot)
    /// and `bytes` more string bytes: for a large result whose size is known, so the buffers are
    /// not doubled and copied while it is written. A reservation past the budget fails the call
    /// with the memory error, like any growth.
    public mutating func reserve(slots: Int, bytes: Int) { tape.pointee.reserve(slots: slots, bytes: bytes) }
    /// A string from raw bytes (copied into the tape now): no `String` in between.
    public mutating func push(bytes: UnsafeRawBufferPointer) { tape.pointee.appendString(bytes) }

    /// A string known when the program was built, such as a field name: no `String` in between.
    public mutating func push(key: StaticString) {
        tape.pointee.appendString(UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
    }

    /// Starts a table of the `count` values pushed next, at 1…count (each may be a table itself).
    /// For a large listing: no `[LuaValue]` in between. Push exactly `count` values: too few
    /// fail the call with a Lua error ("host value is truncated"), too many become extra results.
    public mutating func pushArray(count: Int) { tape.pointee.beginArray(count: count) }

    /// A read-only list whose rows are built when read (lh.h, "host row lists"): row i is a
    /// table with `keys[0] = ids[i - 1]` and `keys[1...]` = the values of `shapes[shape(i - 1)]`
    /// (nil leaves the key out; each shape has `keys.count - 1` values). Writing into it raises
    /// "`name` is read-only"; `#`, indexing, `ipairs` and `pairs` work, and every host reader
    /// (`LuaArguments.value`, json.encode, the prompt) sees it as the array of its rows. For a
    /// large result whose rows share a few shapes: ~20 bytes a row instead of a table each.
    public mutating func pushRows(name: String, keys: [String], shapes: [[String?]], ids: [String], shape: (Int) -> Int) {
        precondition(!keys.isEmpty && shapes.allSatisfy { $0.count == keys.count - 1 }, "a row list's shapes fill its keys")
        tape.pointee.appendRows(name: name, keys: keys, shapes: shapes, ids: ids, shape: shape)
    }

    /// Starts a table of the `count` key/value pairs pushed next (a key, then its value; a nil
    /// value leaves the key out). For one record per item of a large listing: no
    /// `[LuaKey: LuaValue]` to build and hash in between. Push exactly `count` pairs.
    public mutating func pushTable(fields count: Int) { tape.pointee.beginMap(count: count) }
}
