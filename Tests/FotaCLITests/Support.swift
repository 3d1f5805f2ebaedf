import Foundation
// Every test file here sees the shared fixtures (TempFolder, Subprocess, SimulatorProcess, …).
@_exported import TestSupport
import Testing

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
