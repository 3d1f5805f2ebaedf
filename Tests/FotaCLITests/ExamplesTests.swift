import Foundation
import Testing

/// The example scripts in examples/, run as the README shows them.
@Suite("examples")
struct ExamplesTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test("hello.lua prints its script path and arguments, flags included")
    func hello() throws {
        let result = try fota(["run", "examples/hello.lua", "a", "b", "--flag"], in: Self.packageRoot)
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(result.stdout == """
            script: examples/hello.lua
            arguments: 3
              arg[1] = a
              arg[2] = b
              arg[3] = --flag

            """)
    }

    @Test("runaway.lua is stopped by the CPU limit with status 3")
    func runaway() throws {
        let result = try fota(["run", "--cpu-limit", "1", "examples/runaway.lua"], in: Self.packageRoot)
        #expect(result.status == 3)
        #expect(result.stderr == "fota: CPU time limit exceeded: the script ran for more than 1 s of CPU (raise it with --cpu-limit seconds)\n")
    }
}
