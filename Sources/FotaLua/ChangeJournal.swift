import LuaHost
import Synchronization
import ThingSpace

/// The journal lines of one change: its number in the run (`change`), and for a bulk
/// append/remove one `batchIntent` line before each request and one `batchOutcome` line after
/// it, so a run stopped in the middle of a call keeps every outcome it already had.
///
/// Size policy (docs/lua-api.md "Journal"): a batch's devices are listed once, in its intent; its
/// outcome line gives counts and lists only the devices that did not succeed, grouped by
/// outcome, status and reason. An append whose devices all succeed costs about 18 bytes per device.
final class ChangeJournal: Sendable {
    let runtime: FotaRuntime
    let call: String
    let number: Int
    /// Fields every batch line repeats (account, upgrade).
    let base: [String: LuaValue]
    private let tally = Mutex(BatchTally())

    /// Batches by what the journal knows of them.
    struct BatchTally: Sendable {
        var total = 0
        var intents = 0
        var outcomes = 0
        var unsettled = 0
    }

    init(runtime: FotaRuntime, call: String, number: Int, base: [String: LuaValue]) {
        self.runtime = runtime
        self.call = call
        self.number = number
        self.base = base
    }

    /// A call-level line (intent or outcome) with this change's number.
    func record(_ phase: JournalPhase, _ fields: [String: LuaValue], sent: String? = nil) throws {
        try runtime.record(call, phase: phase, fields.merging(["change": .integer(Int64(number))]) { $1 }, sent: sent)
    }

    /// Before a batch is sent: its devices, once. Throws (and the batch is not sent) when the
    /// line cannot be written.
    func batchIntent(_ batch: BulkBatch) throws {
        tally.withLock { $0.total = batch.count }
        var fields = batchFields(batch)
        fields["devices"] = .array(batch.deviceIds.map { .string($0) })
        try runtime.record(call, phase: .batchIntent, fields,
                           sent: "batch \(batch.index + 1) of \(batch.count), \(batch.deviceIds.count) devices")
        tally.withLock { $0.intents += 1 }
    }

    /// After a batch's answer: counts, and the devices that did not succeed grouped by reason.
    func batchOutcome(_ report: BulkBatchReport) throws {
        var fields = batchFields(report.batch)
        var counts: [DeviceOutcomeKind: Int] = [:]
        // Groups in order of first appearance, so the line reads in batch order.
        var groups: [GroupKey: [LuaValue]] = [:]
        var order: [GroupKey] = []
        for outcome in report.outcomes {
            counts[outcome.kind, default: 0] += 1
            guard outcome.kind != .succeeded else { continue }
            let key = GroupKey(
                outcome: LuaModels.outcomeWord(outcome.kind), status: outcome.status,
                reason: outcome.error.map { "\($0)" } ?? outcome.reason)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(.string(outcome.deviceId))
        }
        for kind in [DeviceOutcomeKind.succeeded, .unchanged, .failed, .notSent] {
            fields[LuaModels.outcomeWord(kind)] = .integer(Int64(counts[kind] ?? 0))
        }
        fields["others"] = .array(order.map { key in
            LuaModels.table([
                ("outcome", .string(key.outcome)), ("status", LuaModels.text(key.status)),
                ("reason", LuaModels.text(key.reason)), ("devices", .array(groups[key] ?? [])),
            ])
        })
        fields["settled"] = .boolean(report.settled)
        try runtime.record(call, phase: .batchOutcome, fields,
                           sent: "batch \(report.batch.index + 1) of \(report.batch.count), \(report.outcomes.count) devices")
        tally.withLock {
            $0.outcomes += 1
            if !report.settled { $0.unsettled += 1 }
        }
    }

    /// Whether any batch line was written (the change was sent in batches).
    var sentBatches: Bool { tally.withLock { $0.intents > 0 } }

    /// For a call that stopped early: how its batches stand, in words that never defer to the journal.
    var batchStanding: String {
        let t = tally.withLock { $0 }
        let unknown = t.intents - t.outcomes + t.unsettled
        let notSent = max(0, t.total - t.intents)
        return "\(t.outcomes - t.unsettled) of \(t.total) batches finished, \(unknown) unknown (sent without a known outcome; "
            + "`fota journal unknown` lists them), \(notSent) not sent"
    }

    private func batchFields(_ batch: BulkBatch) -> [String: LuaValue] {
        base.merging([
            "change": .integer(Int64(number)), "batch": .integer(Int64(batch.index + 1)),
            "batches": .integer(Int64(batch.count)),
        ]) { $1 }
    }

    private struct GroupKey: Hashable {
        var outcome: String
        var status: String?
        var reason: String?
    }
}
