import Foundation
import FotaLua

/// How `fota journal` shows runs, changes, batches and findings: readable lines, or JSON values.
enum JournalText {
    /// Devices counted by outcome over a change's outcome line (or, when it has none, its batches' lines).
    static func counts(_ change: JournalReader.Change) -> [String: Int] {
        var totals: [String: Int] = [:]
        let keys = ["succeeded", "unchanged", "failed", "notSent"]
        if let outcome = change.outcome, keys.contains(where: { outcome[$0] is Int }) {
            for key in keys { totals[key] = outcome[key] as? Int ?? 0 }
            return totals
        }
        for batch in change.batches {
            guard let outcome = batch.outcome else { continue }
            for key in keys { totals[key, default: 0] += outcome[key] as? Int ?? 0 }
        }
        return totals
    }

    static func runLine(_ run: JournalReader.Run) -> String {
        var totals: [String: Int] = [:]
        var unknown = 0
        for change in run.changes {
            for (key, value) in counts(change) { totals[key, default: 0] += value }
            unknown += change.isUnknown ? 1 : change.unknownBatches.count
        }
        let changed = "changed \(totals["succeeded"] ?? 0), unchanged \(totals["unchanged"] ?? 0), failed \(totals["failed"] ?? 0), "
            + "not sent \(totals["notSent"] ?? 0)"
        return "\(run.runId)  \(run.started)  \(run.script)  \(run.endpoint)  \(run.mode)  "
            + "\(run.changes.count) change(s); devices \(changed); \(unknown) unknown"
    }

    /// The readable lines of `fota journal show`.
    static func runLines(_ run: JournalReader.Run) -> [String] {
        var lines = ["run \(run.runId)", "  started  \(run.started)", "  script   \(run.script)",
                     "  endpoint \(run.endpoint)", "  mode     \(run.mode)"]
        if run.changes.isEmpty { lines.append("  (no changes)") }
        for change in run.changes {
            lines.append("")
            lines.append("  " + changeHeading(change))
            lines.append("    " + changeStanding(change))
            for batch in change.batches { if let line = batchLine(batch, call: change.call) { lines.append("    " + line) } }
        }
        return lines
    }

    static func changeHeading(_ change: JournalReader.Change) -> String {
        var parts = ["#\(change.number.map(String.init) ?? "?") \(change.call)"]
        if let upgradeId = change.upgradeId { parts.append("upgrade \(upgradeId)") }
        if let account = change.account { parts.append("account \(account)") }
        parts.append("\(change.deviceCount) device(s)")
        if change.isBatched { parts.append("in \(change.intent["batches"] as? Int ?? 0) batch(es)") }
        if let time = change.intent["time"] as? String { parts.append("at \(time)") }
        return parts.joined(separator: ", ")
    }

    /// One line on what became of a change.
    static func changeStanding(_ change: JournalReader.Change) -> String {
        if let reconciled = change.reconciled {
            return "reconciled: \(reconciled["found"] as? String ?? "")"
        }
        var text: String
        if change.dryRun {
            text = change.outcome == nil ? "dry run, stopped before its outcome" : "dry run: planned, not sent"
        } else if change.isBatched {
            let c = counts(change)
            text = "changed \(c["succeeded"] ?? 0), unchanged \(c["unchanged"] ?? 0), failed \(c["failed"] ?? 0), not sent \(c["notSent"] ?? 0)"
            let total = change.intent["batches"] as? Int ?? 0
            let sent = change.batches.count
            let unknown = change.unknownBatches.count
            text += "; batches: \(sent - unknown) finished, \(unknown) unknown, \(max(0, total - sent)) not sent"
            if change.outcome == nil { text += " (the call has no outcome line: the run stopped during it)" }
        } else if let outcome = change.outcome {
            if let upgradeId = outcome["upgradeId"] as? String, change.call == "schedule" {
                text = "scheduled as upgrade \(upgradeId)"
            } else {
                text = "done"
            }
        } else {
            text = "UNKNOWN: sent, no outcome recorded"
        }
        if let error = change.outcome?["error"] as? String { text += "; error: \(error)" }
        return text
    }

