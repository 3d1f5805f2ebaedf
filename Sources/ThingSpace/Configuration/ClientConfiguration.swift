#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOSSL
/// Values given on the command line; nil means "not given".
public struct ConfigurationFlags: Sendable, Equatable {
    public var profile: String?
    public var endpoint: String?
    public var account: String?
    public var clientId: String?
    public var clientSecret: String?
    public var username: String?
    public var password: String?
    /// PEM file of certificate authorities to trust for https (e.g. a corporate proxy's).
    public var caFile: String?
    /// What messages call each of these values, e.g. `--endpoint`: the layer that owns the flags
    /// names them. A value without a name is "the given endpoint" and so on.
    public var names: [Setting: String]

    /// The values above that messages may name.
    public enum Setting: String, Sendable, Hashable {
        case endpoint, account, caFile = "CA file", clientId = "client id", clientSecret = "client secret", username, password
    }

    public init(profile: String? = nil, endpoint: String? = nil, account: String? = nil, clientId: String? = nil,
                clientSecret: String? = nil, username: String? = nil, password: String? = nil, caFile: String? = nil,
                names: [Setting: String] = [:]) {
        self.names = names
        self.caFile = caFile
        self.profile = profile
        self.endpoint = endpoint
        self.account = account
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.username = username
        self.password = password
    }
}

/// Everything a `ThingSpaceClient` needs. Build one directly (tests, simulator) or with
/// `resolve(flags:environment:configDirectory:)` (the CLI).
public struct ClientConfiguration: Sendable, CustomStringConvertible {
    public static let defaultEndpoint = "https://thingspace.verizon.com"

    /// Base URL under which `/api/ts/v1`, `/api/m2m/v1` and `/api/fota/v1` live, without trailing slash.
    public var endpoint: String
    /// Default account name, if configured.
    public var account: String?
    public var credentials: Credentials
    /// Selected profile, when one was found.
    public var profile: String?
    /// Per-request timeout (whole request, including reading the answer).
    public var timeout: Duration
    public var retry: RetryPolicy
    /// Devices per add/remove request.
    public var batchSize: Int
    /// Add/remove requests in flight at once.
    public var concurrency: Int
    /// Log every request at `.info` instead of `.debug`.
    public var verbose: Bool
    /// PEM file of certificate authorities trusted for https instead of the system's; nil = the system's.
    public var caFile: String?

    public init(endpoint: String = ClientConfiguration.defaultEndpoint, account: String? = nil, credentials: Credentials,
                profile: String? = nil, timeout: Duration = .seconds(30), retry: RetryPolicy = RetryPolicy(),
                batchSize: Int = 1000, concurrency: Int = 4, verbose: Bool = false, caFile: String? = nil) {
        self.caFile = caFile
        var base = endpoint
        while base.hasSuffix("/") { base.removeLast() }
        self.endpoint = base
        self.account = account
        self.credentials = credentials
        self.profile = profile
        self.timeout = timeout
        self.retry = retry
        self.batchSize = max(1, batchSize)
        self.concurrency = max(1, concurrency)
        self.verbose = verbose
    }

    public var description: String {
        "ClientConfiguration(endpoint: \(endpoint), account: \(account ?? "-"), profile: \(profile ?? "-"), \(credentials))"
    }

