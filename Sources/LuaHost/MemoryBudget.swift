import CLuaSupport

/// The memory budget a state's Lua heap shares with what the host builds from
/// script values while a host function runs: Swift copies of arguments, JSON
/// text, log text. Charges last until the host call returns (or, for a read
/// of results, until the read ends); a refused charge makes the call fail
/// with Lua's memory error, which the run reports as the memory limit.
///
/// Use it on the interpreter thread only, during the call it was handed to.
public struct LuaMemoryBudget {
    let host: UnsafeMutablePointer<lh_Host>?

    /// No budget: for text built outside any script (the journal).
    public static var unlimited: LuaMemoryBudget { LuaMemoryBudget(host: nil) }

    init(host: UnsafeMutablePointer<lh_Host>?) { self.host = host }

    /// Charges `bytes` to the budget; throws once the limit would be passed.
    public func charge(_ bytes: Int) throws(LuaMemoryError) {
        guard let host, bytes > 0 else { return }
        guard lh_charge_call(host, bytes) != 0 else { throw LuaMemoryError() }
    }

    /// Holds `bytes` of the budget for something the call must still be able to build later (the
    /// result of a change, once it has been sent); throws now if the budget has no room for it.
    /// The hold lasts until `release()` (at the latest when the reservation is freed).
    public func reserve(_ bytes: Int) throws(LuaMemoryError) -> LuaMemoryReservation {
        guard let host, bytes > 0 else { return LuaMemoryReservation(host: nil, bytes: 0) }
        // lh_charge, not lh_charge_call: the call's own charges are given back only when it ends.
        // A refused reservation charges nothing and is the caller's to report: it must not mark
        // the call or the run as having hit the limit.
        let refused = host.pointee.mem_refused, callRefused = host.pointee.call_refused
        guard lh_charge(host, bytes) != 0 else {
            host.pointee.mem_refused = refused
            host.pointee.call_refused = callRefused
            throw LuaMemoryError()
        }
        return LuaMemoryReservation(host: host, bytes: bytes)
    }

    /// The budget's limit and what is in use now, in bytes (limit 0: none).
    public var standing: (used: Int, limit: Int) {
        guard let host else { return (0, 0) }
        return (Int(host.pointee.mem_used), Int(host.pointee.mem_limit))
    }

    /// What one value read into Swift is charged, besides its string bytes:
    /// a `LuaValue` slot plus its share of the array or dictionary holding it.
    public static let valueBytes = 48
    /// A table's own buffer (array or dictionary header).
    public static let tableBytes = 64
    /// A map entry's key and hash slot, on top of its value.
    public static let entryBytes = 48

    /// What a string of `count` bytes costs in Swift (short ones are stored inline).
    public static func stringBytes(_ count: Int) -> Int { count > 15 ? count + 32 : 0 }
}

/// Budget held by `LuaMemoryBudget.reserve` until released. Use it on the interpreter thread
/// only, within the host call that made it.
public final class LuaMemoryReservation {
    private let host: UnsafeMutablePointer<lh_Host>?
    private var bytes: Int

    init(host: UnsafeMutablePointer<lh_Host>?, bytes: Int) {
        self.host = host
        self.bytes = bytes
    }

    /// Gives the held bytes back (once; later calls do nothing).
    public func release() {
        if let host, bytes > 0 { lh_credit(host, bytes) }
        bytes = 0
    }

    deinit { release() }
}

/// The memory budget was exhausted while a host function built something.
public struct LuaMemoryError: Error, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "not enough memory" }
}
