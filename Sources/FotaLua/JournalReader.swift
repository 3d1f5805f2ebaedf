import Foundation

/// Reads a journal back as runs, changes and batches: what `fota journal` shows.
///
/// Lines are tied together by `runId` and `change` (the change's number in its run); a
/// journal written before changes were numbered pairs each outcome with the latest open intent
/// of the same call. A `reconciled` line (written by `fota journal reconcile`) settles the
/// change or batch it names.
public struct JournalReader: Sendable {
    public var runs: [Run]
    /// Lines that are not a whole JSON object (torn by a failed write).
    public var skipped: Int

    /// One `fota run` (or REPL session): its changes in order.
    public struct Run: Sendable {
        public var runId: String
        public var started: String
        public var script: String
        public var endpoint: String
        public var dryRun: Bool
        public var rehearsal: Bool
        public var changes: [Change]

        /// `live`, `dry-run` or `rehearsal`.
        public var mode: String { dryRun ? "dry-run" : rehearsal ? "rehearsal" : "live" }
    }

    /// One mutating call: its intent, its outcome (if written) and, for a bulk change, its batches.
    public struct Change: Sendable {
        public var runId: String
        public var number: Int?
        public var call: String
        public var intent: JSONRecord
        public var outcome: JSONRecord?
        public var reconciled: JSONRecord?
        public var batches: [Batch]

        public var account: String? { intent["account"] as? String }
        public var upgradeId: String? { intent["upgradeId"] as? String ?? outcome?["upgradeId"] as? String }
        public var dryRun: Bool { intent["dryRun"] as? Bool ?? false }
        public var endpoint: String? { intent["endpoint"] as? String }
        /// Written with per-batch lines (intent says how many batches).
        public var isBatched: Bool { intent["batches"] != nil }
        /// Devices of the change: counted in a batched intent, listed in an older one or a schedule.
        public var deviceCount: Int {
            (intent["deviceCount"] as? Int) ?? (intent["devices"] as? [Any])?.count ?? 0
        }

        /// The change as a whole has no known outcome: sent as one request (or written before
        /// batches were journaled), no outcome line and nothing reconciled. A dry run never is.
        public var isUnknown: Bool {
            !dryRun && !isBatched && outcome == nil && reconciled == nil
        }

        /// Batches sent without a known outcome.
        public var unknownBatches: [Batch] { dryRun ? [] : batches.filter(\.isUnknown) }
    }

    /// One request of a bulk change.
    public struct Batch: Sendable {
        /// 1-based.
        public var index: Int
        public var count: Int
        public var devices: [String]
        public var outcome: JSONRecord?
        public var reconciled: JSONRecord?

        /// Sent (an intent line) and no settled outcome: no outcome line, or one whose answer was
        /// lost with a failed read-back (`settled: false`), and not reconciled since.
        public var isUnknown: Bool {
            guard reconciled == nil else { return false }
            guard let outcome else { return true }
            return outcome["settled"] as? Bool == false
        }
    }

    /// A journal line as JSON values. `Sendable` by copy: the values are plist-like (strings,
    /// numbers, arrays, dictionaries) decoded by `JSONSerialization` and never mutated.
    // @unchecked: `fields` is a `let` holding what JSONSerialization decoded (strings, numbers,
    // arrays, dictionaries, all immutable once decoded); nothing mutates it after init.
    public struct JSONRecord: @unchecked Sendable {
        public let fields: [String: Any]
        public subscript(key: String) -> Any? { fields[key] }
    }

    /// Reads the journal at `path`.
    public init(path: String) throws {
        let (records, skipped) = try Journal.records(path: path)
        self.init(records: records, skipped: skipped)
    }

