import ArgumentParser
import Foundation

/// Shared run loop of the control commands: errors become their message on stderr and their exit status.
protocol SimControlCommand: AsyncParsableCommand {
    var target: SimEndpointOptions { get }
    var json: Bool { get }
    /// Performs the command; returns the simulator's answer and the human-readable lines for it.
    func perform(_ client: SimControlClient) async throws -> (answer: [String: Any], lines: [String])
}

extension SimControlCommand {
    func run() async throws {
        do {
            let (answer, lines) = try await perform(try target.client())
            if json {
                let data = try JSONSerialization.data(withJSONObject: answer, options: [.sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
            } else {
                lines.forEach { print($0) }
            }
        } catch let failure as SimControlClient.Failure {
            printError(failure.description)
            throw ExitCode(failure.status)
        }
    }
}

/// `fota sim clock`
struct SimClockCommand: SimControlCommand {
    static let configuration = CommandConfiguration(commandName: "clock", abstract: "Show the running simulator's simulated time.")

    @OptionGroup var target: SimEndpointOptions
    @Flag(help: "Print the simulator's JSON answer.") var json = false

    func perform(_ client: SimControlClient) async throws -> (answer: [String: Any], lines: [String]) {
        let clock = try await client.clock()
        return (clock, ["\(clock["now"] as? String ?? "?") (epoch \(clock["epochSeconds"] ?? "?"))"])
    }
}

/// `fota sim advance 2h` / `fota sim advance --to 2026-03-10`
struct SimAdvanceCommand: SimControlCommand {
    static let configuration = CommandConfiguration(
        commandName: "advance",
        abstract: "Move the running simulator's clock forward; due campaign changes happen on the way.",
        discussion: "DURATION is seconds, or a number with s, m, h or d (90, 15m, 2h, 3d). --to moves to a date or an RFC 3339 UTC time instead.")

    @Argument(help: "How far to move the clock: 90, 90s, 15m, 2h, 3d.") var duration: String?
    @Option(help: "Move to this date (YYYY-MM-DD, 00:00 UTC) or time (YYYY-MM-DDTHH:MM:SSZ) instead.") var to: String?
    @OptionGroup var target: SimEndpointOptions
    @Flag(help: "Print the simulator's JSON answer.") var json = false

    func validate() throws {
        switch (duration, to) {
        case (nil, nil): throw ValidationError("Give a DURATION (e.g. 2h) or --to DATE.")
        case (.some, .some): throw ValidationError("Give either a DURATION or --to, not both.")
        case (let text?, nil): _ = try SimFlagValues.seconds(text, flag: "DURATION")
        case (nil, .some): break
        }
    }

    func perform(_ client: SimControlClient) async throws -> (answer: [String: Any], lines: [String]) {
        let body: [String: Any] = try to.map { ["to": $0] } ?? ["seconds": try SimFlagValues.seconds(duration ?? "0", flag: "DURATION")]
        let clock = try await client.call("POST", "/_sim/clock/advance", body)
        return (clock, ["\(clock["now"] as? String ?? "?") (epoch \(clock["epochSeconds"] ?? "?"))"])
    }
}

/// `fota sim fail --upgrade ID --share 5% [--reason …]` or `--device IMEI`
struct SimFailCommand: SimControlCommand {
    static let configuration = CommandConfiguration(
        commandName: "fail",
        abstract: "Make devices of an upgrade fail: a share of its unfinished devices, or one device.",
        discussion: """
        With --share, that share of the upgrade's devices without an outcome fails: running devices at once, devices of a \
        campaign not yet started when their outcome is due. The devices are drawn from the simulator's seed. \
        With --device, that device ends UpgradeFailed when its outcome is due.
        """)

    @Option(help: "The upgrade id.") var upgrade: String
    @Option(help: "Share of the unfinished devices to fail: 0.05 or 5%.") var share: String?
    @Option(help: "One device (IMEI) to fail instead of a share.") var device: String?
    @Option(help: "Failure reason shown for those devices (default \"Device upgrade failed\").") var reason: String?
    @OptionGroup var target: SimEndpointOptions
    @Flag(help: "Print the simulator's JSON answer.") var json = false

    func validate() throws {
        switch (share, device) {
        case (nil, nil): throw ValidationError("Give --share (e.g. 5%) or --device IMEI.")
        case (.some, .some): throw ValidationError("Give either --share or --device, not both.")
        case (let text?, nil): _ = try SimFlagValues.share(text, flag: "--share")
        case (nil, .some): break
        }
    }

    func perform(_ client: SimControlClient) async throws -> (answer: [String: Any], lines: [String]) {
        var body: [String: Any] = reason.map { ["reason": $0] } ?? [:]
        let id = upgrade.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-"])) ?? upgrade
        if let device {
            let imei = device.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? device
            let answer = try await client.call("POST", "/_sim/upgrades/\(id)/devices/\(imei)/fail", body)
            return (answer, ["device \(device) of upgrade \(upgrade) will fail"])
        }
        body["share"] = try SimFlagValues.share(share ?? "0", flag: "--share")
        let answer = try await client.call("POST", "/_sim/upgrades/\(id)/fail-share", body)
        let devices = answer["deviceIds"] as? [String] ?? []
        return (answer, ["failed \(answer["failed"] ?? devices.count) device(s) of upgrade \(upgrade)"] + devices.map { "  \($0)" })
    }
}

/// `fota sim state`
struct SimStateCommand: SimControlCommand {
    static let configuration = CommandConfiguration(commandName: "state", abstract: "Summarise the running simulator: clock, campaigns by status, licences, sessions.")

    @OptionGroup var target: SimEndpointOptions
    @Flag(help: "Print the simulator's JSON answer.") var json = false

    func perform(_ client: SimControlClient) async throws -> (answer: [String: Any], lines: [String]) {
        let state = try await client.call("GET", "/_sim/state")
        let byStatus = (state["upgradesByStatus"] as? [String: Any] ?? [:]).sorted { $0.key < $1.key }
        let campaigns = byStatus.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return (state, [
            "now        \(state["now"] ?? "?")",
            "account    \(state["account"] ?? "?") (\(state["devices"] ?? "?") devices)",
            "upgrades   \(campaigns) (active \(state["activeUpgrades"] ?? "?"))",
            "next       \(state["nextChange"] as? String ?? "nothing scheduled")",
            "licences   \(state["licensesUsed"] ?? "?") of \(state["licenses"] ?? "?") used",
            "sessions   \(state["sessions"] ?? "?")\((state["userLocked"] as? Bool) == true ? " (user locked)" : "")",
        ])
    }
}
