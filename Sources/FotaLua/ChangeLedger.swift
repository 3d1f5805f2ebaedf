import Foundation
import Synchronization
import ThingSpace

/// What one run's changes asked for and what they did, filled by the one change path
/// (`FotaCalls.perform`): the device count the device limit (`--max-devices`) is checked
/// against before a change is journaled or sent, and the tally of the summary the command
/// line prints when a live run ends.
public final class ChangeLedger: Sendable {
    /// What the run's changes did so far.
    public struct Tally: Sendable, Equatable {
        /// Devices added to / removed from upgrades.
        public var added = 0
        public var removed = 0
        /// Upgrades scheduled / cancelled.
        public var scheduled = 0
        public var cancelled = 0
        /// Devices whose add or remove did not succeed (failed or not sent), plus schedule and
        /// cancel calls that failed.
        public var failed = 0
        /// Devices already where the change wanted them (in the upgrade for an append, out of it for a remove).
        public var unchanged = 0
        /// Devices named by the changes let through so far (what the device limit counts).
        public var devices = 0

        public init() {}
    }

    /// The most devices one change, and all the run's changes together, may name; nil = no limit.
    public let maxDevices: Int?
    private let state = Mutex(Tally())

    public init(maxDevices: Int?) {
        self.maxDevices = maxDevices
    }

    public var tally: Tally { state.withLock { $0 } }

    /// Counts a change of `devices` devices, or refuses it when it alone, or with the run's
    /// earlier changes, names more devices than the limit: a refused change counts as failed
    /// (for --strict and the summary), not towards the devices. `limitName` says how the
    /// operator set the limit (e.g. "--max-devices 1000").
    func admit(_ call: String, devices: Int, limitName: String) throws {
        let refusal: String? = state.withLock { tally in
            if let limit = maxDevices, devices > 0 {
                if devices > limit {
                    return "this change names \(devices) devices, more than the run's limit of \(limit) (\(limitName)); nothing was sent"
                }
                if tally.devices + devices > limit {
                    return "this change names \(devices) devices, which would bring the run to \(tally.devices + devices), "
                        + "more than its limit of \(limit) (\(limitName)); nothing was sent"
                }
            }
            tally.devices += devices
            return nil
        }
        if let refusal {
            fail(call, devices: devices)
            throw FotaCallError(call: call, code: "MAX_DEVICES", message: refusal)
        }
    }

    /// Tallies what a change that was sent did.
    func settle(_ call: String, outcome: Any) {
        state.withLock { tally in
            switch outcome {
            case let result as BulkChangeResult:
                // Devices already in (append) or already out of (remove) the upgrade are
                // unchanged: neither a change nor a failure.
                let succeeded = result.succeededCount
                if result.type == .append { tally.added += succeeded } else { tally.removed += succeeded }
                tally.unchanged += result.unchangedCount
                tally.failed += result.count - succeeded - result.unchangedCount
            case is FirmwareUpgrade:
                tally.scheduled += 1
            case let success as Bool where call == "cancel":
                if success { tally.cancelled += 1 } else { tally.failed += 1 }
            default:
                // A change whose outcome this ledger does not know yet: counted as a change only.
                break
            }
        }
    }

    /// Tallies a change whose request failed as a whole (`devices` of it, or the call itself).
    func fail(_ call: String, devices: Int) {
        state.withLock { tally in tally.failed += call == "append" || call == "remove" ? max(devices, 1) : 1 }
    }
}
