import CBenchBaseline
import CLua
import Foundation
import LuaHost

/// Converts an N-element array of 15-character strings Lua → Swift and
/// Swift → Lua, against the raw C API doing the same in this binary.
func runBridgeBenchmark(_ arguments: [String]) async throws {
    let count = option("count", in: arguments, default: 1_000_000)
    let repetitions = option("repetitions", in: arguments, default: 5)
    let state = try LuaState(limits: LuaLimits(memoryBytes: 0, cpuSeconds: 0))
    _ = try state.run(
        "local t = {} for i = 1, \(count) do t[i] = string.format('%015d', i) end bench_strings = t")

    // Lua -> Swift
    var swiftCount = 0
    let swiftRead = try bestTime(repetitions: repetitions) {
        guard case .array(let elements) = try state.global("bench_strings") else { fatalError("not an array") }
        swiftCount = elements.count
    }
    var cCount = 0
    let cRead = bestTime(repetitions: repetitions) {
        cCount = state.withRawState { bench_c_read_strings($0, "bench_strings") }
    }
    precondition(swiftCount == count && cCount == count, "both sides must read every element")
    report("bridge Lua->Swift, \(count) strings", fota: swiftRead, baseline: cRead, baselineName: "C", target: 1.5)

    // Swift -> Lua
    let strings = (1...count).map { LuaValue.string(LuaString(String(format: "%015d", $0))) }
    let value = LuaValue.array(strings)
    let swiftWrite = try bestTime(repetitions: repetitions) {
        try state.setGlobal("bench_out", value)
        try state.setGlobal("bench_out", .nil)
    }
    let cStrings = (1...count).map { strdup(String(format: "%015d", $0)) }
    defer { cStrings.forEach { free($0) } }
    let lengths = [Int](repeating: 15, count: count)
    let cWrite = bestTime(repetitions: repetitions) {
        cStrings.withUnsafeBufferPointer { pointers in
            pointers.withMemoryRebound(to: UnsafePointer<CChar>?.self) { constPointers in
                state.withRawState { L in
                    _ = bench_c_write_strings(L, "bench_out", constPointers.baseAddress, lengths, count)
                }
            }
        }
        try? state.setGlobal("bench_out", .nil)
    }
    let check = try state.run("return #bench_strings")
    precondition(check == [.integer(Int64(count))])
    report("bridge Swift->Lua, \(count) strings", fota: swiftWrite, baseline: cWrite, baselineName: "C", target: 1.5)
}

/// A Lua loop calling a Swift function N times against the same loop calling a C function.
func runCallBenchmark(_ arguments: [String]) async throws {
    let count = option("count", in: arguments, default: 10_000_000)
    let repetitions = option("repetitions", in: arguments, default: 3)
    let state = try LuaState(limits: LuaLimits(memoryBytes: 0, cpuSeconds: 0))
    let increment = state.register { arguments, results in
        results.push(integer: try arguments.integer(1) + 1)
    }
    try state.setGlobal("swift_increment", increment)
    state.withRawState { bench_c_register_increment($0, "c_increment") }
    func loop(_ function: String) -> String {
        "local f, x = \(function), 0 for i = 1, \(count) do x = f(x) end return x"
    }
    var swiftResult: [LuaValue] = []
    let swiftTime = try bestTime(repetitions: repetitions) { swiftResult = try state.run(loop("swift_increment")) }
    var cResult: [LuaValue] = []
    let cTime = try bestTime(repetitions: repetitions) { cResult = try state.run(loop("c_increment")) }
    precondition(swiftResult == [.integer(Int64(count))] && cResult == swiftResult, "both loops must count to N")
    report("call overhead, \(count) calls", fota: swiftTime, baseline: cTime, baselineName: "C function", target: 2.0)
}
