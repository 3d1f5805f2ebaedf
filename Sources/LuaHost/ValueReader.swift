import CLua
import CLuaSupport

/// Reads Lua values into Swift with raw accessors only: no metamethod runs,
/// nothing allocates inside Lua, nothing can raise.
///
/// Every value read is charged to the state's memory budget as it is copied
/// (`LuaMemoryBudget`), so a table reached many times through shared
/// references (30 nested pairs of the same table are 2^30 leaves) or a big
/// string passed many times fails with the memory limit instead of growing
/// without bound. The caller gives the charges back (`lh_end_call`). The
/// limits (CPU, Ctrl-C, wall clock) are polled as it goes.
struct ValueReader {
    let L: OpaquePointer
    private let host: UnsafeMutablePointer<lh_Host>
    /// Tables on the path from the root to the current value: meeting one again is a cycle.
    private var onPath: Set<UnsafeRawPointer> = []
    private var valuesRead = 0

    static let maxDepth = 100
    /// Values read between two polls of the limits.
    static let pollEvery = 4096
    /// Most elements reserved ahead of reading them: a table's border
    /// (`lua_rawlen`) is whatever the script made it, 2^40 for a table of 44 entries.
    static let maxReserve = 1 << 12

    init(_ L: OpaquePointer) {
        self.L = L
        host = lh_host(L)
    }

    /// Bytes counted but not yet charged: charging in steps keeps a C call off
    /// the path of every value (the budget is passed by at most one step).
    private var pending = 0
    static let chargeStep = 64 << 10

    /// Counts `bytes` of what is being read (see `LuaMemoryBudget`); charges
    /// in steps and polls the limits now and then.
    private mutating func account(_ bytes: Int, path: @autoclosure () -> String) throws(LuaBridgeError) {
        pending += bytes
        if pending >= Self.chargeStep { try chargePending(path: path()) }
        valuesRead += 1
        if valuesRead % Self.pollEvery == 0, lh_limits_poll(host) != Int32(LH_STOP_NONE) {
            throw LuaBridgeError(path: path(), "the run is stopping")
        }
    }

    private mutating func chargePending(path: @autoclosure () -> String) throws(LuaBridgeError) {
        let amount = pending
        pending = 0
        guard lh_charge_call(host, amount) != 0 else {
            throw LuaBridgeError(path: path(), LuaMemoryError().description)
        }
    }

    mutating func read(at index: Int32) throws(LuaBridgeError) -> LuaValue {
        let value = try read(lua_absindex(L, index), depth: 0, path: "")
        try chargePending(path: "")
        return value
    }

    private mutating func read(_ index: Int32, depth: Int, path: @autoclosure () -> String) throws(LuaBridgeError) -> LuaValue {
        try account(LuaMemoryBudget.valueBytes, path: path())
        switch lua_type(L, index) {
        case LUA_TNIL, LUA_TNONE:
            return .nil
        case LUA_TBOOLEAN:
            return .boolean(lua_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return .integer(lua_tointegerx(L, index, nil)) }
            return .number(lua_tonumberx(L, index, nil))
        case LUA_TSTRING:
            return .string(try readCountedString(index, path: path()))
        case LUA_TTABLE:
            return try readTable(index, depth: depth, path: path())
        case let type:
            // A host function crosses back by id (a marker such as json.null); no other function can.
            var id: Int64 = 0
            if type == LUA_TFUNCTION, lh_host_function_id(L, index, &id) != 0 { return .hostFunction(id) }
            let name = String(cString: lua_typename(L, type))
            throw LuaBridgeError(path: path(), "a \(name) cannot be passed to the host")
        }
    }

    /// The string at `index`, its bytes counted with the rest of the value.
    private mutating func readCountedString(_ index: Int32, path: @autoclosure () -> String) throws(LuaBridgeError) -> LuaString {
        var length = 0
        let pointer = lua_tolstring(L, index, &length)!
        try account(LuaMemoryBudget.stringBytes(length), path: path())
        return LuaString(bytes: UnsafeRawBufferPointer(start: pointer, count: length))
    }

    /// The string at `index` on its own, its bytes charged to the budget.
    func readString(_ index: Int32, path: @autoclosure () -> String = "") throws(LuaBridgeError) -> LuaString {
        var length = 0
        let pointer = lua_tolstring(L, index, &length)!
        guard lh_charge_call(host, LuaMemoryBudget.stringBytes(length)) != 0 else {
            throw LuaBridgeError(path: path(), LuaMemoryError().description)
        }
        return LuaString(bytes: UnsafeRawBufferPointer(start: pointer, count: length))
    }

