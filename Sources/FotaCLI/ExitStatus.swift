import ArgumentParser

/// The exit statuses of fota, documented in README.md; distinct so scripts
/// and CI jobs can branch on them.
enum ExitStatus {
    static let success: Int32 = 0
    static let scriptError: Int32 = 1
    static let limitExceeded: Int32 = 3
    static let changesFailed: Int32 = 4 // --strict: the script ended but some of its changes failed
    /// `fota apply`: the facts a plan was checked against changed; nothing was sent.
    static let drift: Int32 = 5
    static let usage: Int32 = 64        // EX_USAGE, also ArgumentParser's validation failures
    static let dataError: Int32 = 65    // EX_DATAERR: not a plan file
    static let noInput: Int32 = 66      // EX_NOINPUT: the script cannot be read
    static let configuration: Int32 = 78 // EX_CONFIG
    static let interrupted: Int32 = 130 // 128 + SIGINT
}
