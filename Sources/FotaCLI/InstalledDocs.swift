import Foundation

/// Where help text and messages send the reader: the docs installed beside the binary
/// (scripts/install.sh puts them in PREFIX/share/doc/fota for PREFIX/bin/fota), never a
/// path inside the source tree, which an installed fota cannot reach.
enum InstalledDocs {
    /// The docs folder beside this binary, when it is there (found again after the tree moves).
    static let folder: String? = {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let folder = executable.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("share/doc/fota").path
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) && isFolder.boolValue ? folder : nil
    }()

    /// How to find `file` (e.g. "lua-api.md"): its installed path, or where an install puts it.
    static func describe(_ file: String) -> String {
        if let folder { return "\(folder)/\(file)" }
        return "\(file) in fota's docs (share/doc/fota where it is installed)"
    }
}
