import Foundation
import LuaHost
import Synchronization

/// One change a dry run planned, as printed at the end and saved by `fota plan`.
public struct PlanStep: Codable, Sendable, Equatable {
    /// A device ThingSpace would reject at validation, with the reason it would give.
    public struct Rejection: Codable, Sendable, Equatable {
        public var deviceId: String
        public var reason: String
    }

    /// append, remove, schedule or cancel.
    public var call: String
    public var account: String
    /// The upgrade changed or cancelled (a placeholder when a planned schedule made it); nil for schedule.
    public var upgradeId: String?
    /// What would be sent: for append and remove the devices that change (would-be-rejected ones
    /// included: ThingSpace takes them, then rejects them); for schedule every distinct device.
    public var devices: [String] = []
    /// Devices already where the call would put them: not sent.
    public var unchanged: [String] = []
    public var rejected: [Rejection] = []
    public var firmwareName: String?
    public var firmwareTo: String?
    public var startDate: String?
    public var endDate: String?
    public var endDateDefaulted: Bool?
    /// The id a planned schedule hands out (`DryRunPlan.placeholderId`).
    public var placeholderId: String?
    /// Why ThingSpace would refuse the call as a whole (e.g. an unknown firmware image).
    public var problem: String?
    /// A change to the account rather than an upgrade (licences, callbacks), in words.
    public var summary: String?

    public init(call: String, account: String) {
        self.call = call
        self.account = account
    }

    /// True when the step sends nothing.
    var isEmpty: Bool { (call == "append" || call == "remove") && devices.isEmpty }
}

/// What a dry run would do: the steps in order, the facts each was checked against (saved by
/// `fota plan` for `fota apply` to compare), and the dry run's picture of the upgrades it
/// changes (so a later step sees what earlier steps planned). Printed when the run ends.
final class DryRunPlan: Sendable {
    private struct PlannedUpgrade {
        var step: Int
        /// Devices in order, with the status a real read would show.
        var devices: [(id: String, status: String, reason: String?)]
    }

    private struct State {
        var steps: [PlanStep] = []
        var planned: [String: PlannedUpgrade] = [:]
        /// Membership after the planned steps, by lowercased upgrade id (real upgrades and placeholders).
        var members: [String: Set<String>] = [:]
        /// Holders after the planned steps: device → upgrade (nil: released).
        var holders: [String: String?] = [:]
        var facts = SavedFacts()
    }

    private let state = Mutex(State())
    /// The reads behind the checks, made once per run (nil until the first check).
    private let reads = Mutex<DryRunFacts?>(nil)

    func facts(_ make: () -> DryRunFacts) -> DryRunFacts {
        reads.withLock { reads in
            if let reads { return reads }
            let made = make()
            reads = made
            return made
        }
    }

    /// Recognisable placeholder ids: UUID-shaped (so they pass as upgrade ids) but version 0, which
    /// ThingSpace never hands out: 00000000-0000-0000-0000-000000000001, …
    static func placeholderId(_ number: Int) -> String { String(format: "00000000-0000-0000-0000-%012d", number) }

    var steps: [PlanStep] { state.withLock { $0.steps } }
    var savedFacts: SavedFacts { state.withLock { $0.facts } }

    /// Records a change to the account rather than an upgrade (licences, callbacks), in words.
    /// `fota apply` does not replay these: `fota plan` refuses a script that makes one.
    func recordAccountChange(_ words: String) {
        var step = PlanStep(call: "account", account: "")
        step.summary = words
        state.withLock { $0.steps.append(step) }
    }

    /// Up to ten IMEIs, then how many more.
    static func shortList(_ devices: [String]) -> String {
        devices.prefix(shownDevices).joined(separator: ", ")
            + (devices.count > shownDevices ? ", … (\(devices.count - shownDevices) more)" : "")
    }

    /// Records a planned schedule and hands out its placeholder id.
    func recordSchedule(_ step: PlanStep, devices: [(id: String, status: String, reason: String?)]) -> String {
        state.withLock { state in
            let number = state.steps.filter { $0.call == "schedule" }.count + 1
            let id = Self.placeholderId(number)
            var step = step
            step.placeholderId = id
            state.planned[id] = PlannedUpgrade(step: state.steps.count, devices: devices)
            state.members[id] = Set(devices.map(\.id))
            for device in devices where device.status == "RequestPending" { state.holders[device.id] = .some(id) }
            state.steps.append(step)
            return id
        }
    }

    /// True for the id a dry-run schedule handed out: it exists only in this plan.
    func isPlaceholder(_ upgradeId: String) -> Bool { state.withLock { $0.planned[upgradeId.lowercased()] != nil } }

    /// The planned schedule behind a placeholder and its devices as the plan has them now.
    func plannedUpgrade(_ upgradeId: String) -> (step: PlanStep, devices: [(id: String, status: String, reason: String?)])? {
        state.withLock { state in
            state.planned[upgradeId.lowercased()].map { (state.steps[$0.step], $0.devices) }
        }
    }

