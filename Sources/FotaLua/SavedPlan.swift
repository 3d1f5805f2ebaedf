import Foundation
import ThingSpace

/// A dry run's plan as `fota plan` saves it and `fota apply` reads it: every change in order,
/// the facts each was checked against, and hashes of what produced it.
public struct SavedPlan: Codable, Sendable {
    public static let currentFormat = 1
    public var format: Int
    public var createdAt: String
    /// Where the facts were read (no credentials: `FotaRuntime.shownEndpoint`).
    public var endpoint: String
    public var script: String
    public var arguments: [String]
    public var scriptSha256: String
    /// Input files (`@path`) by path → sha256.
    public var inputs: [String: String]
    public var steps: [PlanStep]
    public var facts: SavedFacts

    /// The plan as the dry run prints it, under `title`.
    public func render(title: String) -> String {
        var lines = DryRunPlan.render(steps).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[0] = title
        return lines.joined(separator: "\n")
    }

    /// What makes this no plan `fota plan` could have saved (a hand-edited file): step by step,
    /// numbered from 1. Empty when every step is whole.
    public var problems: [String] {
        var found: [String] = []
        for (index, step) in steps.enumerated() {
            let at = "step \(index + 1) (\(step.call))"
            switch step.call {
            case "append", "remove", "cancel":
                if (try? Validators.upgradeId(step.upgradeId ?? "")) == nil { found.append("\(at): upgradeId is not an upgrade id") }
            case "schedule":
                for (name, value) in [("firmwareName", step.firmwareName), ("firmwareTo", step.firmwareTo),
                                      ("startDate", step.startDate), ("endDate", step.endDate), ("placeholderId", step.placeholderId)]
                where (value ?? "").isEmpty {
                    found.append("\(at): \(name) is missing")
                }
                if step.devices.isEmpty { found.append("\(at): no devices") }
            default:
                found.append("\(at): not one of append, remove, schedule, cancel")
                continue
            }
            if step.account.isEmpty { found.append("\(at): account is missing") }
            if let bad = step.devices.first(where: { (try? Validators.imei($0)) == nil }) {
                found.append("\(at): \(bad) is not an IMEI (15 digits)")
            }
        }
        return found
    }

    /// True when the plan changes nothing.
    public var changesNothing: Bool { steps.allSatisfy(\.isEmpty) }

