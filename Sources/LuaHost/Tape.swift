import CLuaSupport

/// Reusable buffers that describe Lua values for C to build (see lh.h):
/// Swift never pushes a value that could allocate; C does it under protection.
///
/// A tape lives at a fixed address (`Tape.make()`), so host functions reach it
/// through a plain pointer: no reference counting on the hot path of a call.
/// It owns its buffers, so it cannot be copied.
///
/// Growth past the first buffers is charged to the state's memory budget
/// (`lh_charge`) for as long as it is held; a refused growth appends nothing
/// more and marks the tape `refused`, which fails the transfer with the
/// memory error (`checkBudget`, or the dispatch through `lh_end_call`).
struct Tape: ~Copyable {
    private(set) var slots: UnsafeMutablePointer<lh_Slot>
    private(set) var slotCount = 0
    private var slotCapacity: Int
    private(set) var bytes: UnsafeMutablePointer<UInt8>
    private(set) var byteCount = 0
    private var byteCapacity: Int
    private let host: UnsafeMutablePointer<lh_Host>?
    /// Bytes of buffer charged to the budget (beyond the first buffers).
    private var charged = 0
    /// A growth was refused since the last reset: the tape is incomplete.
    private(set) var refused = false
    /// The host call's argument whose elements the strings may repeat (lh.h, `mirror`); 0: none.
    private(set) var mirror: Int32 = 0

    static let maxDepth = 100
    private static let firstSlots = 64
    private static let firstBytes = 1024

    private init(host: UnsafeMutablePointer<lh_Host>?) {
        self.host = host
        slotCapacity = Self.firstSlots
        byteCapacity = Self.firstBytes
        slots = .allocate(capacity: slotCapacity)
        bytes = .allocate(capacity: byteCapacity)
    }

    /// A tape whose growth is charged to `host`'s budget (none when nil).
    static func make(host: UnsafeMutablePointer<lh_Host>? = nil) -> UnsafeMutablePointer<Tape> {
        let tape = UnsafeMutablePointer<Tape>.allocate(capacity: 1)
        tape.initialize(to: Tape(host: host))
        return tape
    }

    static func destroy(_ tape: UnsafeMutablePointer<Tape>) {
        tape.pointee.slots.deallocate()
        tape.pointee.bytes.deallocate()
        tape.pointee.credit(tape.pointee.charged)
        tape.deinitialize(count: 1)
        tape.deallocate()
    }

    mutating func reset() {
        slotCount = 0
        byteCount = 0
        refused = false
        mirror = 0
    }

    /// Strings appended with `mirroring:` (and the rows of a row list) may be elements of the
    /// host call's argument at `position`: C takes such an element as it is when its bytes are
    /// the same, instead of making a new Lua string (lh.h, `mirror`).
    mutating func mirror(argument position: Int) { mirror = Int32(clamping: max(0, position)) }

    /// Throws the memory error if a growth was refused since the last reset.
    func checkBudget() throws(LuaBridgeError) {
        if refused { throw LuaBridgeError(LuaMemoryError().description) }
    }

    /// Drops large buffers after a big transfer so memory is not held forever.
    mutating func shrinkIfLarge() {
        reset()
        if slotCapacity > 1 << 16 {
            slots.deallocate()
            credit((slotCapacity - Self.firstSlots) * MemoryLayout<lh_Slot>.stride)
            slotCapacity = Self.firstSlots
            slots = .allocate(capacity: slotCapacity)
        }
        if byteCapacity > 1 << 20 {
            bytes.deallocate()
            credit(byteCapacity - Self.firstBytes)
            byteCapacity = Self.firstBytes
            bytes = .allocate(capacity: byteCapacity)
        }
    }

    /// Charges `amount` more bytes of buffer; false (and `refused`) past the budget.
    private mutating func charge(_ amount: Int) -> Bool {
        guard let host else { return true }
        guard lh_charge(host, amount) != 0 else {
            refused = true
            return false
        }
        charged += amount
        return true
    }

    private mutating func credit(_ amount: Int) {
        guard let host, amount > 0 else { return }
        lh_credit(host, amount)
        charged -= amount
    }

