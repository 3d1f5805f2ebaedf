import Synchronization

/// Collects what a script's `print` writes, from whichever thread runs the script.
public final class OutputCollector: Sendable {
    private let data = Mutex<[UInt8]>([])

    public init() {}

    public func append(_ chunk: UnsafeRawBufferPointer) { data.withLock { $0.append(contentsOf: chunk) } }

    public var bytes: [UInt8] { data.withLock { $0 } }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