    /// Membership after the planned steps, or nil when no step touched the upgrade yet.
    func members(_ upgradeId: String) -> Set<String>? { state.withLock { $0.members[upgradeId.lowercased()] } }

    /// The holder after the planned steps: nil when no step changed it, .some(nil) when one released it.
    func plannedHolder(_ deviceId: String) -> String?? { state.withLock { $0.holders[deviceId] } }

    /// Applies a planned append or remove to the plan's picture of the upgrade.
    /// `holders` are ThingSpace's (device → active upgrade), for devices no planned step moved yet.
    func apply(_ step: PlanStep, startingFrom members: Set<String>, holders: [String: String]) {
        state.withLock { state in
            let key = (step.upgradeId ?? "").lowercased()
            var current = state.members[key] ?? members
            let rejected = Dictionary(step.rejected.map { ($0.deviceId, $0.reason) }) { first, _ in first }
            for device in step.devices {
                if step.call == "append" {
                    current.insert(device)
                    if rejected[device] == nil { state.holders[device] = .some(key) }
                    state.planned[key]?.devices.append(
                        (device, rejected[device] == nil ? "RequestPending" : "Device Rejected", rejected[device]))
                } else {
                    current.remove(device)
                    if (state.holders[device] ?? holders[device]) == key { state.holders[device] = .some(nil) }
                    state.planned[key]?.devices.removeAll { $0.id == device }
                }
            }
            state.members[key] = current
            state.steps.append(step)
        }
    }

    /// Records a planned cancel: the upgrade's devices are free again.
    func recordCancel(_ step: PlanStep, members: Set<String>, holders: [String: String]) {
        state.withLock { state in
            let key = (step.upgradeId ?? "").lowercased()
            for device in state.members[key] ?? members where (state.holders[device] ?? holders[device]) == key {
                state.holders[device] = .some(nil)
            }
            state.members[key] = []
            state.steps.append(step)
        }
    }

    /// Notes what ThingSpace said (for the saved plan), the first time it is read.
    func note(account: String, device: String, _ facts: DeviceFacts) {
        state.withLock { $0.facts.devices[SavedFacts.key(account, device)] = $0.facts.devices[SavedFacts.key(account, device)] ?? facts }
    }

    func note(account: String, upgrade: String, _ facts: UpgradeFacts) {
        state.withLock { $0.facts.upgrades[SavedFacts.key(account, upgrade.lowercased())] = facts }
    }

    func note(account: String, upgrade: String, device: String, member: Bool) {
        state.withLock { state in
            let key = SavedFacts.key(account, upgrade.lowercased())
            if state.facts.membership[key]?[device] == nil { state.facts.membership[key, default: [:]][device] = member }
        }
    }

    func note(account: String, licenceRequired: Bool) {
        state.withLock { $0.facts.licenceRequired[account] = licenceRequired }
    }

    /// The plan as text. Every value from the script is escaped for the terminal, newlines
    /// too, so a firmware name cannot move the cursor or fake a plan line.
    func render() -> String { Self.render(steps) }

    /// How many IMEIs a line shows before "… (N more)".
    static let shownDevices = 10
    static let shownRejected = 5

