import Foundation

/// Reads the script `fota run` was given, once and to its end, so a pipe, a
/// FIFO or process substitution (`fota run <(…)`, `fota run /dev/stdin`)
/// works like a file; failures say why, for exit status 66.
enum ScriptFile {
    struct Unreadable: Error { var reason: String }

    static func read(_ path: String) throws(Unreadable) -> Data {
        try read(descriptor: open(path, O_RDONLY | O_CLOEXEC))
    }

    /// The script of `fota run -`.
    static func readStandardInput() throws(Unreadable) -> Data {
        try read(descriptor: dup(STDIN_FILENO))
    }

    /// Reads `fd` (an open descriptor this function closes, or -1 with errno set) to its end.
    private static func read(descriptor fd: Int32) throws(Unreadable) -> Data {
        guard fd >= 0 else { throw Unreadable(reason: String(cString: strerror(errno))) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let code = errno
            close(fd)
            throw Unreadable(reason: String(cString: strerror(code)))
        }
        if status.st_mode & S_IFMT == S_IFDIR {
            close(fd)
            throw Unreadable(reason: "it is a folder")
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            return try handle.readToEnd() ?? Data()
        } catch {
            let posix = (error as NSError).domain == NSPOSIXErrorDomain ? Int32((error as NSError).code) : EIO
            throw Unreadable(reason: String(cString: strerror(posix)))
        }
    }
}
