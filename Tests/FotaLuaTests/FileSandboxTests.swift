import Foundation
@testable import FotaLua
import LuaHost
import Testing

/// Attacks on --in and --out: hidden names, symbolic links, replacing files
/// the operator already had. Each runs a script through the fota module.
@Suite("file sandbox")
struct FileSandboxTests {
    /// A simulator (the module needs one) and --in/--out folders in a fresh place.
    struct Setup {
        let sim: SimulatedAccount
        let root: String
        var out: String { root + "/out" }
        var input: String { root + "/in" }
        var outside: String { root + "/outside" }

        static func make() async throws -> Setup {
            let sim = try await SimulatedAccount.start(devices: 20)
            let setup = Setup(sim: sim, root: sim.folder + "/sandbox")
            for folder in [setup.out, setup.input, setup.outside] {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
            return setup
        }

        var settings: FotaSettings {
            var settings = sim.settings()
            settings.outputFolder = out
            settings.inputFolder = input
            return settings
        }

        /// Runs `source`; returns what it printed (the script reports pcall results itself).
        func run(_ source: String) async throws -> String {
            let (result, _) = try await sim.run(source, settings: settings)
            #expect(result.finished, "\(result.outcome)")
            return result.output
        }

        func text(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }
    }

    @Test("attack: --out . in a git working tree, files.write('.git/config') with core.fsmonitor is refused")
    func gitConfigFsmonitorEscape() async throws {
        let s = try await Setup.make()
        defer { Task { await s.sim.stop() } }
        try FileManager.default.createDirectory(atPath: s.out + "/.git", withIntermediateDirectories: true)
        try Data("[core]\n\tbare = false\n".utf8).write(to: URL(fileURLWithPath: s.out + "/.git/config"))
        let output = try await s.run("""
            for _, name in ipairs{".git/config", ".git/hooks/pre-commit", ".env", "a/.ssh/authorized_keys", "..", "./r.txt", "a/../../x"} do
              local ok, e = pcall(files.write, name, "[core]\\n\\tfsmonitor = touch /tmp/pwned\\n", {overwrite = true})
              print(name, ok, e)
            end
            """)
        let lines = output.split(separator: "\n")
        #expect(lines.count == 7, "\(output)")
        for line in lines {
            let refused = line.contains("starts with '.'") || line.contains("must be a relative path inside the output folder")
            #expect(line.contains("\tfalse\t") && refused, "\(line)")
        }
        #expect(lines.prefix(4).allSatisfy { $0.contains("starts with '.'") }, "\(output)")
        #expect(s.text(s.out + "/.git/config") == "[core]\n\tbare = false\n")
        #expect(!FileManager.default.fileExists(atPath: s.out + "/.git/hooks/pre-commit"))
        #expect(!FileManager.default.fileExists(atPath: s.out + "/.env"))
        #expect(!FileManager.default.fileExists(atPath: s.out + "/a"))
    }

    @Test("attack: a symbolic link already inside --out pointing outside is not followed, as a folder or as the file")
    func symlinkInOutEscape() async throws {
        let s = try await Setup.make()
        defer { Task { await s.sim.stop() } }
        try FileManager.default.createSymbolicLink(atPath: s.out + "/reports", withDestinationPath: s.outside)
        try FileManager.default.createDirectory(atPath: s.out + "/deep", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: s.out + "/deep/nested", withDestinationPath: s.outside)
        try Data("operator's file\n".utf8).write(to: URL(fileURLWithPath: s.outside + "/victim.txt"))
        try FileManager.default.createSymbolicLink(atPath: s.out + "/summary.txt", withDestinationPath: s.outside + "/victim.txt")
        let output = try await s.run("""
            print(pcall(files.write, "reports/x.txt", "x"))
            print(pcall(files.write, "deep/nested/sub/y.txt", "y"))
            print(pcall(files.write, "summary.txt", "z", {overwrite = true}))
            print(pcall(files.writecsv, "reports/r.csv", {{"a"}}))
            print(pcall(files.writejson, "summary.txt", {1}))
            """)
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.count == 5, "\(output)")
        #expect(lines.allSatisfy { $0.hasPrefix("false\t") && $0.contains("symbolic link") }, "\(output)")
        #expect(lines[0].contains("'reports' is a symbolic link"), "\(lines[0])")
        #expect(lines[1].contains("'deep/nested' is a symbolic link"), "\(lines[1])")
        let outside = try FileManager.default.contentsOfDirectory(atPath: s.outside)
        #expect(outside == ["victim.txt"], "something was written outside --out: \(outside)")
        #expect(s.text(s.outside + "/victim.txt") == "operator's file\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: s.out + "/summary.txt") == s.outside + "/victim.txt")
    }

