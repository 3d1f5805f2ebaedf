@testable import FotaLua
import Foundation
import Testing

@Suite("dry-run plan rendering")
struct PlanRenderTests {
    static func change(_ call: String, _ upgrade: String, devices: [String] = [], unchanged: [String] = [],
                       rejected: [(String, String)] = []) -> PlanStep {
        var step = PlanStep(call: call, account: "0000000001-00001")
        step.upgradeId = upgrade
        (step.devices, step.unchanged) = (devices, unchanged)
        step.rejected = rejected.map { PlanStep.Rejection(deviceId: $0.0, reason: $0.1) }
        return step
    }

    static func imeis(_ count: Int, from start: Int = 1) -> [String] { (start..<start + count).map { String(format: "35%013d", $0) } }

    @Test("a plan whose devices are all where the script puts them says 'No changes.' and how many are unchanged")
    func noChanges() {
        let text = DryRunPlan.render([Self.change("append", "u-1", unchanged: Self.imeis(3)), Self.change("remove", "u-1", unchanged: Self.imeis(1, from: 9))])
        #expect(text == """
            Dry run: nothing was sent to ThingSpace. The plan:
              upgrade u-1 (account 0000000001-00001):
                unchanged: 4 devices (35000000000000\(1), 35000000000000\(2), 35000000000000\(3), 35000000000000\(9))
              4 devices already as planned.
            No changes.
            """, "\(text)")
        #expect(DryRunPlan.render([]).hasSuffix("\nNo changes."))
    }

    @Test("rejections are counted per reason with the first five IMEIs; the summary counts every kind of change")
    func rejectionsAndSummary() {
        let busy = Self.imeis(7, from: 100)
        let added = Self.imeis(12)
        let append = Self.change(
            "append", "u-1", devices: added + busy + ["350000000000500"], unchanged: Self.imeis(2, from: 50),
            rejected: busy.map { ($0, "Device scheduled for firmware-upgrade previously, it needs to be completed first.") }
                + [("350000000000500", "Device not found.")])
        var schedule = PlanStep(call: "schedule", account: "0000000001-00001")
        (schedule.firmwareName, schedule.firmwareTo, schedule.startDate, schedule.endDate) = ("FW", "2", "2026-04-01", "2026-04-02")
        (schedule.devices, schedule.placeholderId) = (Self.imeis(2, from: 200), DryRunPlan.placeholderId(1))
        schedule.rejected = [.init(deviceId: String(format: "35%013d", 201), reason: "Device has no license assigned.")]
        var cancel = PlanStep(call: "cancel", account: "0000000001-00001")
        cancel.upgradeId = "u-2"
        let text = DryRunPlan.render([append, Self.change("remove", "u-1", devices: ["350000000000060"]), schedule, cancel])
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains("    add 12 devices: " + added.prefix(10).joined(separator: ", ") + ", … (2 more)"), "\(text)")
        #expect(lines.contains("    remove 1 device: 350000000000060"), "\(text)")
        #expect(lines.contains("    would be rejected: 8 devices"), "\(text)")
        #expect(lines.contains("      7 × Device scheduled for firmware-upgrade previously, it needs to be completed first. "
                               + busy.prefix(5).joined(separator: ", ") + ", … (2 more)"), "\(text)")
        #expect(lines.contains("      1 × Device not found. 350000000000500"), "\(text)")
        #expect(lines.contains { $0.contains("placeholder id 00000000-0000-0000-0000-000000000001") }, "\(text)")
        #expect(lines.contains("      1 × Device has no license assigned. 350000000000201"), "\(text)")
        #expect(lines.contains("  cancel upgrade u-2 (account 0000000001-00001)"), "\(text)")
        #expect(lines.last == "Plan: 12 to add, 1 to remove, 2 unchanged, 9 would be rejected, 1 to schedule, 1 to cancel.", "\(text)")
    }

    @Test("a saved plan's apply chunk sends only what changes, escapes every value and maps placeholders to real ids")
    func applyChunk() {
        var schedule = PlanStep(call: "schedule", account: "a\"]]\n")
        (schedule.firmwareName, schedule.firmwareTo, schedule.startDate, schedule.endDate) = ("FW\\x", "2", "2026-04-01", "2026-04-02")
        (schedule.devices, schedule.placeholderId) = (["350000000000018"], DryRunPlan.placeholderId(1))
        let append = Self.change("append", DryRunPlan.placeholderId(1), devices: ["350000000000026"], unchanged: ["350000000000034"])
        let empty = Self.change("remove", "u-1", unchanged: ["350000000000042"])
        let plan = SavedPlan(format: 1, createdAt: "t", endpoint: "e", script: "s", arguments: [], scriptSha256: "", inputs: [:],
                             steps: [schedule, append, empty], facts: SavedFacts())
        let chunk = plan.applyChunk()
        #expect(chunk.contains(#"account = "a\034\093\093\010""#), "\(chunk)")
        #expect(chunk.contains(#"firmwareName = "FW\092x""#), "\(chunk)")
        #expect(chunk.contains(#"ids["00000000-0000-0000-0000-000000000001"] = u.id"#), "\(chunk)")
        #expect(chunk.contains(#"fota.append(id("00000000-0000-0000-0000-000000000001"), {"350000000000026"}"#), "\(chunk)")
        #expect(!chunk.contains("350000000000034") && !chunk.contains("fota.remove"), "unchanged devices and empty steps are not sent")
        #expect(!plan.changesNothing)
        #expect(SavedPlan(format: 1, createdAt: "t", endpoint: "e", script: "s", arguments: [], scriptSha256: "", inputs: [:],
                          steps: [empty], facts: SavedFacts()).changesNothing)
    }
}
