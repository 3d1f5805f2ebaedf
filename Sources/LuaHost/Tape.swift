import CLuaSupport

/// Reusable buffers that describe Lua values for C to build (see lh.h):
/// Swift never pushes a value that could allocate; C does it under protection.
///
/// A tape lives at a fixed address (`Tape.make()`), so host functions reach it
/// through a plain pointer: no reference counting on the hot path of a call.
struct Tape {
    private(set) var slots: UnsafeMutablePointer<lh_Slot>
    private(set) var slotCount = 0
    private var slotCapacity: Int
    private(set) var bytes: UnsafeMutablePointer<UInt8>
    private(set) var byteCount = 0
    private var byteCapacity: Int

    static let maxDepth = 100

    private init(slotCapacity: Int = 64, byteCapacity: Int = 1024) {
        self.slotCapacity = slotCapacity
        self.byteCapacity = byteCapacity
        slots = .allocate(capacity: slotCapacity)
        bytes = .allocate(capacity: byteCapacity)
    }

    static func make() -> UnsafeMutablePointer<Tape> {
        let tape = UnsafeMutablePointer<Tape>.allocate(capacity: 1)
        tape.initialize(to: Tape())
        return tape
    }

    static func destroy(_ tape: UnsafeMutablePointer<Tape>) {
        tape.pointee.slots.deallocate()
        tape.pointee.bytes.deallocate()
        tape.deinitialize(count: 1)
        tape.deallocate()
    }

    mutating func reset() {
        slotCount = 0
        byteCount = 0
    }

    /// Drops large buffers after a big transfer so memory is not held forever.
    mutating func shrinkIfLarge() {
        reset()
        if slotCapacity > 1 << 16 {
            slots.deallocate()
            slotCapacity = 64
            slots = .allocate(capacity: slotCapacity)
        }
        if byteCapacity > 1 << 20 {
            bytes.deallocate()
            byteCapacity = 1024
            bytes = .allocate(capacity: byteCapacity)
        }
    }

    func withTape<R>(_ body: (UnsafePointer<lh_Tape>) throws -> R) rethrows -> R {
        var tape = lh_Tape(
            slots: UnsafePointer(slots), nslots: slotCount,
            bytes: UnsafeRawPointer(bytes).assumingMemoryBound(to: CChar.self), nbytes: byteCount)
        return try withUnsafePointer(to: &tape) { try body($0) }
    }

    /// Exposes the buffers to C; valid until the next change to this tape.
    func fill(_ out: UnsafeMutablePointer<lh_Tape>) {
        out.pointee = lh_Tape(
            slots: UnsafePointer(slots), nslots: slotCount,
            bytes: UnsafeRawPointer(bytes).assumingMemoryBound(to: CChar.self), nbytes: byteCount)
    }

    @inline(__always)
    private mutating func appendSlot(_ tag: Int32, flags: Int32 = 0, count: Int64 = 0, bits: Int64 = 0) {
        if slotCount == slotCapacity { growSlots(slotCount + 1) }
        var slot = lh_Slot()
        slot.tag = tag
        slot.flags = flags
        slot.count = count
        slot.u.i = bits
        (slots + slotCount).initialize(to: slot)
        slotCount += 1
    }

    private mutating func growSlots(_ needed: Int) {
        var capacity = slotCapacity * 2
        while capacity < needed { capacity *= 2 }
        let bigger = UnsafeMutablePointer<lh_Slot>.allocate(capacity: capacity)
        bigger.moveInitialize(from: slots, count: slotCount)
        slots.deallocate()
        slots = bigger
        slotCapacity = capacity
    }

    private mutating func growBytes(_ needed: Int) {
        var capacity = byteCapacity * 2
        while capacity < needed { capacity *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        bigger.moveInitialize(from: bytes, count: byteCount)
        bytes.deallocate()
        bytes = bigger
        byteCapacity = capacity
    }

    mutating func appendNil() { appendSlot(Int32(LH_TAG_NIL)) }
    mutating func appendBoolean(_ b: Bool) { appendSlot(Int32(b ? LH_TAG_TRUE : LH_TAG_FALSE)) }
    mutating func appendInteger(_ i: Int64) { appendSlot(Int32(LH_TAG_INTEGER), bits: i) }
    mutating func appendNumber(_ n: Double) { appendSlot(Int32(LH_TAG_NUMBER), bits: Int64(bitPattern: n.bitPattern)) }
    mutating func appendFunction(_ id: Int64) { appendSlot(Int32(LH_TAG_FUNCTION), bits: id) }
    mutating func appendReference(_ ref: Int32) { appendSlot(Int32(LH_TAG_REF), bits: Int64(ref)) }

    mutating func appendString(_ raw: UnsafeRawBufferPointer) {
        let offset = byteCount
        if byteCount + raw.count > byteCapacity { growBytes(byteCount + raw.count) }
        if raw.count > 0 {
            UnsafeMutableRawPointer(bytes + byteCount).copyMemory(from: raw.baseAddress!, byteCount: raw.count)
        }
        byteCount += raw.count
        appendSlot(Int32(LH_TAG_STRING), count: Int64(raw.count), bits: Int64(offset))
    }

    mutating func appendString(_ s: LuaString) { s.withBytes { appendString($0) } }

    mutating func appendString(_ s: String) {
        var s = s
        s.withUTF8 { appendString(UnsafeRawBufferPointer($0)) }
    }

    /// Starts an array of `count` elements; append them next.
    mutating func beginArray(count: Int) { appendSlot(Int32(LH_TAG_ARRAY), count: Int64(count)) }

    /// Starts a map of `count` key/value pairs; append them next.
    mutating func beginMap(count: Int, readOnly: Bool = false, metatable: Int32 = 0) {
        appendSlot(Int32(LH_TAG_MAP), flags: readOnly ? Int32(LH_FLAG_READONLY) : 0, count: Int64(count), bits: Int64(metatable))
    }

    /// `depth` counts the tables around `value`: at most `maxDepth` nested
    /// tables cross, as `ValueReader` allows the other way.
    mutating func append(_ value: LuaValue, depth: Int = 0) throws(LuaBridgeError) {
        switch value {
        case .array, .map, .readOnly:
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
            try appendMap(entries, readOnly: false, depth: depth)
        case .readOnly(let inner):
            switch inner {
            case .map(let entries):
                try appendMap(entries, readOnly: true, depth: depth)
            case .array(let elements):
                beginMap(count: elements.count, readOnly: true)
                for (i, element) in elements.enumerated() {
                    appendInteger(Int64(i + 1))
                    try append(element, depth: depth + 1)
                }
            default:
                throw LuaBridgeError("only a table can be made read-only, not a \(inner.typeName)")
            }
        }
    }

    private mutating func appendMap(_ entries: [LuaKey: LuaValue], readOnly: Bool, depth: Int) throws(LuaBridgeError) {
        beginMap(count: entries.count, readOnly: readOnly)
        for (key, element) in entries {
            if case .number(let n) = key, n.isNaN { throw LuaBridgeError("a table key cannot be NaN") }
            try append(key.value, depth: depth + 1)
            try append(element, depth: depth + 1)
        }
    }
}
