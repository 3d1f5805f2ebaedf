import Foundation
import Testing

/// `fota --version`, and help that an installed fota can follow: no path into the source tree.
@Suite("version and help")
struct VersionAndHelpTests {
    @Test("fota --version names the version, the commit (unknown without the release stamp), Lua and Swift")
    func version() throws {
        let finished = try fota(["--version"])
        #expect(finished.status == 0, "\(finished.stderr)")
        let lines = finished.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(lines)")
        #expect(lines.first?.range(of: #"^fota \d+\.\d+\.\d+$"#, options: .regularExpression) != nil, "\(lines)")
        #expect(lines.dropFirst().first?.hasPrefix("commit: ") == true)
        #expect(lines.contains { $0.range(of: #"^lua: Lua 5\.4\.\d+$"#, options: .regularExpression) != nil }, "\(lines)")
        #expect(lines.last?.hasPrefix("swift: ") == true && lines.last != "swift: ")
    }

    @Test("help of every command points at the man page or the installed docs, never at docs/… or README.md of the repository")
    func helpHasNoRepositoryPaths() throws {
        for command in [[], ["run"], ["repl"], ["sim"], ["sim", "serve"], ["upgrades"], ["upgrade"], ["devices"],
                        ["firmware"], ["history"], ["cancel"]] {
            let finished = try fota(["help"] + command)
            #expect(finished.status == 0, "\(command): \(finished.stderr)")
            let text = finished.stdout + finished.stderr
            #expect(!text.contains("docs/") && !text.contains("README"), "fota help \(command.joined(separator: " ")):\n\(text)")
        }
        let top = try fota(["help"]).stdout
        #expect(top.contains("man fota-run"))
        #expect(top.contains("lua-api.md"))
    }

    @Test("the one-shot commands are listed in fota help, and an unknown -o value is a usage error")
    func oneShotCommandsListed() throws {
        let top = try fota(["help"]).stdout
        for name in ["upgrades", "upgrade", "devices", "firmware", "history", "cancel"] {
            #expect(top.contains("  \(name) "), "fota help lists \(name)")
        }
        let bad = try fota(["firmware", "--simulate", "-o", "yaml"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("yaml"), "\(bad.stderr)")
    }
}