    /// A Lua chunk that sends exactly the planned changes through fota.append/remove/schedule/cancel,
    /// in order, so they take the one change path (journal, mode, limits). A planned schedule's
    /// placeholder id stands for the real id in later steps. It returns the counts of devices
    /// added and removed and of upgrades scheduled and cancelled.
    public func applyChunk() -> String {
        var lines = [
            "local ids, added, removed, scheduled, cancelled = {}, 0, 0, 0, 0",
            "local function id(x) return ids[x] or x end",
        ]
        for step in steps where !step.isEmpty {
            let account = "{account = \(Self.lua(step.account))}"
            let devices = "{" + step.devices.map(Self.lua).joined(separator: ",") + "}"
            switch step.call {
            case "append", "remove":
                let counter = step.call == "append" ? "added" : "removed"
                lines.append("do local r = fota.\(step.call)(id(\(Self.lua(step.upgradeId ?? ""))), \(devices), \(account)); "
                             + "\(counter) = \(counter) + #r.succeeded end")
            case "schedule":
                let fields = [
                    ("account", step.account), ("firmwareName", step.firmwareName ?? ""), ("firmwareTo", step.firmwareTo ?? ""),
                    ("startDate", step.startDate ?? ""), ("endDate", step.endDate ?? ""),
                ].map { "\($0.0) = \(Self.lua($0.1))" }.joined(separator: ", ")
                lines.append("do local u = fota.schedule{\(fields), devices = \(devices)}; "
                             + "ids[\(Self.lua(step.placeholderId ?? ""))] = u.id; scheduled = scheduled + 1 end")
            default:
                lines.append("do fota.cancel(id(\(Self.lua(step.upgradeId ?? ""))), \(account)); cancelled = cancelled + 1 end")
            }
        }
        lines.append("return added, removed, scheduled, cancelled")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A Lua string literal of `text`: every byte outside a safe set as a decimal escape.
    static func lua(_ text: String) -> String {
        var out = "\""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: " "), UInt8(ascii: ":"):
                out.append(Character(UnicodeScalar(byte)))
            default:
                out += String(format: "\\%03d", byte)
            }
        }
        return out + "\""
    }

    /// Reads the facts again and says what moved since the plan, one line per upgrade or device
    /// (empty when nothing did). Only reads.
    public func drift(client: ThingSpaceClient) throws -> [String] {
        let facts = DryRunFacts(client: client)
        let reader = DryRunFacts.Reader(call: "fota apply")
        var lines: [String] = []
        func split(_ key: String) -> (String, String) {
            let cut = key.lastIndex(of: "/") ?? key.startIndex
            return (String(key[..<cut]), String(key[key.index(after: cut)...]))
        }
        for (account, required) in self.facts.licenceRequired.sorted(by: { $0.key < $1.key }) {
            let now = try facts.licenceRequired(account, reader)
            if now != required { lines.append("account \(account): devices \(now ? "now need" : "no longer need") a licence") }
        }
        for (key, was) in self.facts.upgrades.sorted(by: { $0.key < $1.key }) {
            let (account, id) = split(key)
            let now: UpgradeFacts
            do { now = try facts.upgradeFacts(account, id, reader) } catch let error as ThingSpaceError {
                lines.append("upgrade \(id): was \(was.status ?? "?"), now cannot be read (\(error))")
                continue
            }
            // RequestPending → Queued is validation finishing: the upgrade still takes the same changes.
            let changeable: Set<String?> = ["RequestPending", "Queued"]
            if now.status != was.status, !(changeable.contains(was.status) && changeable.contains(now.status)) {
                lines.append("upgrade \(id): was \(was.status ?? "?"), now \(now.status ?? "?")")
            }
            for (device, member) in (self.facts.membership[key] ?? [:]).sorted(by: { $0.key < $1.key }) {
                let isMember = try facts.members(account, id, reader).contains(device)
                if isMember != member { lines.append("device \(device): was \(member ? "" : "not ")in upgrade \(id), now is\(isMember ? "" : " not")") }
            }
        }
        for (key, was) in self.facts.devices.sorted(by: { $0.key < $1.key }) {
            let (account, device) = split(key)
            let now = try facts.deviceFacts(account, device, reader)
            let changes = Self.differences(was, now)
            if !changes.isEmpty { lines.append("device \(device): " + changes.joined(separator: ", ")) }
        }
        return lines
    }

    private static func differences(_ was: DeviceFacts, _ now: DeviceFacts) -> [String] {
        func text(_ value: Any?) -> String {
            switch value {
            case let b as Bool?: b.map { "\($0)" } ?? "none"
            case let s as String?: s.map { "\"\($0)\"" } ?? "none"
            default: "none"
            }
        }
        var out: [String] = []
        func compare<T: Equatable>(_ name: String, _ a: T?, _ b: T?) {
            if a != b { out.append("\(name) was \(text(a)), now \(text(b))") }
        }
        compare("in account", was.inAccount, now.inAccount)
        compare("fotaEligible", was.fotaEligible, now.fotaEligible)
        compare("licenseAssigned", was.licenseAssigned, now.licenseAssigned)
        compare("make", was.make, now.make)
        compare("model", was.model, now.model)
        compare("firmware", was.firmware, now.firmware)
        compare("held by upgrade", was.heldBy, now.heldBy)
        return out
    }
}

extension FotaRuntime {
    /// The dry run's plan to save (nil when this run is not a dry run).
    public func savedPlan(script: String, arguments: [String], scriptSha256: String, inputs: [String: String]) -> SavedPlan? {
        guard settings.mode == .dryRun else { return nil }
        return SavedPlan(
            format: SavedPlan.currentFormat, createdAt: Date.now.formatted(.iso8601),
            endpoint: Self.shownEndpoint(client?.configuration.endpoint ?? settings.endpoint), script: script,
            arguments: arguments, scriptSha256: scriptSha256, inputs: inputs, steps: plan.steps, facts: plan.savedFacts)
    }

    /// This run's endpoint as a saved plan names it.
    public var shownEndpoint: String { Self.shownEndpoint(client?.configuration.endpoint ?? settings.endpoint) }
}
