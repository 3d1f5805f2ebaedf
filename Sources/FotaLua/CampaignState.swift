import Foundation
import LuaHost
import Synchronization

/// `fota.state`: JSON values a campaign script keeps between runs, one file per name
/// (`NAME.json`) in the state folder.
///
/// A `put` is atomic: the value goes to a temporary file that is flushed (fsync),
/// renamed over the old file, and the folder is flushed, so a run killed at any moment
/// leaves either the old value or the new one. The first use takes an exclusive lock
/// (flock on `.lock` in the folder) held until the process ends, so two runs never
/// share a state folder; the kernel drops the lock of a killed run.
///
/// Without a folder (the in-process simulator, whose ThingSpace is gone when the run
/// ends) values live in memory for the run. A dry or read-only run reads the folder but
/// keeps its puts in memory: it never changes what a live run will find.
public final class CampaignState: Sendable {
    /// nil: values live in memory only.
    public let folder: String?
    private struct State {
        var lockFD: Int32 = -1
        /// Values put in this run that are not written to the folder (no folder, or not persisting).
        var memory: [String: LuaValue] = [:]
    }
    private let state = Mutex(State())

    public init(folder: String?) {
        self.folder = folder
    }

    deinit { state.withLock { if $0.lockFD >= 0 { _ = close($0.lockFD) } } }

    /// Longest name accepted; names become file names.
    static let maxNameLength = 200

    /// A name is a file name: letters, digits, `.`, `_`, `-`, not starting with `.` (so no path
    /// separator, no `..`, no hidden file). Returns why a name is refused, or nil.
    static func problem(withName name: String) -> String? {
        if name.isEmpty { return "is empty" }
        if name.utf8.count > maxNameLength { return "is longer than \(maxNameLength) bytes" }
        if name.hasPrefix(".") { return "starts with '.'" }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-".unicodeScalars)
        if let bad = name.unicodeScalars.first(where: { !allowed.contains($0) }) {
            return bad == "/" ? "contains '/' (a path separator)" : "contains \(quoted(String(bad))) (use letters, digits, '.', '_', '-')"
        }
        return nil
    }

    /// The value stored under `name`, nil when none; decoding is charged to `budget`.
    func get(_ name: String, budget: LuaMemoryBudget) throws -> LuaValue? {
        if let value = state.withLock({ $0.memory[name] }) { return value }
        guard let folder else { return nil }
        try lock(folder)
        let path = folder + "/" + name + ".json"
        // A link or a FIFO planted in the folder is not followed or waited on: state files are
        // regular files fota wrote (O_NONBLOCK only matters for a FIFO, refused just below).
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        if fd < 0 {
            if errno == ENOENT { return nil }
            if errno == ELOOP { throw StateError("cannot read \(path): it is a symbolic link, and fota.state reads only files it wrote") }
            throw StateError("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw StateError("cannot read \(path): it is not a regular file, and fota.state reads only files it wrote")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw StateError("cannot read \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            try budget.charge(n) // the text handed to the parser
            bytes.append(contentsOf: chunk[0..<n])
        }
        do { return try JSONText.decode(bytes, budget: budget) } catch {
            throw StateError("\(path) is not valid JSON (\(error.description)); it was not written by fota.state.put")
        }
    }

    /// Stores `value` under `name`: in the folder when `persist`, else for this run only.
    func put(_ name: String, _ value: LuaValue, persist: Bool, budget: LuaMemoryBudget) throws {
        let text: String
        do { text = try JSONText.encode(value, budget: budget) } catch { throw StateError("the value cannot be stored: \(error.description)") }
        guard let folder, persist else {
            state.withLock { $0.memory[name] = value }
            return
        }
        try lock(folder)
        try Self.writeAtomically(Array((text + "\n").utf8), to: folder + "/" + name + ".json", folder: folder)
    }

    /// Takes the folder's lock on first use (creating the folder, mode 0700).
    private func lock(_ folder: String) throws {
        try state.withLock { state in
            guard state.lockFD < 0 else { return }
            do { try Journal.createFolder(folder) } catch {
                throw StateError("cannot create the state folder \(folder): \(error)")
            }
            let path = folder + "/.lock"
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600) // a planted link is not followed
            guard fd >= 0 else { throw StateError("cannot open the lock file \(path): \(String(cString: strerror(errno)))") }
            var result: Int32
            repeat { result = flock(fd, LOCK_EX | LOCK_NB) } while result != 0 && errno == EINTR
            if result != 0 {
                let busy = errno == EWOULDBLOCK
                let reason = String(cString: strerror(errno))
                close(fd)
                throw StateError(busy
                    ? "the state folder \(folder) is in use: another run holds its lock (\(path)); wait for it to end, or give this run another folder with --state"
                    : "cannot lock the state folder \(folder) (\(path)): \(reason)")
            }
            state.lockFD = fd
        }
    }

    /// Temporary file → write → fsync → rename over `path` → fsync the folder.
    private static func writeAtomically(_ bytes: [UInt8], to path: String, folder: String) throws {
        let temporary = path + ".tmp"
        func failure(_ what: String) -> StateError {
            StateError("cannot write \(path) (\(what)): \(String(cString: strerror(errno)))")
        }
        // A stale temporary (or a link planted under its name) is removed, never written through.
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("creating \(temporary)") }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                let error = failure("writing \(temporary)")
                close(fd)
                unlink(temporary)
                throw error
            }
            offset += n
        }
        if fsync(fd) != 0 {
            let error = failure("flushing \(temporary)")
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let error = failure("renaming \(temporary)")
            unlink(temporary)
            throw error
        }
        let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folderFD >= 0 else { throw failure("opening the folder to flush it") }
        defer { close(folderFD) }
        guard fsync(folderFD) == 0 else { throw failure("flushing the folder") }
    }
}

struct StateError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
