import Foundation
import LuaHost
import Synchronization

/// The journal: one JSON line per event of every mutating call, appended and
/// flushed to disk (fsync) before the call goes on, so a run killed at any
/// moment leaves a true record: an `intent` line without its `outcome` line
/// means the request may or may not have reached ThingSpace.
///
/// Records hold ids, statuses and reasons; never a token, password or secret.
public final class Journal: Sendable {
    public let path: String
    private let descriptor: Mutex<Int32>

    /// A journal at `path`; the file (and its folder, mode 0700; file 0600) is
    /// created on the first record, so runs that change nothing leave no trace.
    public init(path: String) {
        self.path = path
        descriptor = Mutex(-1)
    }

    deinit { descriptor.withLock { if $0 >= 0 { _ = close($0) } } }

    private func openFile() throws -> Int32 {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw JournalError(description: "cannot open the journal \(path): \(String(cString: strerror(errno)))")
        }
        return fd
    }

    /// Appends one record and waits until it is on disk.
    public func append(_ record: [String: LuaValue]) throws {
        var entries: [LuaKey: LuaValue] = [:]
        for (key, value) in record { entries[.string(LuaString(key))] = value }
        let line = try JSONText.encode(.map(entries)) + "\n"
        try descriptor.withLock { fd in
            if fd < 0 { fd = try openFile() }
            var bytes = Array(line.utf8)
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw JournalError(description: "cannot write the journal \(path): \(String(cString: strerror(errno)))")
                }
                offset += written
            }
            bytes.removeAll()
            guard fsync(fd) == 0 else {
                throw JournalError(description: "cannot flush the journal \(path) to disk: \(String(cString: strerror(errno)))")
            }
        }
    }
}

struct JournalError: Error, CustomStringConvertible {
    var description: String
}