    @Test("attack: files.write replaces a file the run did not create only with {overwrite = true}; its own files it may rewrite")
    func overwriteOperatorFile() async throws {
        let s = try await Setup.make()
        defer { Task { await s.sim.stop() } }
        try Data("kept\n".utf8).write(to: URL(fileURLWithPath: s.out + "/devices.csv"))
        // A second name for the operator's file: replacing devices.csv must not change it.
        try FileManager.default.linkItem(atPath: s.out + "/devices.csv", toPath: s.outside + "/hardlink.csv")
        let output = try await s.run("""
            print(pcall(files.write, "devices.csv", "lost\\n"))
            print(pcall(files.writecsv, "devices.csv", {{"lost"}}))
            print(pcall(files.writejson, "devices.csv", {"lost"}))
            print(pcall(files.write, "devices.csv", "x", {overwrite = "yes"}))
            print(pcall(files.write, "devices.csv", "x", {force = true}))
            print(pcall(files.write, "mine/report.txt", "first\\n"))
            print(pcall(files.write, "mine/report.txt", "second\\n"))
            print(pcall(files.write, "devices.csv", "replaced\\n", {overwrite = true}))
            """)
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.count == 8, "\(output)")
        for line in lines[0...2] {
            #expect(line.hasPrefix("false\t") && line.contains("already exists") && line.contains("{overwrite = true}"), "\(line)")
        }
        #expect(lines[3].contains("option 'overwrite' must be a boolean, got string"), "\(lines[3])")
        #expect(lines[4].contains("unknown option \"force\""), "\(lines[4])")
        #expect(lines[5] == "true\t\(s.out)/mine/report.txt", "\(lines[5])")
        #expect(lines[6] == "true\t\(s.out)/mine/report.txt", "\(lines[6])")
        #expect(lines[7] == "true\t\(s.out)/devices.csv", "\(lines[7])")
        #expect(s.text(s.out + "/mine/report.txt") == "second\n")
        #expect(s.text(s.out + "/devices.csv") == "replaced\n")
        #expect(s.text(s.outside + "/hardlink.csv") == "kept\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: s.out).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "temporary files left behind: \(leftovers)")
    }

    @Test("attack: reads under --in refuse hidden names, symbolic links out of the folder, and FIFOs (without hanging)")
    func readEscapeThroughIn() async throws {
        let s = try await Setup.make()
        defer { Task { await s.sim.stop() } }
        try Data("secret\n".utf8).write(to: URL(fileURLWithPath: s.outside + "/secret.txt"))
        try Data("token=1\n".utf8).write(to: URL(fileURLWithPath: s.input + "/.env"))
        try Data("350000000000018\n".utf8).write(to: URL(fileURLWithPath: s.input + "/devices.txt"))
        try FileManager.default.createDirectory(atPath: s.input + "/sub", withIntermediateDirectories: true)
        try Data("ok\n".utf8).write(to: URL(fileURLWithPath: s.input + "/sub/ok.txt"))
        try FileManager.default.createSymbolicLink(atPath: s.input + "/linked.txt", withDestinationPath: s.outside + "/secret.txt")
        try FileManager.default.createSymbolicLink(atPath: s.input + "/up", withDestinationPath: s.outside)
        #expect(mkfifo(s.input + "/pipe", 0o600) == 0)
        let output = try await s.run("""
            print(pcall(files.read, ".env"))
            print(pcall(files.read, "linked.txt"))
            print(pcall(files.lines, "up/secret.txt"))
            print(pcall(files.csv, "pipe"))
            print(pcall(files.read, "../outside/secret.txt"))
            print(files.read("devices.txt"):sub(1, 15), files.lines("sub/ok.txt")[1])
            """)
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.count == 6, "\(output)")
        #expect(lines[0].hasPrefix("false\t") && lines[0].contains("starts with '.'"), "\(lines[0])")
        #expect(lines[1].hasPrefix("false\t") && lines[1].contains("'linked.txt' is a symbolic link"), "\(lines[1])")
        #expect(lines[2].hasPrefix("false\t") && lines[2].contains("'up' is a symbolic link"), "\(lines[2])")
        #expect(lines[3].hasPrefix("false\t") && lines[3].contains("not a regular file"), "\(lines[3])")
        #expect(lines[4].hasPrefix("false\t") && lines[4].contains("must be a relative path inside the input folder"), "\(lines[4])")
        #expect(lines[5] == "350000000000018\tok", "\(lines[5])")
        #expect(!output.contains("secret\n") && !output.contains("token=1"))
    }
}
