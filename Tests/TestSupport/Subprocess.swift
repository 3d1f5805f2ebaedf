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
public final class Subprocess {
    public let process = Process()
    private let folder: TempFolder
    private let outPath: String
    private let errPath: String

    public init(_ executable: String, _ arguments: [String], in directory: String? = nil, environment: [String: String?] = [:]) throws {
        folder = try TempFolder()
        outPath = folder.path + "/stdout"
        errPath = folder.path + "/stderr"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = ProcessInfo.processInfo.environment
        env["FOTA_PATH"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }

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
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            Issue.record("fota did not end within \(limit) s; killing it", sourceLocation: sourceLocation)
            kill(pid, SIGKILL)
            while process.isRunning { usleep(10_000) }
        }
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return Finished(
            status: process.terminationStatus, stdout: out, stderr: err,
            signalled: process.terminationReason == .uncaughtSignal)
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