    static func render(_ raw: [PlanStep]) -> String {
        let steps = raw.map(escaped)
        var lines = ["Dry run: nothing was sent to ThingSpace. The plan:"]
        var order: [String] = []
        var byUpgrade: [String: (add: [String], remove: [String], unchanged: [String], rejected: [PlanStep.Rejection])] = [:]
        var scheduled: [String] = []
        var cancelled: [String] = []
        var accountChanges: [String] = []
        var totals = (add: 0, remove: 0, unchanged: 0, rejected: 0)
        func list(_ devices: [String], limit: Int = shownDevices) -> String {
            devices.prefix(limit).joined(separator: ", ") + (devices.count > limit ? ", … (\(devices.count - limit) more)" : "")
        }
        func count(_ n: Int) -> String { "\(n) device\(n == 1 ? "" : "s")" }
        func rejectionLines(_ rejected: [PlanStep.Rejection], indent: String) -> [String] {
            guard !rejected.isEmpty else { return [] }
            var reasons: [String] = []
            var devices: [String: [String]] = [:]
            for r in rejected {
                if devices[r.reason] == nil { reasons.append(r.reason) }
                devices[r.reason, default: []].append(r.deviceId)
            }
            return ["\(indent)would be rejected: \(count(rejected.count))"]
                + reasons.map { "\(indent)  \(devices[$0]!.count) × \($0) \(list(devices[$0]!, limit: shownRejected))" }
        }
        for step in steps {
            switch step.call {
            case "append", "remove":
                let key = "upgrade \(step.upgradeId ?? "?") (account \(step.account))"
                if byUpgrade[key] == nil { order.append(key) }
                var entry = byUpgrade[key] ?? ([], [], [], [])
                let rejectedIds = Set(step.rejected.map(\.deviceId))
                if step.call == "append" {
                    entry.add += step.devices.filter { !rejectedIds.contains($0) }
                    entry.rejected += step.rejected
                } else {
                    entry.remove += step.devices
                }
                entry.unchanged += step.unchanged
                byUpgrade[key] = entry
            case "schedule":
                let end = "until \(step.endDate ?? "?")" + (step.endDateDefaulted == true ? " (default: startDate + \(FotaCalls.defaultCampaignDays) days)" : "")
                scheduled.append(
                    "  schedule \(step.firmwareName ?? "?") → \(step.firmwareTo ?? "?") from \(step.startDate ?? "?") \(end) for \(count(step.devices.count)) (account \(step.account); placeholder id \(step.placeholderId ?? "?"))")
                if let problem = step.problem { scheduled.append("    ThingSpace would refuse it: \(problem)") }
                scheduled += rejectionLines(step.rejected, indent: "    ")
                totals.rejected += step.rejected.count
            case "account":
                accountChanges.append("  " + (step.summary ?? "an account change"))
            default:
                cancelled.append("  cancel upgrade \(step.upgradeId ?? "?") (account \(step.account))")
            }
        }
        if !scheduled.isEmpty {
            let n = steps.filter { $0.call == "schedule" }.count
            lines.append("  \(n) upgrade\(n == 1 ? "" : "s") to schedule:")
        }
        lines += scheduled
        for key in order {
            let entry = byUpgrade[key]!
            lines.append("  \(key):")
            func unique(_ devices: [String]) -> [String] {
                var seen = Set<String>()
                return devices.filter { seen.insert($0).inserted }
            }
            let add = unique(entry.add), remove = unique(entry.remove), unchanged = unique(entry.unchanged)
            for (verb, devices) in [("add", add), ("remove", remove)] where !devices.isEmpty {
                lines.append("    \(verb) \(count(devices.count)): \(list(devices))")
            }
            if !unchanged.isEmpty { lines.append("    unchanged: \(count(unchanged.count)) (\(list(unchanged)))") }
            lines += rejectionLines(entry.rejected, indent: "    ")
            totals.add += add.count
            totals.remove += remove.count
            totals.unchanged += unchanged.count
            totals.rejected += entry.rejected.count
        }
        if !cancelled.isEmpty { lines.append("  \(cancelled.count) upgrade\(cancelled.count == 1 ? "" : "s") to cancel:") }
        lines += cancelled
        if !accountChanges.isEmpty { lines.append("  \(accountChanges.count) account change\(accountChanges.count == 1 ? "" : "s"):") }
        lines += accountChanges
        let changes = totals.add + totals.remove + totals.rejected + scheduled.count + cancelled.count + accountChanges.count
        if changes == 0 {
            if totals.unchanged > 0 { lines.append("  \(count(totals.unchanged)) already as planned.") }
            lines.append("No changes.")
        } else {
            let schedules = steps.filter { $0.call == "schedule" }.count
            lines.append("Plan: \(totals.add) to add, \(totals.remove) to remove, \(totals.unchanged) unchanged, "
                         + "\(totals.rejected) would be rejected, \(schedules) to schedule, \(cancelled.count) to cancel"
                         + (accountChanges.isEmpty ? "." : ", \(accountChanges.count) account change\(accountChanges.count == 1 ? "" : "s")."))
        }
        return lines.joined(separator: "\n")
    }

    private static func escaped(_ step: PlanStep) -> PlanStep {
        func e(_ text: String) -> String { TerminalText.escape(text, singleLine: true) }
        var s = step
        s.account = e(s.account)
        s.upgradeId = s.upgradeId.map(e)
        s.devices = s.devices.map(e)
        s.unchanged = s.unchanged.map(e)
        s.rejected = s.rejected.map { PlanStep.Rejection(deviceId: e($0.deviceId), reason: e($0.reason)) }
        s.firmwareName = s.firmwareName.map(e)
        s.firmwareTo = s.firmwareTo.map(e)
        s.startDate = s.startDate.map(e)
        s.endDate = s.endDate.map(e)
        s.placeholderId = s.placeholderId.map(e)
        s.problem = s.problem.map(e)
        s.summary = s.summary.map(e)
        return s
    }
}

/// The facts a plan was checked against, as `fota plan` saves them; keys are "account/id".
public struct SavedFacts: Codable, Sendable, Equatable {
    public var devices: [String: DeviceFacts] = [:]
    public var upgrades: [String: UpgradeFacts] = [:]
    /// Per upgrade, whether each device the plan touched was in it.
    public var membership: [String: [String: Bool]] = [:]
    /// Per account, whether devices need a licence.
    public var licenceRequired: [String: Bool] = [:]

    static func key(_ account: String, _ id: String) -> String { account + "/" + id }
}