    func withTape<R>(_ body: (UnsafePointer<lh_Tape>) throws -> R) rethrows -> R {
        var tape = lh_Tape(
            slots: UnsafePointer(slots), nslots: slotCount,
            bytes: UnsafeRawPointer(bytes).assumingMemoryBound(to: CChar.self), nbytes: byteCount, mirror: 0)
        return try withUnsafePointer(to: &tape) { try body($0) }
    }

    /// Exposes the buffers to C; valid until the next change to this tape.
    func fill(_ out: UnsafeMutablePointer<lh_Tape>) {
        out.pointee = lh_Tape(
            slots: UnsafePointer(slots), nslots: slotCount,
            bytes: UnsafeRawPointer(bytes).assumingMemoryBound(to: CChar.self), nbytes: byteCount, mirror: mirror)
    }

    @inline(__always)
    private mutating func appendSlot(_ tag: Int32, flags: Int32 = 0, count: Int64 = 0, bits: Int64 = 0) {
        if slotCount == slotCapacity, !growSlots(slotCount + 1) { return }
        var slot = lh_Slot()
        slot.tag = tag
        slot.flags = flags
        slot.count = count
        slot.u.i = bits
        (slots + slotCount).initialize(to: slot)
        slotCount += 1
    }

    private mutating func growSlots(_ needed: Int) -> Bool {
        guard !refused else { return false }
        var capacity = slotCapacity * 2
        while capacity < needed { capacity *= 2 }
        return resizeSlots(capacity)
    }

    /// Makes room for `slots` more slots and `bytes` more string bytes at once, exactly (a large
    /// result whose size is known: no doubling, no copies of what is already written).
    mutating func reserve(slots extraSlots: Int, bytes extraBytes: Int) {
        if slotCount + extraSlots > slotCapacity, !refused { _ = resizeSlots(slotCount + extraSlots) }
        if byteCount + extraBytes > byteCapacity, !refused { _ = resizeBytes(byteCount + extraBytes) }
    }

    private mutating func resizeSlots(_ capacity: Int) -> Bool {
        guard charge((capacity - slotCapacity) * MemoryLayout<lh_Slot>.stride) else { return false }
        let bigger = UnsafeMutablePointer<lh_Slot>.allocate(capacity: capacity)
        bigger.moveInitialize(from: slots, count: slotCount)
        slots.deallocate()
        slots = bigger
        slotCapacity = capacity
        return true
    }

    private mutating func growBytes(_ needed: Int) -> Bool {
        guard !refused else { return false }
        var capacity = byteCapacity * 2
        while capacity < needed { capacity *= 2 }
        return resizeBytes(capacity)
    }

    private mutating func resizeBytes(_ capacity: Int) -> Bool {
        guard charge(capacity - byteCapacity) else { return false }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        bigger.moveInitialize(from: bytes, count: byteCount)
        bytes.deallocate()
        bytes = bigger
        byteCapacity = capacity
        return true
    }

    mutating func appendNil() { appendSlot(Int32(LH_TAG_NIL)) }
    mutating func appendBoolean(_ b: Bool) { appendSlot(Int32(b ? LH_TAG_TRUE : LH_TAG_FALSE)) }
    mutating func appendInteger(_ i: Int64) { appendSlot(Int32(LH_TAG_INTEGER), bits: i) }
    mutating func appendNumber(_ n: Double) { appendSlot(Int32(LH_TAG_NUMBER), bits: Int64(bitPattern: n.bitPattern)) }
    mutating func appendFunction(_ id: Int64) { appendSlot(Int32(LH_TAG_FUNCTION), bits: id) }
    mutating func appendReference(_ ref: Int32) { appendSlot(Int32(LH_TAG_REF), bits: Int64(ref)) }

    /// `element`: 0, or the 1-based element of the `mirror` argument this string probably is.
    mutating func appendString(_ raw: UnsafeRawBufferPointer, mirroring element: Int = 0) {
        let offset = byteCount
        if byteCount + raw.count > byteCapacity, !growBytes(byteCount + raw.count) { return }
        if raw.count > 0 {
            UnsafeMutableRawPointer(bytes + byteCount).copyMemory(from: raw.baseAddress!, byteCount: raw.count)
        }
        byteCount += raw.count
        appendSlot(Int32(LH_TAG_STRING), flags: element > 0 && element <= Int(Int32.max) ? Int32(element) : 0,
                   count: Int64(raw.count), bits: Int64(offset))
    }

