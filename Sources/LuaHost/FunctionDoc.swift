/// What `help(f)` shows for a host function: the same text that
/// docs/lua-api.md and the `---@meta` file give.
public struct FunctionDoc: Sendable, Equatable {
    /// e.g. `fota.append(upgradeId, devices [, opts]) -> result`
    public var signature: String
    public var summary: String

    public init(signature: String, summary: String) {
        self.signature = signature
        self.summary = summary
    }
}
