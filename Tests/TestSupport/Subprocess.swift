import CTestSpawn
import Foundation
import Testing

/// The `fota` binary built next to this test bundle.
public let fotaBinary: String = {
    var candidates: [String] = []
    let argument0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    candidates.append(argument0.deletingLastPathComponent().appendingPathComponent("fota").path)
    candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("fota").path)
    // Tests/TestSupport/Subprocess.swift → the package root.
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    candidates.append(packageRoot.appendingPathComponent(".build/debug/fota").path)
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
}()

/// How a subprocess ended and what it wrote.
public struct Finished {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// The process ended by a signal rather than by exiting.
    public var signalled: Bool
}

/// A running `fota` (or other) process whose output goes to files, so nothing blocks on a full pipe.
/// Started with posix_spawn rather than Foundation's Process (why: ts_spawn.h).
public final class Subprocess {
    public let pid: Int32
    private let folder: TempFolder
    private let outPath: String
    private let errPath: String
    /// The wait status once the process has been reaped.
    private var ended: Int32?

    /// Starts `executable` with `arguments` in `directory`, this process's environment with `environment`
    /// applied (nil removes a name). Its stdin is /dev/null, its stdout `standardOutput` when given
    /// (a descriptor the caller keeps and closes) or else a file, like its stderr.
    public init(_ executable: String, _ arguments: [String], in directory: String? = nil,
                environment: [String: String?] = [:], standardOutput: Int32? = nil) throws {
        folder = try TempFolder()
        outPath = folder.path + "/stdout"
        errPath = folder.path + "/stderr"
        var env = ProcessInfo.processInfo.environment
        env["FOTA_PATH"] = nil
        for (key, value) in environment { env[key] = value }
        let input = open("/dev/null", O_RDONLY | O_CLOEXEC)
        let output = open(outPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        let errors = open(errPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        // The child holds its own copies once it runs.
        defer { for fd in [input, output, errors] where fd >= 0 { close(fd) } }
        guard input >= 0, output >= 0, errors >= 0 else {
            throw CLITestFailure("cannot open the output files in \(folder.path): errno \(errno)")
        }
        let argv = ([executable] + arguments).map { strdup($0) }
        let envp = env.map { strdup("\($0.key)=\($0.value)") }
        defer { for pointer in argv + envp { free(pointer) } }
        var child: pid_t = 0
        let status = (argv + [nil]).withUnsafeBufferPointer { argvBuffer in
            (envp + [nil]).withUnsafeBufferPointer { envpBuffer in
                ts_spawn(&child, executable, argvBuffer.baseAddress, envpBuffer.baseAddress, directory,
                         input, standardOutput ?? output, errors)
            }
        }
        guard status == 0 else {
            throw CLITestFailure("cannot start \(executable): \(String(cString: strerror(status)))")
        }
        pid = child
    }

    deinit {
        // A test that forgot its process must not leave it running, nor a zombie.
        if isRunning { kill(pid, SIGKILL); _ = reap(blocking: true) }
    }

    /// The descriptors of this process that point into `path`'s folder.
    public static func openDescriptors(under path: String) -> [String] {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0) }
            .filter { $0.hasPrefix(path + "/") }
    }

    /// The folder holding the child's stdout and stderr files.
    public var outputFolder: String { folder.path }

    /// Whether the process is still running (reaps it once it has ended).
    public var isRunning: Bool { reap(blocking: false) == nil }

    private func reap(blocking: Bool) -> Int32? {
        if let ended { return ended }
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if result == pid { ended = status; return status }
            if result == -1 && errno == EINTR { continue }
            // 0: still running; -1 (ECHILD) cannot happen for our own unreaped child.
            return nil
        }
    }


    /// CPU time the process has used so far, in clock ticks (from /proc), or 0.
    public var cpuTicks: Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields after the name: state(0) … utime(11) stime(12)
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return 0 }
        return user + system
    }

    /// Waits for the process to end; past `limit` seconds it is killed and the test fails.
    public func wait(limit: Double = 60, sourceLocation: SourceLocation = #_sourceLocation) -> Finished {
        let deadline = Date().addingTimeInterval(limit)
        while isRunning && Date() < deadline { usleep(10_000) }
        if isRunning {
            Issue.record("fota did not end within \(limit) s; killing it", sourceLocation: sourceLocation)
            kill(pid, SIGKILL)
        }
        let status = reap(blocking: true) ?? 0
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        // Like Foundation's terminationStatus: the exit code, or the signal's number for a signalled end.
        let signalled = status & 0x7f != 0
        return Finished(
            status: signalled ? status & 0x7f : (status >> 8) & 0xff, stdout: out, stderr: err, signalled: signalled)
    }
}

/// A test's own failure, thrown when a fixture cannot do what the test needs.
public struct CLITestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The records of the journal at `path`; a line that is not JSON becomes `["unparsable": line]`.
public func journalRecords(_ path: String) -> [[String: Any]] {
    let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    return text.split(separator: "\n").map { line in
        (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? ["unparsable": String(line)]
    }
}