    /// A batch worth a line: unknown, reconciled, or with devices that did not simply succeed.
    static func batchLine(_ batch: JournalReader.Batch, call: String) -> String? {
        let head = "batch \(batch.index)/\(batch.count) (\(batch.devices.count) devices): "
        if let reconciled = batch.reconciled { return head + "reconciled: \(reconciled["found"] as? String ?? "")" }
        guard let outcome = batch.outcome else { return head + "UNKNOWN: sent, no outcome recorded" }
        if outcome["settled"] as? Bool == false { return head + "UNKNOWN: the answer was lost and reading the upgrade back failed" }
        let others = outcome["others"] as? [[String: Any]] ?? []
        guard !others.isEmpty else { return nil }
        let groups = others.map { group in
            let devices = group["devices"] as? [String] ?? []
            let shown = devices.prefix(3).joined(separator: " ") + (devices.count > 3 ? " …" : "")
            let why = [group["status"] as? String, group["reason"] as? String].compactMap { $0 }.joined(separator: ": ")
            return "\(group["outcome"] as? String ?? "?") \(devices.count) (\(why)) \(shown)"
        }
        return head + groups.joined(separator: "; ")
    }

    static func unknownLine(_ unknown: JournalReader.Unknown) -> String {
        let change = unknown.change
        var parts = ["run \(unknown.run.runId)", "#\(change.number.map(String.init) ?? "?") \(change.call)"]
        if let upgradeId = change.upgradeId { parts.append("upgrade \(upgradeId)") }
        if let batch = unknown.batch { parts.append("batch \(batch.index)/\(batch.count)") }
        parts.append("\(unknown.deviceCount) device(s)")
        if let time = (unknown.batch?.outcome ?? change.intent)["time"] as? String { parts.append("at \(time)") }
        return parts.joined(separator: ", ")
    }

    static func findingLine(_ finding: JournalReconciler.Finding) -> String {
        var parts = ["run \(finding.runId)", "#\(finding.change.map(String.init) ?? "?") \(finding.call)"]
        if let upgradeId = finding.upgradeId { parts.append("upgrade \(upgradeId)") }
        if let batch = finding.batch { parts.append("batch \(batch)/\(finding.batches ?? 0)") }
        return parts.joined(separator: ", ") + ": " + finding.found
    }

    // MARK: JSON

    static func runSummary(_ run: JournalReader.Run) -> [String: Any] {
        var totals: [String: Int] = [:]
        for change in run.changes { for (key, value) in counts(change) { totals[key, default: 0] += value } }
        return [
            "runId": run.runId, "started": run.started, "script": run.script, "endpoint": run.endpoint, "mode": run.mode,
            "changes": run.changes.count, "devices": totals,
            "unknown": run.changes.reduce(0) { $0 + ($1.isUnknown ? 1 : $1.unknownBatches.count) },
        ]
    }

    static func runDetail(_ run: JournalReader.Run) -> [String: Any] {
        var detail = runSummary(run)
        detail["changes"] = run.changes.map { change -> [String: Any] in
            var entry: [String: Any] = [
                "change": change.number ?? NSNull(), "call": change.call, "deviceCount": change.deviceCount,
                "standing": changeStanding(change), "intent": change.intent.fields, "counts": counts(change),
            ]
            entry["outcome"] = change.outcome?.fields
            entry["reconciled"] = change.reconciled?.fields
            entry["batches"] = change.batches.map { batch -> [String: Any] in
                var fields: [String: Any] = ["batch": batch.index, "batches": batch.count, "devices": batch.devices, "unknown": batch.isUnknown]
                fields["outcome"] = batch.outcome?.fields
                fields["reconciled"] = batch.reconciled?.fields
                return fields
            }
            return entry
        }
        return detail
    }

    static func unknownSummary(_ unknown: JournalReader.Unknown) -> [String: Any] {
        var fields: [String: Any] = [
            "runId": unknown.run.runId, "call": unknown.change.call, "deviceCount": unknown.deviceCount,
        ]
        fields["change"] = unknown.change.number
        fields["upgradeId"] = unknown.change.upgradeId
        fields["account"] = unknown.change.account
        fields["batch"] = unknown.batch?.index
        fields["batches"] = unknown.batch?.count
        return fields
    }

    /// Pretty JSON with sorted keys (stable for tools and tests).
    static func json(_ value: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys]) else {
            return "null"
        }
        // JSONSerialization escapes C0 controls; DEL and C1 controls (ESC-free CSI, U+009B) could
        // still move a terminal, so they go out as \u escapes too: still the same JSON.
        var text = ""
        for scalar in String(decoding: data, as: UTF8.self).unicodeScalars {
            if (0x7F...0x9F).contains(scalar.value) {
                text += String(format: "\\u%04x", scalar.value)
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        return text
    }
}
