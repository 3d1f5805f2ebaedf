// fota-bench: each benchmark prints its figures and a ratio against a baseline measured in the same run.
// Usage: fota-bench <benchmark> [options]; scripts/bench.sh runs them all.
import Foundation

let benchmarks: [String: ([String]) async throws -> Void] = [
    "bridge": runBridgeBenchmark,
    "calls": runCallBenchmark,
    "bulk": runBulkBenchmark,
    "simulator": runSimulatorBenchmark,
]

let arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, let run = benchmarks[name] else {
    let known = benchmarks.keys.sorted().joined(separator: ", ")
    FileHandle.standardError.write(Data("usage: fota-bench <\(known)> [options]\n".utf8))
    exit(64)
}
do {
    try await run(Array(arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("fota-bench \(name): \(error)\n".utf8))
    exit(1)
}
