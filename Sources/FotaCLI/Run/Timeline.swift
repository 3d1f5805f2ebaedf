import Foundation
import FotaLua
import LuaHost

/// `fota run --simulate --timeline FILE`: the campaign as it unfolded in simulated time (every
/// upgrade status change and device outcome, from the simulator's `GET /_sim/events`), written
/// as JSON Lines (`.jsonl`) or CSV (`.csv`), and a short summary for stderr.
struct Timeline {
    enum Format { case jsonLines, csv }

    let path: String
    let format: Format
    /// Simulated time when the run started, epoch seconds.
    var startedAt: Int64 = 0

    /// The format a file name asks for; nil when its extension is neither.
    static func format(of path: String) -> Format? {
        switch (path as NSString).pathExtension.lowercased() {
        case "jsonl": .jsonLines
        case "csv": .csv
        default: nil
        }
    }

    /// Why `path` cannot take a timeline, or nil when it can (checked before the run).
    static func problem(with path: String) -> String? {
        guard format(of: path) != nil else {
            return "--timeline \(path): the file name must end in .jsonl (JSON Lines) or .csv"
        }
        var folder = (path as NSString).deletingLastPathComponent
        if folder.isEmpty { folder = "." }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            return "--timeline \(path): there is no folder \(folder)"
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            return "--timeline \(path): the folder \(folder) is not writable"
        }
        return nil
    }

    init(path: String) {
        self.path = path
        format = Self.format(of: path) ?? .jsonLines
    }

    /// The file's text for these events.
    func render(_ events: [SimControl.Event]) -> String {
        switch format {
        case .jsonLines:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return events.map { String(decoding: (try? encoder.encode($0)) ?? Data(), as: UTF8.self) + "\n" }.joined()
        case .csv:
            var lines = ["time,epochSeconds,upgradeId,kind,deviceId,status,reason"]
            for e in events {
                lines.append([e.time, String(e.at), e.upgradeId, e.kind, e.deviceId ?? "", e.status, e.reason ?? ""]
                    .map(CSVText.field).joined(separator: ","))
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// A few lines: upgrades by final status, devices by final outcome, simulated time passed.
    func summary(_ events: [SimControl.Event], endedAt: Int64) -> String {
        var upgradeStatus: [String: String] = [:]
        var deviceStatus: [String: String] = [:]
        for event in events {
            if event.kind == "upgrade" {
                upgradeStatus[event.upgradeId] = event.status
            } else if let device = event.deviceId {
                if upgradeStatus[event.upgradeId] == nil { upgradeStatus[event.upgradeId] = "" } // status not seen yet
                deviceStatus[event.upgradeId + " " + device] = event.status
            }
        }
        func counts(_ statuses: Dictionary<String, String>.Values) -> String {
            let tally = Dictionary(statuses.filter { !$0.isEmpty }.map { ($0, 1) }, uniquingKeysWith: +)
            guard !tally.isEmpty else { return "" }
            return " (" + tally.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"
        }
        return [
            "timeline: \(events.count) event\(events.count == 1 ? "" : "s") written to \(path)",
            "  upgrades: \(upgradeStatus.count)\(counts(upgradeStatus.values))",
            "  devices: \(deviceStatus.count)\(counts(deviceStatus.values))",
            "  simulated time: \(Self.duration(endedAt - startedAt)), \(Self.rfc3339(startedAt)) to \(Self.rfc3339(endedAt))",
        ].joined(separator: "\n")
    }

    /// `2d 4h 30m`, `45m 10s`, `0s`.
    static func duration(_ seconds: Int64) -> String {
        let parts: [(Int64, String)] = [(seconds / 86_400, "d"), (seconds % 86_400 / 3600, "h"), (seconds % 3600 / 60, "m"), (seconds % 60, "s")]
        let shown = parts.drop { $0.0 == 0 }.prefix(3).filter { $0.0 != 0 }
        return shown.isEmpty ? "0s" : shown.map { "\($0.0)\($0.1)" }.joined(separator: " ")
    }

    static func rfc3339(_ epochSeconds: Int64) -> String {
        Date(timeIntervalSince1970: TimeInterval(epochSeconds)).formatted(.iso8601)
    }
}