    private mutating func readTable(_ index: Int32, depth: Int, path: String) throws(LuaBridgeError) -> LuaValue {
        guard depth < Self.maxDepth else {
            throw LuaBridgeError(path: path, "tables are nested more than \(Self.maxDepth) deep")
        }
        let identity = lua_topointer(L, index)!
        guard onPath.insert(identity).inserted else {
            throw LuaBridgeError(path: path, "the table contains itself (a cycle)")
        }
        defer { onPath.remove(identity) }
        guard lua_checkstack(L, 3) != 0 else {
            throw LuaBridgeError(path: path, "out of Lua stack space")
        }
        // A host row list is empty: its rows are read from its data, as the array it stands for.
        let rows = lh_rows_count(L, index)
        if rows >= 0 { return try readRows(index, count: rows, path: path) }
        // One pass with lua_next: the array part comes first, in order, so a
        // proper sequence is read as an array without a second traversal.
        try account(LuaMemoryBudget.tableBytes, path: path)
        var elements: [LuaValue] = []
        elements.reserveCapacity(min(Int(clamping: lua_rawlen(L, index)), Self.maxReserve))
        var entries: [LuaKey: LuaValue]? = nil
        let keyIndex = lua_gettop(L) + 1
        let valueIndex = keyIndex + 1
        var isInteger: Int32 = 0
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            // Integral float keys do not exist in Lua, so a number key that
            // converts to an integer is an integer key.
            if entries == nil, lua_type(L, keyIndex) == LUA_TNUMBER,
                lua_tointegerx(L, keyIndex, &isInteger) == Int64(elements.count + 1), isInteger != 0
            {
                let position = elements.count + 1
                let element = try read(valueIndex, depth: depth + 1, path: "\(path)[\(position)]")
                elements.append(element)
            } else {
                if entries == nil {
                    var converted: [LuaKey: LuaValue] = [:]
                    converted.reserveCapacity(elements.count + 8)
                    for (i, element) in elements.enumerated() { converted[.integer(Int64(i + 1))] = element }
                    entries = converted
                    elements = []
                }
                try account(LuaMemoryBudget.entryBytes, path: path)
                let key = try readKey(keyIndex, path: path)
                let element = try read(valueIndex, depth: depth + 1, path: "\(path)\(Self.describe(key))")
                entries![key] = element
            }
            lua_settop(L, keyIndex)
        }
        if let entries {
            // A sequence whose keys Lua keeps in the hash part, where lua_next
            // meets them out of order ({[1] = 'a', [2] = 'b'}), is still an array.
            return Self.sequence(entries).map { .array($0) } ?? .map(entries)
        }
        return .array(elements)
    }

    /// Most fields a host row list's row has (lh_rows_row).
    static let maxRowFields = 8

    /// The rows of the host row list at `index` (lh.h), each a map of its string fields.
    private mutating func readRows(_ index: Int32, count: Int64, path: String) throws(LuaBridgeError) -> LuaValue {
        try account(LuaMemoryBudget.tableBytes, path: path)
        var elements: [LuaValue] = []
        elements.reserveCapacity(Int(min(count, Int64(Self.maxReserve))))
        var fields = [lh_RowField](repeating: lh_RowField(), count: Self.maxRowFields)
        var keys: [LuaKey] = [] // the same for every row of a list
        var position: Int64 = 1
        while position <= count {
            let row = position
            try account(LuaMemoryBudget.valueBytes + LuaMemoryBudget.tableBytes, path: "\(path)[\(row)]")
            let filled = Int(lh_rows_row(L, index, row, &fields, Int32(Self.maxRowFields)))
            var entries: [LuaKey: LuaValue] = [:]
            entries.reserveCapacity(filled)
            for f in 0..<filled {
                if keys.count == f {
                    let key = LuaString(bytes: UnsafeRawBufferPointer(start: fields[f].key, count: fields[f].key_len))
                    keys.append(.string(key))
                }
                guard let value = fields[f].value else { continue }
                try account(LuaMemoryBudget.entryBytes + LuaMemoryBudget.valueBytes
                            + LuaMemoryBudget.stringBytes(fields[f].value_len), path: "\(path)[\(row)]")
                entries[keys[f]] = .string(LuaString(bytes: UnsafeRawBufferPointer(start: value, count: fields[f].value_len)))
            }
            elements.append(.map(entries))
            position += 1
        }
        return .array(elements)
    }

    /// The values in key order when the keys are exactly 1…n, else nil.
    static func sequence(_ entries: [LuaKey: LuaValue]) -> [LuaValue]? {
        var elements = [LuaValue](repeating: .nil, count: entries.count)
        for (key, value) in entries {
            guard case .integer(let i) = key, i >= 1, i <= Int64(entries.count) else { return nil }
            elements[Int(i) - 1] = value
        }
        return elements
    }

    private mutating func readKey(_ index: Int32, path: String) throws(LuaBridgeError) -> LuaKey {
        switch lua_type(L, index) {
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return .integer(lua_tointegerx(L, index, nil)) }
            return .number(lua_tonumberx(L, index, nil))
        case LUA_TSTRING: return .string(try readCountedString(index, path: path))
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(L, index) != 0)
        case let type:
            let name = String(cString: lua_typename(L, type))
            throw LuaBridgeError(path: path, "a table with a \(name) key cannot be passed to the host")
        }
    }

    static func describe(_ key: LuaKey) -> String {
        switch key {
        case .integer(let i): return "[\(i)]"
        case .number(let n): return "[\(n)]"
        case .boolean(let b): return "[\(b)]"
        case .string(let s):
            if let text = s.text, let first = text.first, first.isLetter || first == "_",
                text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
            {
                return ".\(text)"
            }
            return "[\(String(reflecting: s.description))]"
        }
    }
}
