import Foundation
import LuaHost
// Every test file here sees the shared fixtures (TempFolder, OutputCollector).
@_exported import TestSupport
import Testing

/// Runs `source` as `script.lua` in a fresh temp folder through `ScriptRunner`.
/// The default timeout is a safety net so a broken defence fails the test instead of hanging it.
func runScript(
    _ source: String, scriptName: String = "script.lua", arguments: [String] = [], limits: LuaLimits = LuaLimits(),
    timeout: Double = 60,
    grace: Double = 2, files: [String: String] = [:], libraryPaths: [String] = [], output: OutputCollector? = nil,
    prepare: (@Sendable (LuaState) throws -> Void)? = nil
) throws -> ScriptOutcome {
    let folder = try TempFolder()
    for (name, text) in files { try folder.write(name, text) }
    let script = try folder.write(scriptName, source)
    var run = ScriptRun(
        scriptPath: script, arguments: arguments, libraryPaths: libraryPaths, limits: limits, timeoutSeconds: timeout)
    run.gracePeriodSeconds = grace
    if let output { run.output = { output.append($0) } }
    run.prepare = prepare
    return ScriptRunner.run(run)
}

extension ScriptOutcome {
    var values: [LuaValue]? {
        if case .finished(let values) = self { return values }
        return nil
    }

    var error: LuaScriptError? {
        if case .failed(let error) = self { return error }
        return nil
    }

    var limit: LuaLimit? {
        if case .limitExceeded(let limit) = self { return limit }
        return nil
    }

    var exitStatus: Int32? {
        if case .exited(let status) = self { return status }
        return nil
    }
}

/// The host still works: a new run in a new state finishes with the expected result.
func expectHealthy(sourceLocation: SourceLocation = #_sourceLocation) throws {
    let outcome = try runScript("local t = {} for i = 1, 1000 do t[i] = i end return #t, ...", arguments: ["ok"])
    expectValues(outcome.values, [.integer(1000), .string("ok")], sourceLocation: sourceLocation)
    let state = try LuaState()
    expectValues(try state.run("return 40 + 2"), [.integer(42)], sourceLocation: sourceLocation)
}

/// A small CPU budget for tests that prove the CPU limit trips.
let smallCPU = LuaLimits(cpuSeconds: 0.3)

extension LuaValue {
    static func bytes(_ bytes: [UInt8]) -> LuaValue { .string(LuaString(bytes: bytes)) }
}

/// `#expect(actual == expected)` for value lists, with the literal typed by the parameter
/// (long literals inside `#expect` are too slow for the type checker).
func expectValues(_ actual: [LuaValue]?, _ expected: [LuaValue], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual == expected, sourceLocation: sourceLocation)
}
