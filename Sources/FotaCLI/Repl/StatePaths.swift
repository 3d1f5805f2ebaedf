import Foundation

/// Where fota keeps per-user state (history, journal): $XDG_STATE_HOME/fota,
/// else ~/.local/state/fota, as the XDG base directory spec says.
enum StatePaths {
    static func folder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/fota" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/state/fota"
    }

    /// The journal of changes to ThingSpace, and the one rehearsals (--simulate, a `fota sim` endpoint) write instead.
    static let journal = "journal.jsonl"
    static let rehearsalJournal = "rehearsal-journal.jsonl"
    /// fota.state's folders, live and rehearsal.
    static let state = "state"
    static let rehearsalState = "rehearsal-state"

    /// Creates the folder (mode 0700: history may hold device ids) and returns the file path.
    static func file(_ name: String) throws -> String {
        let folder = folder()
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return folder + "/" + name
    }
}
