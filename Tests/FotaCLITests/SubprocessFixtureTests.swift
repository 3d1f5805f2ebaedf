import Foundation
import Testing
import TestSupport

@Suite("test fixtures: subprocesses")
struct SubprocessFixtureTests {
    /// Each process the suites start must give back its descriptors: a bundle that kept three per process
    /// reached the descriptor count at which Foundation's Process.run() crashes the whole test run.
    @Test("a started process leaves no descriptor of its output files open in the test process")
    func noDescriptorLeft() throws {
        let process = try Subprocess(fotaBinary, ["--version"])
        #expect(Subprocess.openDescriptors(under: process.outputFolder).isEmpty, "open while running")
        let finished = process.wait()
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(!finished.stdout.isEmpty)
        #expect(Subprocess.openDescriptors(under: process.outputFolder).isEmpty)
    }
}
