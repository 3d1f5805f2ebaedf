import CLua
import CLuaSupport

extension LuaState {
    /// Replaces global `name` (a table) with a read-only proxy: scripts can
    /// read and iterate it, not change it or its metatable. Errors name it
    /// `name` (a nested table `name.key`).
    public func protectGlobal(_ name: String) throws {
        guard lh_protect_global(L, name) == LUA_OK else {
            throw LuaHostFailure("cannot protect global '\(name)': \(popErrorMessage())")
        }
    }

    /// Keeps the value of global `name` in the registry, for use as a
    /// metatable of values the host returns (see `LuaErrorValue`).
    public func reference(global name: String) throws -> Int32 {
        var reference: Int32 = 0
        guard lh_ref_global(L, name, &reference) == LUA_OK else {
            throw LuaHostFailure("cannot keep global '\(name)': \(popErrorMessage())")
        }
        return reference
    }

    /// True once the run should stop: a limit tripped, Ctrl-C, or os.exit.
    /// A host function waiting on I/O polls it to give up promptly.
}
