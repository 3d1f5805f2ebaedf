import Hummingbird

extension SimulatorCore {
    /// Applies `body` to the world and answers 200 with its JSON result (encoded outside the lock).
    func respond<T: Encodable & Sendable>(_ body: (inout World) throws -> T) throws -> Response {
        Reply.json(try withWorld(body))
    }

    /// `respond` for bodies that cannot fail.
    func respondUnchecked<T: Encodable & Sendable>(_ body: (inout World) -> T) -> Response {
        Reply.json(world.withLock { body(&$0) })
    }
}

extension Request {
    /// A header by name; `VZ-M2M-Token` is not among HTTPTypes' predefined names.
    func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.canonicalName == lowered }?.value
    }
}

extension RequestContext {
    /// A path parameter; the router only matches when it is present.
    func param(_ name: String) -> String {
        parameters.get(name) ?? ""
    }
}
