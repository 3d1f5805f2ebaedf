import CFotaBuildInfo

/// What `fota --version` prints: fota's own version, the commit and compiler
/// stamped by the release build (scripts/lib/release.sh), and the Lua it runs.
enum FotaVersion {
    /// fota's version; raise it with every release.
    static let number = "0.2.0"

    static var text: String {
        """
        fota \(number)
        commit: \(String(cString: fota_build_commit()))
        lua: \(luaRelease)
        swift: \(swiftVersion)
        """
    }

    /// The Lua release of the headers fota was compiled against (the library's ABI is 5.4 throughout).
    static var luaRelease: String { String(cString: fota_lua_release()) }

    /// The compiler that built fota: its own `swift --version` when the release build stamped it,
    /// otherwise the language version it implements.
    static var swiftVersion: String {
        let stamped = String(cString: fota_build_swift())
        if !stamped.isEmpty { return stamped }
        #if compiler(>=6.3)
        return "Swift 6.3 or later"
        #elseif compiler(>=6.2)
        return "Swift 6.2"
        #elseif compiler(>=6.1)
        return "Swift 6.1"
        #else
        return "Swift 6.0"
        #endif
    }
}
