import ThingSpaceSimulator

/// `fota sim --env`: the simulator's credentials as one shell line, so `. ./sim.env` (or `eval`) points
/// `fota run`, `fota sim clock` and friends at it.
enum SimEnvironment {
    static func exportLine(_ credentials: SimulatorCredentials) -> String {
        let pairs = [
            ("FOTA_ENDPOINT", credentials.endpoint), ("THINGSPACE_CLIENT_ID", credentials.clientId),
            ("THINGSPACE_CLIENT_SECRET", credentials.clientSecret), ("THINGSPACE_USERNAME", credentials.username),
            ("THINGSPACE_PASSWORD", credentials.password), ("FOTA_ACCOUNT", credentials.account),
        ]
        return "export " + pairs.map { "\($0.0)=\(shellQuoted($0.1))" }.joined(separator: " ")
    }

    /// POSIX single quoting: every character literal, an embedded `'` written as `'\''`.
    static func shellQuoted(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
