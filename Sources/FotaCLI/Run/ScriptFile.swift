import Foundation

/// Reads the script `fota run` was given, once and to its end, so a pipe, a
/// FIFO or process substitution (`fota run <(…)`, `fota run /dev/stdin`)
/// works like a file; failures say why, for exit status 66.
enum ScriptFile {
    struct Unreadable: Error { var reason: String }

    static func read(_ path: String) throws(Unreadable) -> Data {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
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
