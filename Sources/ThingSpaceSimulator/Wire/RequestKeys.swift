/// Request bodies whose keys the service matches without regard to case (so the doc's `devicelist` spelling
/// works, docs/thingspace-api.md C3). With `SimulatorOptions.strictKeys` only the documented spelling is read.
/// The choice travels in the decoder's `userInfo`, so one decoding path serves both modes.
struct RequestKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }

    /// `userInfo` key: `true` when keys must match exactly.
    static let strict = CodingUserInfoKey(rawValue: "ThingSpaceSimulator.strictKeys")!
}

/// Finds a documented key in a decoded object: the exact spelling first, else (unless strict) any spelling
/// that differs only in case.
struct RequestKeys {
    private let container: KeyedDecodingContainer<RequestKey>
    private let folded: [String: RequestKey]
    private let strict: Bool

    init(_ decoder: any Decoder) throws {
        container = try decoder.container(keyedBy: RequestKey.self)
        strict = decoder.userInfo[RequestKey.strict] as? Bool ?? false
        var folded: [String: RequestKey] = [:]
        for key in container.allKeys { folded[key.stringValue.lowercased()] = folded[key.stringValue.lowercased()] ?? key }
        self.folded = folded
    }

    func value<T: Decodable>(_ type: T.Type, _ name: String) throws -> T? {
        let exact = RequestKey(stringValue: name)
        if container.contains(exact) { return try container.decodeIfPresent(T.self, forKey: exact) }
        guard !strict, let key = folded[name.lowercased()] else { return nil }
        return try container.decodeIfPresent(T.self, forKey: key)
    }
}
