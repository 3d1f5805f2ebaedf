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

    /// Luhn check over the whole number, check digit included.
    static func luhnValid(_ digits: Substring) -> Bool {
        var sum = 0
        for (offset, character) in digits.reversed().enumerated() {
            guard var d = character.wholeNumberValue else { return false }
            if offset % 2 == 1 {
                d *= 2
                if d > 9 { d -= 9 }
            }
            sum += d
        }
        return sum % 10 == 0
    }

    @Test("waves.lua splits the whole fleet into three waves of valid IMEIs", arguments: [nil, "1", "20", "1000"])
    func waves(size: String?) throws {
        let result = try fota(["run", "examples/waves.lua"] + (size.map { [$0] } ?? []), in: Self.packageRoot)
        #expect(result.status == 0)
        #expect(result.stderr == "")
        let lines = result.stdout.split(separator: "\n")
        var total = 0
        for line in lines {
            let words = line.split(separator: " ")
            try #require(words.count >= 4, "\(line)")
            #expect(["canary", "early", "rest"].contains(String(words[0])))
            total += Int(words[1]) ?? -1000
            let imeis = words.filter { $0.count == 15 && $0.allSatisfy(\.isNumber) }
            #expect(!imeis.isEmpty, "\(line)")
            for imei in imeis { #expect(Self.luhnValid(imei), "\(imei) fails the Luhn check") }
        }
        #expect(total == Int(size ?? "20"))
    }

    @Test("waves.lua refuses a bad fleet size with status 1 and its line")
    func wavesBadSize() throws {
        for bad in ["x", "0", "2.5"] {
            let result = try fota(["run", "examples/waves.lua", bad], in: Self.packageRoot)
            #expect(result.status == 1)
            #expect(result.stderr == "fota: examples/waves.lua:6: fleet size must be a positive whole number, got \(bad)\n")
        }
    }
}
