import LuaHost
import Synchronization

/// What a dry run would have done, printed when the run ends.
final class DryRunPlan: Sendable {
    enum Step: Sendable {
        case change(call: String, account: String, upgradeId: String, devices: [String])
        case schedule(account: String, firmwareName: String, firmwareTo: String, startDate: String, endDate: String,
                      endDateDefaulted: Bool, devices: Int, placeholderId: String)
        case cancel(account: String, upgradeId: String)
        /// A change to the account rather than an upgrade (licences, callbacks), in words.
        case account(String)
    }

    private let steps = Mutex<[Step]>([])

    func record(_ step: Step) { steps.withLock { $0.append(step) } }


    /// True for the id a dry-run schedule handed out: it exists only in this plan.
    func isPlaceholder(_ upgradeId: String) -> Bool {
        steps.withLock { steps in
            steps.contains { if case .schedule(_, _, _, _, _, _, _, let id) = $0 { return id == upgradeId } else { return false } }
        }
    }

    /// Per upgrade, the devices that would be added or removed (net of
    /// repeats), then the upgrades that would be scheduled or cancelled.
    /// Every value from the script is escaped for the terminal, newlines
    /// too, so a firmware name cannot move the cursor or fake a plan line.
    func render() -> String {
        let steps = self.steps.withLock { $0.map(Self.escaped) }
        var lines = ["Dry run: nothing was sent to ThingSpace. The plan:"]
        if steps.isEmpty {
            lines.append("  no changes")
            return lines.joined(separator: "\n")
        }
        var order: [String] = []
        var added: [String: [String]] = [:]
        var removed: [String: [String]] = [:]
        var scheduled: [String] = []
        var cancelled: [String] = []
        var accountChanges: [String] = []
        for step in steps {
            switch step {
            case .change(let call, let account, let upgradeId, let devices):
                let key = "upgrade \(upgradeId) (account \(account))"
                if added[key] == nil && removed[key] == nil { order.append(key) }
                if call == "append" { added[key, default: []] += devices } else { removed[key, default: []] += devices }
            case .schedule(let account, let firmwareName, let firmwareTo, let startDate, let endDate, let defaulted, let devices, let placeholderId):
                let end = "until \(endDate)" + (defaulted ? " (default: startDate + \(FotaCalls.defaultCampaignDays) days)" : "")
                scheduled.append(
                    "  schedule \(firmwareName) → \(firmwareTo) from \(startDate) \(end) for \(devices) device\(devices == 1 ? "" : "s") (account \(account); placeholder id \(placeholderId))")
            case .cancel(let account, let upgradeId):
                cancelled.append("  cancel upgrade \(upgradeId) (account \(account))")
            case .account(let line):
                accountChanges.append("  " + line)
            }
        }
        for key in order {
            lines.append("  \(key):")
            for (verb, devices) in [("add", added[key] ?? []), ("remove", removed[key] ?? [])] where !devices.isEmpty {
                var seen = Set<String>()
                let unique = devices.filter { seen.insert($0).inserted }
                let shown = unique.prefix(10).joined(separator: ", ")
                let more = unique.count > 10 ? ", … (\(unique.count - 10) more)" : ""
                lines.append("    \(verb) \(unique.count) device\(unique.count == 1 ? "" : "s"): \(shown)\(more)")
            }
        }
        if !scheduled.isEmpty { lines.append("  \(scheduled.count) upgrade\(scheduled.count == 1 ? "" : "s") to schedule:") }
        lines += scheduled
        if !cancelled.isEmpty { lines.append("  \(cancelled.count) upgrade\(cancelled.count == 1 ? "" : "s") to cancel:") }
        lines += cancelled
        if !accountChanges.isEmpty { lines.append("  \(accountChanges.count) account change\(accountChanges.count == 1 ? "" : "s"):") }
        lines += accountChanges
        return lines.joined(separator: "\n")
    }

    /// The first ten of a list of devices, and how many more.
    static func shortList(_ devices: [String]) -> String {
        devices.prefix(10).joined(separator: ", ") + (devices.count > 10 ? ", … (\(devices.count - 10) more)" : "")
    }

    private static func escaped(_ step: Step) -> Step {
        func e(_ text: String) -> String { TerminalText.escape(text, singleLine: true) }
        switch step {
        case .change(let call, let account, let upgradeId, let devices):
            return .change(call: call, account: e(account), upgradeId: e(upgradeId), devices: devices.map(e))
        case .schedule(let account, let firmwareName, let firmwareTo, let startDate, let endDate, let defaulted, let devices, let placeholderId):
            return .schedule(
                account: e(account), firmwareName: e(firmwareName), firmwareTo: e(firmwareTo), startDate: e(startDate),
                endDate: e(endDate), endDateDefaulted: defaulted, devices: devices, placeholderId: e(placeholderId))
        case .cancel(let account, let upgradeId):
            return .cancel(account: e(account), upgradeId: e(upgradeId))
        case .account(let line):
            return .account(e(line))
        }
    }
}