    mutating func appendString(_ s: LuaString) { s.withBytes { appendString($0) } }

    mutating func appendString(_ s: String, mirroring element: Int = 0) {
        var s = s
        s.withUTF8 { appendString(UnsafeRawBufferPointer($0), mirroring: element) }
    }

    /// Appends a host row list (lh.h, `LH_TAG_ROWS`): row i is `keys[0] = ids[i]` plus
    /// `keys[1...]` = the values of `shapes[shape(i)]` (a nil value leaves its key out). Its
    /// per-row part goes into the text buffer packed (a 4-byte shape index, a 4-byte length and
    /// the id's bytes a row), not as slots: a million rows cost ~23 MB here, not ~400.
    mutating func appendRows(name: String, keys: [String], shapes: [[String?]], ids: [String], shape: (Int) -> Int) {
        let count = ids.count
        var text = 0
        for id in ids { text += id.utf8.count }
        let packed = count * 8 + text
        // exactly (a caller that knows its result's size reserves it all first)
        if byteCount + packed > byteCapacity, refused || !resizeBytes(byteCount + packed) { return }
        let offset = byteCount
        let base = UnsafeMutableRawPointer(bytes + offset)
        var at = count * 8
        for (row, id) in ids.enumerated() {
            base.storeBytes(of: UInt32(truncatingIfNeeded: shape(row)), toByteOffset: row * 4, as: UInt32.self)
            var id = id
            let length = id.withUTF8 { utf8 in
                if utf8.count > 0 { (base + at).copyMemory(from: utf8.baseAddress!, byteCount: utf8.count) }
                return utf8.count
            }
            base.storeBytes(of: UInt32(length), toByteOffset: (count + row) * 4, as: UInt32.self)
            at += length
        }
        byteCount += packed
        appendSlot(Int32(LH_TAG_ROWS), flags: Int32(clamping: shapes.count), count: Int64(count), bits: Int64(offset))
        appendString(name)
        beginArray(count: keys.count)
        for key in keys { appendString(key) }
        beginArray(count: shapes.count * (keys.count - 1))
        for values in shapes {
            for value in values {
                if let value { appendString(value) } else { appendNil() }
            }
        }
    }

    /// Starts an array of `count` elements; append them next.
    mutating func beginArray(count: Int) { appendSlot(Int32(LH_TAG_ARRAY), count: Int64(count)) }

    /// Starts a map of `count` key/value pairs; append them next.
    mutating func beginMap(count: Int, metatable: Int32 = 0) {
        appendSlot(Int32(LH_TAG_MAP), count: Int64(count), bits: Int64(metatable))
    }

    /// `depth` counts the tables around `value`: at most `maxDepth` nested
    /// tables cross, as `ValueReader` allows the other way.
    mutating func append(_ value: LuaValue, depth: Int = 0) throws(LuaBridgeError) {
        switch value {
        case .array, .map:
            guard depth < Tape.maxDepth else {
                throw LuaBridgeError("tables are nested more than \(Tape.maxDepth) deep")
            }
        default: break
        }
        switch value {
        case .nil: appendNil()
        case .boolean(let b): appendBoolean(b)
        case .integer(let i): appendInteger(i)
        case .number(let n): appendNumber(n)
        case .string(let s): appendString(s)
        case .hostFunction(let id): appendFunction(id)
        case .array(let elements):
            beginArray(count: elements.count)
            for element in elements { try append(element, depth: depth + 1) }
        case .map(let entries):
            try appendMap(entries, depth: depth)
        }
    }

    /// Appends a value; a map gets the metatable held at registry reference `metatable` (0: none).
    mutating func append(_ value: LuaValue, metatable: Int32) throws(LuaBridgeError) {
        guard metatable != 0, case .map(let entries) = value else { return try append(value) }
        try appendMap(entries, depth: 0, metatable: metatable)
    }

    private mutating func appendMap(
        _ entries: [LuaKey: LuaValue], depth: Int, metatable: Int32 = 0
    ) throws(LuaBridgeError) {
        beginMap(count: entries.count, metatable: metatable)
        for (key, element) in entries {
            if case .number(let n) = key, n.isNaN { throw LuaBridgeError("a table key cannot be NaN") }
            try append(key.value, depth: depth + 1)
            try append(element, depth: depth + 1)
        }
    }
}
