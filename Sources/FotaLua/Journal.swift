import Foundation
import LuaHost
import Synchronization

/// The journal: one JSON line per event of every mutating call, appended and
/// flushed to disk (fsync) before the call goes on, so a run killed at any
/// moment leaves a true record: an `intent` line without its `outcome` line
/// means the request may or may not have reached ThingSpace.
///
/// Each line goes out in one `write` of the whole line. A line cut short (a
/// full disk, a crash mid-write) is never continued: the next run opening the
/// journal starts on a fresh line, and `Journal.records` skips such a line.
///
/// Records hold ids, statuses and reasons; never a token, password or secret.
public final class Journal: Sendable {
    public let path: String
    private struct State {
        var fd: Int32 = -1
        /// The file does not end with a newline (a torn line): the next line starts with one.
        var needsNewline = false
    }
    private let state: Mutex<State>

    /// A journal at `path`; the file (and its folder, mode 0700; file 0600) is
    /// created on the first record, so runs that change nothing leave no trace.
    public init(path: String) {
        self.path = path
        state = Mutex(State())
    }

    deinit { state.withLock { if $0.fd >= 0 { _ = close($0.fd) } } }

    private func openFile() throws -> (fd: Int32, tornTail: Bool) {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try Self.createFolder(folder) }
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw JournalError(description: "cannot open the journal \(path): \(String(cString: strerror(errno)))")
        }
        return (fd, Self.endsTorn(fd))
    }

    /// True when the file is not empty and its last byte is not a newline.
    private static func endsTorn(_ fd: Int32) -> Bool {
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { return false }
        var last: UInt8 = 0
        return pread(fd, &last, 1, size - 1) == 1 && last != 0x0A
    }

    /// Creates `folder` and its missing parents (mode 0700), naming the folder that failed and why.
    static func createFolder(_ folder: String) throws {
        var info = stat()
        if stat(folder, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw JournalError(description: "cannot create the journal folder \(folder): a file of that name exists")
            }
            return
        }
        let parent = (folder as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != folder { try createFolder(parent) }
        if mkdir(folder, 0o700) != 0 && errno != EEXIST {
            throw JournalError(description: "cannot create the journal folder \(folder): \(String(cString: strerror(errno)))")
        }
    }

    /// Appends one record and waits until it is on disk.
    public func append(_ record: [String: LuaValue]) throws {
        var entries: [LuaKey: LuaValue] = [:]
        for (key, value) in record { entries[.string(LuaString(key))] = value }
        let line = try JSONText.encode(.map(entries)) + "\n"
        try state.withLock { state in
            if state.fd < 0 {
                let opened = try openFile()
                state.fd = opened.fd
                state.needsNewline = opened.tornTail
            }
            // A torn line before this one stays on its own line.
            let bytes = Array(((state.needsNewline ? "\n" : "") + line).utf8)
            var written: Int
            repeat {
                written = bytes.withUnsafeBytes { write(state.fd, $0.baseAddress!, $0.count) }
            } while written < 0 && errno == EINTR
            if written != bytes.count {
                let reason = written < 0 ? String(cString: strerror(errno)) : "only \(written) of \(bytes.count) bytes written"
                // Whatever reached the file is a torn line; the next record starts after it.
                state.needsNewline = Self.endsTorn(state.fd)
                throw JournalError(description: "cannot write the journal \(path): \(reason)")
            }
            state.needsNewline = false
            guard fsync(state.fd) == 0 else {
                throw JournalError(description: "cannot flush the journal \(path) to disk: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// The records of the journal at `path`, oldest first. Lines that are not a whole JSON
    /// object (a torn line left by a failed write) are skipped; `skipped` counts them.
    public static func records(path: String) throws -> (records: [[String: Any]], skipped: Int) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw JournalError(description: "cannot read the journal \(path): \(String(cString: strerror(errno)))")
        }
        var records: [[String: Any]] = []
        var skipped = 0
        for line in data.split(separator: 0x0A) where !line.isEmpty {
            if let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] {
                records.append(object)
            } else {
                skipped += 1
            }
        }
        return (records, skipped)
    }
}

struct JournalError: Error, CustomStringConvertible {
    var description: String
}
