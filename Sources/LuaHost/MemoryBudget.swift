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

/// The memory budget was exhausted while a host function built something.
public struct LuaMemoryError: Error, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "not enough memory" }
}
