import Foundation
import LuaHost
import ThingSpace

/// fota.now, fota.sleep and the helpers behind fota.wait.
extension FotaCalls {
    // MARK: - Time

    func now(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        results.push(number: try runtime.clock.now(arguments.stopSignal, call: "now"))
    }

    func sleep(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let seconds = try arguments.number(1)
        guard seconds.isFinite, seconds >= 0 else {
            throw LuaArgumentError(1, "seconds must be a number of seconds, 0 or more, got \(seconds)")
        }
        guard seconds <= Self.longestSleep else {
            throw LuaArgumentError(1, "seconds must be at most \(Int(Self.longestSleep)) (a year), got \(seconds)")
        }
        try runtime.clock.sleep(seconds, arguments.stopSignal, call: "sleep")
    }

    /// Longest single fota.sleep: a year, far beyond any campaign, far inside what the simulator's clock accepts.
    static let longestSleep = 366.0 * 86_400

    /// `__jump(upgradeId, deadline, statusOnly)`: false when live; in a rehearsal it moves the
    /// simulated clock until the upgrade changes (see CampaignClock.jump) and says why it stopped:
    /// "changed", "deadline" or "never".
    func jump(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let upgradeId = try arguments.upgradeId(1)
        let deadline = arguments.isNil(2) ? nil : try arguments.number(2)
        let statusOnly = arguments.boolean(3)
        guard let why = try runtime.clock.jump(
            upgradeId: upgradeId, deadline: deadline, statusOnly: statusOnly, arguments.stopSignal, call: "wait")
        else {
            results.push(boolean: false)
            return
        }
        results.push(string: why.rawValue)
    }

    /// `__fail(call, code, message)`: raises the fota error table, for API errors found in Lua (fota.wait's TIMEOUT).
    func fail(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        throw FotaCallError(
            call: try arguments.string(1).description, code: try arguments.string(2).description,
            message: try arguments.string(3).description)
    }
}