    /// `$XDG_CONFIG_HOME/fota`, or `~/.config/fota`.
    public static func defaultConfigDirectory(environment: [String: String]) -> String? {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            return xdg + "/fota"
        }
        if let home = environment["HOME"], !home.isEmpty {
            return home + "/.config/fota"
        }
        return nil
    }

    /// Resolves the configuration the way the aws CLI does: flags over environment over the
    /// selected profile (credentials file over config file). The profile is `flags.profile`, else
    /// `FOTA_PROFILE`, else `default`. Pure apart from reading the two files.
    ///
    /// - Parameter configDirectory: folder holding `config` and `credentials`; nil = `defaultConfigDirectory`.
    public static func resolve(flags: ConfigurationFlags, environment: [String: String],
                               configDirectory: String? = nil) throws(ThingSpaceError) -> ClientConfiguration {
        let directory = configDirectory ?? defaultConfigDirectory(environment: environment)
        var files: [ProfileFile] = []
        if let directory {
            // The credentials file first: it wins over config for the same key.
            if let file = try ProfileFile.load(path: directory + "/credentials", kind: .credentials) { files.append(file) }
            if let file = try ProfileFile.load(path: directory + "/config", kind: .config) { files.append(file) }
        }

        let explicitProfile = nonEmpty(flags.profile) ?? nonEmpty(environment["FOTA_PROFILE"])
        let profileName = explicitProfile ?? "default"
        let found = files.contains { $0.sections[profileName] != nil }
        if !found, let explicitProfile {
            let known = Set(files.flatMap { $0.sections.keys }).sorted()
            let where_ = files.isEmpty ? "no config file in \(directory ?? "(no config folder)")" :
                files.map(\.path).joined(separator: " or ")
            throw .configuration(ConfigurationError(
                .unknownProfile, file: files.first?.path ?? directory.map { $0 + "/config" },
                message: "unknown profile \"\(explicitProfile)\" (\(where_); known profiles: \(known.isEmpty ? "none" : known.joined(separator: ", ")))"))
        }

        /// A value and a description of where it came from, for error messages.
        struct Sourced { var value: String; var file: String?; var line: Int?; var origin: String }

        func lookup(_ key: String, flag: String?, setting: ConfigurationFlags.Setting, env: String) -> Sourced? {
            if let value = nonEmpty(flag) {
                return Sourced(value: value, file: nil, line: nil, origin: flags.names[setting] ?? "the given \(setting.rawValue)")
            }
            if let value = nonEmpty(environment[env]) { return Sourced(value: value, file: nil, line: nil, origin: env) }
            for file in files {
                if let entry = file.sections[profileName]?.entries[key] {
                    return Sourced(value: entry.value, file: file.path, line: entry.line, origin: "\(file.path):\(entry.line)")
                }
            }
            return nil
        }

        var endpoint = ClientConfiguration.defaultEndpoint
        if let given = lookup("endpoint", flag: flags.endpoint, setting: .endpoint, env: "FOTA_ENDPOINT") {
            guard let normalized = normalizeEndpoint(given.value) else {
                throw .configuration(ConfigurationError(
                    .badValue, file: given.file, line: given.line,
                    message: "bad endpoint URL \"\(given.value)\"\(given.file == nil ? " from \(given.origin)" : ""): expected http:// or https:// followed by a host, e.g. https://thingspace.verizon.com"))
            }
            endpoint = normalized
        }

        var account: String?
        if let given = lookup("account", flag: flags.account, setting: .account, env: "FOTA_ACCOUNT") {
            do {
                try Validators.account(given.value)
            } catch {
                throw .configuration(ConfigurationError(
                    .badValue, file: given.file, line: given.line,
                    message: "bad account \"\(given.value)\"\(given.file == nil ? " from \(given.origin)" : ""): must contain only digits and hyphens"))
            }
            account = given.value
        }

        var caFile: String?
        if let given = lookup("ca_file", flag: flags.caFile, setting: .caFile, env: "FOTA_CA_FILE") {
            guard access(given.value, R_OK) == 0 else {
                throw .configuration(ConfigurationError(
                    .badValue, file: given.file, line: given.line,
                    message: "CA file \"\(given.value)\"\(given.file == nil ? " from \(given.origin)" : "") cannot be read"))
            }
            // Checked here so a wrong file is named in a plain sentence, not in
            // a TLS library error at the first request.
            guard (try? NIOSSLCertificate.fromPEMFile(given.value))?.isEmpty == false else {
                throw .configuration(ConfigurationError(
                    .badValue, file: given.file, line: given.line,
                    message: "CA file \"\(given.value)\"\(given.file == nil ? " from \(given.origin)" : "") is not a PEM certificate file"))
            }
            caFile = given.value
        }

        let required: [(key: String, flag: String?, setting: ConfigurationFlags.Setting, env: String)] = [
            ("client_id", flags.clientId, .clientId, "THINGSPACE_CLIENT_ID"),
            ("client_secret", flags.clientSecret, .clientSecret, "THINGSPACE_CLIENT_SECRET"),
            ("username", flags.username, .username, "THINGSPACE_USERNAME"),
            ("password", flags.password, .password, "THINGSPACE_PASSWORD"),
        ]
        var values: [String: String] = [:]
        var missing: [(key: String, env: String)] = []
        for item in required {
            if let found = lookup(item.key, flag: item.flag, setting: item.setting, env: item.env) {
                values[item.key] = found.value
            } else {
                missing.append((item.key, item.env))
            }
        }
        let namedProfiles = Set(files.flatMap { $0.sections.keys }).filter(ProfileFile.looksLikeName).sorted()
        if !missing.isEmpty, !found, explicitProfile == nil, !namedProfiles.isEmpty {
            throw .configuration(ConfigurationError(
                .noDefaultProfile, file: files.first?.path,
                message: "no profile \"default\" (profiles in \(files.map(\.path).joined(separator: " and ")): "
                    + "\(namedProfiles.joined(separator: ", "))); choose one with --profile NAME or FOTA_PROFILE=NAME, "
                    + "or add a [default] section"))
        }
        if !missing.isEmpty {
            let names = missing.map(\.key).joined(separator: ", ")
            let envs = missing.map(\.env).joined(separator: ", ")
            let section = files.lazy.compactMap { file in file.sections[profileName].map { (file.path, $0.line) } }.first
            let place = section.map { "profile \"\(profileName)\" (section at line \($0.1))" }
                ?? "profile \"\(profileName)\" in \(directory.map { $0 + "/credentials or " + $0 + "/config" } ?? "a config file")"
            throw .configuration(ConfigurationError(
                .missingCredentials, file: section?.0, line: section?.1,
                message: "missing \(names): add to \(place), or set \(envs)"))
        }
        let credentials = Credentials(clientId: values["client_id"]!, clientSecret: values["client_secret"]!,
                                      username: values["username"]!, password: values["password"]!)
        return ClientConfiguration(endpoint: endpoint, account: account, credentials: credentials,
                                   profile: found ? profileName : nil, caFile: caFile)
    }

    /// `scheme://host[:port][/path]` with scheme http or https, no query or fragment; trailing `/` dropped.
    static func normalizeEndpoint(_ text: String) -> String? {
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") { rest = text.dropFirst(8) }
        else if lower.hasPrefix("http://") { rest = text.dropFirst(7) }
        else { return nil }
        guard !text.contains(where: { $0 == "?" || $0 == "#" || $0 == " " || $0 == "\t" || $0 == "@" }) else { return nil }
        let authority = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        var host = Substring(authority)
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            let port = authority[authority.index(after: colon)...]
            guard let number = Int(port), (1...65535).contains(number) else { return nil }
            host = authority[..<colon]
        }
        guard !host.isEmpty,
              host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "[" || $0 == "]" || $0 == ":" })
        else { return nil }
        var normalized = text
        while normalized.hasSuffix("/") { normalized.removeLast() }
        return normalized
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
