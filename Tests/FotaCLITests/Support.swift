import Foundation
import Testing

/// The `fota` binary built next to this test bundle.
let fotaBinary: String = {
    var candidates: [String] = []
    let argument0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    candidates.append(argument0.deletingLastPathComponent().appendingPathComponent("fota").path)
    candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("fota").path)
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    candidates.append(packageRoot.appendingPathComponent(".build/debug/fota").path)
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
}()

/// A fresh folder under the system's temporary directory, removed when released.
final class TempFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "fota-cli-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ relative: String, _ text: String, executable: Bool = false) throws -> String {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: full) }
        return full
    }
}

struct Finished {
    var status: Int32
    var stdout: String
    var stderr: String
    /// The process ended by a signal rather than by exiting.
    var signalled: Bool
}

/// A running `fota` (or other) process whose output goes to files, so nothing blocks on a full pipe.
final class Subprocess {
    let process = Process()
    private let folder: TempFolder
    private let outPath: String
    private let errPath: String

    init(_ executable: String, _ arguments: [String], in directory: String? = nil, environment: [String: String?] = [:]) throws {
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

    var pid: Int32 { process.processIdentifier }

    /// CPU time the process has used so far, in clock ticks (from /proc), or 0.
    var cpuTicks: Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields after the name: state(0) … utime(11) stime(12)
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return 0 }
        return user + system
    }

    /// Waits for the process to end; past `limit` seconds it is killed and the test fails.
    func wait(limit: Double = 60, sourceLocation: SourceLocation = #_sourceLocation) -> Finished {
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

/// Runs `fota` with `arguments` and waits for it.
func fota(
    _ arguments: [String], in directory: String? = nil, environment: [String: String?] = [:], limit: Double = 60,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> Finished {
    try Subprocess(fotaBinary, arguments, in: directory, environment: environment).wait(limit: limit, sourceLocation: sourceLocation)
}

/// Writes `source` as `name` in a new folder and runs `fota run [options] name [scriptArguments]` there.
func fotaRun(
    _ source: String, name: String = "script.lua", options: [String] = [], arguments: [String] = [],
    limit: Double = 60, sourceLocation: SourceLocation = #_sourceLocation
) throws -> Finished {
    let folder = try TempFolder()
    try folder.write(name, source)
    return try fota(["run"] + options + [name] + arguments, in: folder.path, limit: limit, sourceLocation: sourceLocation)
}
