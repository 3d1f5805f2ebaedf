import Foundation

/// A fresh folder under the system's temporary directory, removed when released.
public final class TempFolder: Sendable {
    public let path: String

    public init() throws {
        path = NSTemporaryDirectory() + "fota-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` at `relative` (creating folders) and returns the full path.
    @discardableResult
    public func write(_ relative: String, _ text: String, executable: Bool = false) throws -> String {
        let full = try write(relative, bytes: Array(text.utf8))
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: full) }
        return full
    }

    @discardableResult
    public func write(_ relative: String, bytes: [UInt8]) throws -> String {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: full))
        return full
    }
}
