import FotaLua
import ThingSpace

extension FotaHints {
    /// The command line's flags and variables, named in the refusals of the `fota` module.
    static let commandLine = FotaHints(
        credentials: "use --simulate, --profile, or THINGSPACE_CLIENT_ID/THINGSPACE_CLIENT_SECRET/THINGSPACE_USERNAME/THINGSPACE_PASSWORD",
        account: "run with --account or FOTA_ACCOUNT",
        readOnly: "--read-only",
        inputFolder: "--in", outputFolder: "--out",
        readFile: "name it on the command line as @NAME or put it under a folder given with --in",
        writeFiles: "run with --out DIR to let it write reports there")
}

extension ConfigurationFlags {
    /// The command line's flag for each value it gives, named in configuration errors.
    static let commandLineNames: [Setting: String] = [.endpoint: "--endpoint", .account: "--account", .caFile: "--ca-file"]
}
