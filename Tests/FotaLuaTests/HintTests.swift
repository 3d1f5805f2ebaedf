import Foundation
@testable import FotaLua
import LuaHost
import Testing

/// Refusals about a setting say how to change it in the words of the layer that owns the
/// setting (`FotaSettings.hints`, filled by the command line); without hints they name no flag.
@Suite("hints in refusals")
struct HintTests {
    static let hinted = FotaHints(credentials: "give credentials HERE", account: "set the account HERE", readOnly: "READ-ONLY-FLAG")

    @Test("no credentials: the hint follows the refusal, and nothing names a flag without one")
    func noCredentials() throws {
        for (hints, expected) in [(FotaHints(), "no ThingSpace credentials"), (Self.hinted, "no ThingSpace credentials: give credentials HERE")] {
            var settings = FotaSettings()
            settings.hints = hints
            do {
                _ = try FotaRuntime(settings: settings, client: nil, journal: nil).requireClient("firmware")
                Issue.record("expected NO_CREDENTIALS")
            } catch let error as FotaCallError {
                #expect(error.code == "NO_CREDENTIALS")
                #expect(error.message == expected)
            }
        }
    }

    @Test("no account and read-only mode name the setting as the hints say")
    func accountAndReadOnly() async throws {
        let sim = try await SimulatedAccount.start()
        defer { Task { await sim.stop() } }
        let script = """
            print(select(2, pcall(fota.firmware)))
            print(select(2, pcall(fota.cancel, "00000000-0000-4000-8000-000000000000", {account = "\(sim.account)"})).message)
            """
        for (hints, account, readOnly) in [
            (FotaHints(), "(no account: pass opts.account)", "this run is read-only"),
            (Self.hinted, "(no account: pass opts.account, or set the account HERE)", "this run is READ-ONLY-FLAG"),
        ] {
            var settings = sim.settings(.readOnly)
            settings.defaultAccount = nil
            settings.hints = hints
            let (result, _) = try await sim.run(script, settings: settings)
            let lines = result.output.split(separator: "\n").map(String.init)
            #expect(lines.count == 2, "\(result.output)")
            #expect(lines.first == "bad argument #1 to 'fota.firmware' " + account, "\(result.output)")
            #expect(lines.last == "fota.cancel changes ThingSpace and " + readOnly)
            #expect(!result.output.contains("--"))
        }
    }
}
