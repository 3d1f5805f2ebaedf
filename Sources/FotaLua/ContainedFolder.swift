import Foundation

/// A folder the operator chose (--in, --out) that scripts read or write
/// under by relative name. Each part of a name is opened relative to the
/// folder opened before it (openat) with O_NOFOLLOW, so no symbolic link is
/// followed anywhere below the folder, even one placed there before the run;
/// names with a part starting with "." (.git, .ssh, .env) are refused
/// outright. The folder itself is the operator's choice and may be a link.
struct ContainedFolder: Sendable {
    let root: String
    /// How the operator names this folder ("--in" on the command line), for messages.
    let flag: String

    struct Refused: Error, CustomStringConvertible {
        var description: String
    }

    /// The parts of `name`: a relative path with no empty part and no part
    /// starting with "." (which also rules out "." and "..").
    func parts(of name: String) throws(Refused) -> [String] {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !name.isEmpty, !name.hasPrefix("/"), !name.contains("\0"), !parts.contains(where: { $0 == "." || $0 == ".." }) else {
            throw Refused(description: "'\(name)' must be a relative path inside the \(flag) folder (no '..' or '.', no leading '/')")
        }
        if parts.contains(where: \.isEmpty) {
            throw Refused(description: "'\(name)' has an empty part ('//' or a trailing '/')")
        }
        if let hidden = parts.first(where: { $0.hasPrefix(".") }) {
            throw Refused(description:
                "'\(name)': '\(hidden)' starts with '.'; hidden names are refused in the \(flag) folder")
        }
        return parts
    }

    /// The full path of `name`, for messages and results.
    func path(_ name: String) -> String { root + "/" + name }

    /// The bytes of the regular file `name` below the folder.
    func read(_ name: String) throws(Refused) -> [UInt8] {
        let parts = try parts(of: name)
        let folder = try openFolder(parts.dropLast(), name: name, creating: false)
        defer { close(folder) }
        // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below anyway.
        let fd = openat(folder, parts.last!, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw refusal(errno, part: name, of: name) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw refusal(errno, part: name, of: name) }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw Refused(description: "cannot read '\(name)': not a regular file")
        }
        do { return try Self.readAll(fd) } catch { throw refusal(error.code, part: name, of: name) }
    }

    /// Writes `name` below the folder, creating its sub-folders. A new file
    /// is created exclusively; an existing one is replaced (by renaming a
    /// fresh file over it, so a link there is replaced, not followed) only
    /// when `replacing` is true, and only if it is a regular file.
    func write(_ name: String, _ bytes: [UInt8], replacing: Bool) throws(Refused) {
        let parts = try parts(of: name)
        let folder = try openFolder(parts.dropLast(), name: name, creating: true)
        defer { close(folder) }
        let leaf = parts.last!
        let fd = openat(folder, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
        if fd >= 0 {
            defer { close(fd) }
            do { try Self.writeAll(fd, bytes) } catch { throw refusal(error.code, part: name, of: name, writing: true) }
            return
        }
        guard errno == EEXIST else { throw refusal(errno, part: name, of: name, writing: true) }
        var status = stat()
        guard fstatat(folder, leaf, &status, AT_SYMLINK_NOFOLLOW) == 0 else { throw refusal(errno, part: name, of: name, writing: true) }
        if status.st_mode & S_IFMT == S_IFLNK {
            throw Refused(description: "cannot write '\(name)': it is a symbolic link, which fota does not follow or replace")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw Refused(description: "cannot write '\(name)': it exists and is not a regular file")
        }
        guard replacing else {
            throw Refused(description:
                "cannot write '\(name)': it already exists in the \(flag) folder and this run did not write it; pass {overwrite = true} to replace it")
        }
        let temporary = ".fota-\(UUID().uuidString)"
        let tfd = openat(folder, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
        guard tfd >= 0 else { throw refusal(errno, part: name, of: name, writing: true) }
        do {
            try Self.writeAll(tfd, bytes)
            close(tfd)
        } catch {
            close(tfd)
            unlinkat(folder, temporary, 0)
            throw refusal(error.code, part: name, of: name, writing: true)
        }
        guard renameat(folder, temporary, folder, leaf) == 0 else {
            let code = errno
            unlinkat(folder, temporary, 0)
            throw refusal(code, part: name, of: name, writing: true)
        }
    }

    /// The folder reached through `parts`, each opened without following a
    /// link (and made first when `creating`); the caller closes it.
    private func openFolder(_ parts: ArraySlice<String>, name: String, creating: Bool) throws(Refused) -> Int32 {
        var folder = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder < 0, errno == ENOENT, creating,
            (try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)) != nil {
            // The operator's folder (and its parents) is made as they named it; below it, one part at a time.
            folder = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        guard folder >= 0 else {
            throw Refused(description: "cannot use the \(flag) folder '\(root)': \(String(cString: strerror(errno)))")
        }
        var walked: [String] = []
        for part in parts {
            walked.append(part)
            var next = openat(folder, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0, errno == ENOENT, creating {
                if mkdirat(folder, part, 0o777) == 0 || errno == EEXIST {
                    next = openat(folder, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                }
            }
            var code = errno
            if next < 0, code == ENOTDIR, isLink(part, in: folder) { code = ELOOP } // O_DIRECTORY reports a link as ENOTDIR
            close(folder)
            guard next >= 0 else { throw refusal(code, part: walked.joined(separator: "/"), of: name, writing: creating) }
            folder = next
        }
        return folder
    }

    private func isLink(_ part: String, in folder: Int32) -> Bool {
        var status = stat()
        return fstatat(folder, part, &status, AT_SYMLINK_NOFOLLOW) == 0 && status.st_mode & S_IFMT == S_IFLNK
    }

    /// A message for a failed open, read or write; `part` is the part of
    /// `name` that failed (a folder on the way, or the name itself).
    private func refusal(_ code: Int32, part: String, of name: String, writing: Bool = false) -> Refused {
        let verb = writing ? "write" : "read"
        let reason: String
        switch code {
        case ELOOP: reason = "'\(part)' is a symbolic link, which fota does not follow under \(flag)"
        case ENOTDIR: reason = "'\(part)' is not a folder"
        case ENOENT: reason = part == name ? "no such file in the \(flag) folder" : "no folder '\(part)' in the \(flag) folder"
        default: reason = part == name ? String(cString: strerror(code)) : "'\(part)': \(String(cString: strerror(code)))"
        }
        return Refused(description: "cannot \(verb) '\(name)': \(reason)")
    }

    struct SystemError: Error { var code: Int32 }

    /// Everything readable from `fd` until end of file (pipes included).
    static func readAll(_ fd: Int32) throws(SystemError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemError(code: errno)
            }
            bytes.append(contentsOf: chunk[..<count])
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemError(code: errno)
            }
            offset += count
        }
    }
}