    init(records: [[String: Any]], skipped: Int) {
        self.skipped = skipped
        var runs: [Run] = []
        var runIndex: [String: Int] = [:]
        // (run, change number) → index in that run's changes.
        var changeIndex: [String: Int] = [:]
        var reconciled: [JSONRecord] = []
        // A later run's read-back of a schedule key (fota.schedule{key=}) settles that key's intent.
        var keyReadBacks: [[String: Any]] = []
        for fields in records {
            let record = JSONRecord(fields: fields)
            guard let runId = fields["runId"] as? String, let phase = fields["phase"] as? String else { continue }
            if phase == "reconciled" {
                reconciled.append(record)
                continue
            }
            if phase == "reconcile", fields["key"] is String {
                keyReadBacks.append(fields)
                continue
            }
            let r: Int
            if let existing = runIndex[runId] {
                r = existing
            } else {
                r = runs.count
                runIndex[runId] = r
                runs.append(Run(
                    runId: runId, started: fields["time"] as? String ?? "", script: fields["script"] as? String ?? "",
                    endpoint: fields["endpoint"] as? String ?? "", dryRun: fields["dryRun"] as? Bool ?? false,
                    rehearsal: fields["rehearsal"] as? Bool ?? false, changes: []))
            }
            let call = fields["call"] as? String ?? "?"
            let number = fields["change"] as? Int
            let key = "\(runId)#\(number.map(String.init) ?? "")"
            switch phase {
            case "intent":
                if number != nil { changeIndex[key] = runs[r].changes.count }
                runs[r].changes.append(Change(
                    runId: runId, number: number, call: call, intent: record, outcome: nil, reconciled: nil, batches: []))
            case "outcome":
                let c = number != nil
                    ? changeIndex[key]
                    : runs[r].changes.lastIndex { $0.call == call && $0.outcome == nil && $0.number == nil }
                if let c { runs[r].changes[c].outcome = record }
            case "batchIntent", "batchOutcome":
                guard let c = changeIndex[key], let index = fields["batch"] as? Int else { continue }
                let b: Int
                if let existing = runs[r].changes[c].batches.firstIndex(where: { $0.index == index }) {
                    b = existing
                } else {
                    b = runs[r].changes[c].batches.count
                    runs[r].changes[c].batches.append(Batch(
                        index: index, count: fields["batches"] as? Int ?? 0, devices: [], outcome: nil, reconciled: nil))
                }
                if phase == "batchIntent" {
                    runs[r].changes[c].batches[b].devices = fields["devices"] as? [String] ?? []
                } else {
                    runs[r].changes[c].batches[b].outcome = record
                }
            default:
                continue
            }
        }
        for record in reconciled {
            guard let runId = record["runId"] as? String, let r = runIndex[runId] else { continue }
            let number = record["change"] as? Int
            guard let c = number.flatMap({ changeIndex["\(runId)#\($0)"] })
                ?? (record["intentTime"] as? String).flatMap({ time in
                    runs[r].changes.firstIndex { $0.intent["time"] as? String == time && $0.call == record["call"] as? String }
                })
            else { continue }
            if let index = record["batch"] as? Int {
                if let b = runs[r].changes[c].batches.firstIndex(where: { $0.index == index }) {
                    runs[r].changes[c].batches[b].reconciled = record
                }
            } else {
                runs[r].changes[c].reconciled = record
            }
        }
        for fields in keyReadBacks {
            let key = fields["key"] as? String, account = fields["account"] as? String
            var settled = fields
            if let id = fields["upgradeId"] as? String {
                settled["found"] = "the key \(key ?? "") was read back by run \(fields["runId"] as? String ?? "?"): scheduled as upgrade \(id)"
            } else {
                settled["found"] = "the key \(key ?? "") was read back by run \(fields["runId"] as? String ?? "?"): not scheduled"
            }
            for r in runs.indices {
                for c in runs[r].changes.indices where runs[r].changes[c].call == "schedule"
                    && runs[r].changes[c].outcome == nil && runs[r].changes[c].reconciled == nil
                    && runs[r].changes[c].intent["key"] as? String == key
                    && runs[r].changes[c].intent["account"] as? String == account {
                    runs[r].changes[c].reconciled = JSONRecord(fields: settled)
                }
            }
        }
        for r in runs.indices {
            for c in runs[r].changes.indices { runs[r].changes[c].batches.sort { $0.index < $1.index } }
        }
        self.runs = runs
    }

    /// The run whose id is `prefix` or starts with it; nil with a reason when none or several match.
    public func run(matching prefix: String) -> Result<Run, JournalQueryError> {
        let matches = runs.filter { $0.runId == prefix || $0.runId.hasPrefix(prefix.lowercased()) }
        if matches.count == 1 { return .success(matches[0]) }
        if matches.isEmpty { return .failure(JournalQueryError(description: "no run in the journal has an id starting with '\(prefix)'")) }
        return .failure(JournalQueryError(
            description: "\(matches.count) runs have an id starting with '\(prefix)'; give more of it"))
    }

    /// Something sent without a known outcome: a whole change, or one batch of a bulk change.
    public struct Unknown: Sendable {
        public var run: Run
        public var change: Change
        public var batch: Batch?

        /// Devices concerned.
        public var deviceCount: Int { batch?.devices.count ?? change.deviceCount }
        /// The devices concerned, when the journal lists them.
        public var devices: [String] { batch?.devices ?? change.intent["devices"] as? [String] ?? [] }
    }

    /// Every change or batch sent without a known outcome, oldest first.
    public var unknowns: [Unknown] {
        runs.flatMap { run in
            run.changes.flatMap { change -> [Unknown] in
                if change.isUnknown { return [Unknown(run: run, change: change, batch: nil)] }
                return change.unknownBatches.map { Unknown(run: run, change: change, batch: $0) }
            }
        }
    }
}

public struct JournalQueryError: Error, CustomStringConvertible, Sendable {
    public var description: String
}
