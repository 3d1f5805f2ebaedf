import Foundation
import Testing
@testable import ThingSpace

/// A fresh config folder per test (tests run in parallel).
struct ConfigFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "fota-config-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String, mode: Int = 0o600) throws {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

@Suite struct ConfigurationTests {
    let fullProfile = """
        # comment
        [profile work]
        endpoint = https://staging.thingspace.verizon.com/
        account = 0242078689-00001
        client_id = file-id
        client_secret = file-secret
        username = file-user
        password = "file-pass"
        """

    func configurationError(_ body: () throws -> Void) -> ConfigurationError? {
        do {
            try body()
            Issue.record("expected a configuration error")
            return nil
        } catch let error as ThingSpaceError {
            if case .configuration(let bad) = error { return bad }
            Issue.record("got \(error)")
            return nil
        } catch {
            Issue.record("got \(error)")
            return nil
        }
    }

    @Test func profileFileSuppliesEverySetting() throws {
        let folder = try ConfigFolder()
        defer { folder.remove() }
        try folder.write("config", fullProfile)
        let configuration = try ClientConfiguration.resolve(flags: ConfigurationFlags(profile: "work"), environment: [:], configDirectory: folder.path)
        #expect(configuration.endpoint == "https://staging.thingspace.verizon.com")
        #expect(configuration.account == "0242078689-00001")
        #expect(configuration.credentials == Credentials(clientId: "file-id", clientSecret: "file-secret", username: "file-user", password: "file-pass"))
        #expect(configuration.profile == "work")
    }

    @Test func flagsBeatEnvironmentWhichBeatsProfile() throws {
        let folder = try ConfigFolder()
        defer { folder.remove() }
        try folder.write("config", fullProfile)
        let environment = ["FOTA_PROFILE": "work", "THINGSPACE_CLIENT_ID": "env-id", "THINGSPACE_USERNAME": "env-user",
                           "FOTA_ACCOUNT": "111-222", "FOTA_ENDPOINT": "http://127.0.0.1:9999"]
        let flags = ConfigurationFlags(endpoint: "http://localhost:8787", clientId: "flag-id")
        let configuration = try ClientConfiguration.resolve(flags: flags, environment: environment, configDirectory: folder.path)
        #expect(configuration.credentials.clientId == "flag-id")        // flag over env and file
        #expect(configuration.endpoint == "http://localhost:8787")      // flag over env and file
        #expect(configuration.credentials.username == "env-user")       // env over file
        #expect(configuration.account == "111-222")                     // env over file
        #expect(configuration.credentials.password == "file-pass")      // file when nothing else
        #expect(configuration.profile == "work")                        // FOTA_PROFILE selects it
    }

    @Test func profileFlagBeatsFotaProfileVariable() throws {
        let folder = try ConfigFolder()
        defer { folder.remove() }
        try folder.write("config", fullProfile + "\n[profile other]\nendpoint = http://other.example:1\n")
        let configuration = try ClientConfiguration.resolve(
            flags: ConfigurationFlags(profile: "other"), environment: ["FOTA_PROFILE": "work", "THINGSPACE_CLIENT_ID": "i",
                                                                       "THINGSPACE_CLIENT_SECRET": "s", "THINGSPACE_USERNAME": "u", "THINGSPACE_PASSWORD": "p"],
            configDirectory: folder.path)
        #expect(configuration.endpoint == "http://other.example:1")
    }

    @Test func environmentAloneIsEnoughWithDefaultEndpoint() throws {
        let environment = ["THINGSPACE_CLIENT_ID": "i", "THINGSPACE_CLIENT_SECRET": "s", "THINGSPACE_USERNAME": "u", "THINGSPACE_PASSWORD": "p"]
        let folder = try ConfigFolder()
        defer { folder.remove() }
        let configuration = try ClientConfiguration.resolve(flags: ConfigurationFlags(), environment: environment, configDirectory: folder.path)
        #expect(configuration.endpoint == "https://thingspace.verizon.com")
        #expect(configuration.account == nil && configuration.profile == nil)
    }

    @Test func credentialsFileHoldsSecretsAndWinsOverConfig() throws {
        let folder = try ConfigFolder()
        defer { folder.remove() }
        try folder.write("config", "[profile work]\naccount = 0242078689-00001\nclient_id = cfg-id\n", mode: 0o644)
        try folder.write("credentials", "[work]\nclient_id = cred-id\nclient_secret = s\nusername = u\npassword = p\n")
        let configuration = try ClientConfiguration.resolve(flags: ConfigurationFlags(profile: "work"), environment: [:], configDirectory: folder.path)
        #expect(configuration.credentials.clientId == "cred-id")
        #expect(configuration.account == "0242078689-00001")
    }

    @Test func defaultFolderFollowsXDGThenHome() {
        #expect(ClientConfiguration.defaultConfigDirectory(environment: ["XDG_CONFIG_HOME": "/x", "HOME": "/h"]) == "/x/fota")
        #expect(ClientConfiguration.defaultConfigDirectory(environment: ["HOME": "/h"]) == "/h/.config/fota")
    }

    @Test func configFolderDefaultsFromXDGWhenNotGiven() throws {
        let folder = try ConfigFolder()
        defer { folder.remove() }
        try FileManager.default.createDirectory(atPath: folder.path + "/fota", withIntermediateDirectories: true)
        try fullProfile.write(toFile: folder.path + "/fota/config", atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: folder.path + "/fota/config")
        let configuration = try ClientConfiguration.resolve(flags: ConfigurationFlags(profile: "work"), environment: ["XDG_CONFIG_HOME": folder.path])
        #expect(configuration.credentials.username == "file-user")
    }

    @Test func secretFileReadableByOthersIsRefused() throws {
        let folder = try ConfigFolder()
        defer { folder.remove() }
        try folder.write("config", fullProfile, mode: 0o644)
        let error = configurationError { _ = try ClientConfiguration.resolve(flags: ConfigurationFlags(profile: "work"), environment: [:], configDirectory: folder.path) }
        #expect(error?.file == folder.path + "/config" && error?.kind == .badFile)
        #expect(error?.message.contains("mode 0644") == true && error?.message.contains("0600") == true)
    }

    @Test func credentialsFileMustBe0600EvenWithoutSecretKeys() throws {
        let folder = try ConfigFolder()
        defer { folder.remove() }
        try folder.write("credentials", "[work]\nusername = u\n", mode: 0o640)
        let error = configurationError { _ = try ClientConfiguration.resolve(flags: ConfigurationFlags(), environment: [:], configDirectory: folder.path) }
        #expect(error?.file == folder.path + "/credentials")
    }

    @Test func configWithoutSecretsMayBeWorldReadable() throws {
        let folder = try ConfigFolder()
        defer { folder.remove() }
        try folder.write("config", "[default]\nendpoint = http://127.0.0.1:8787\n", mode: 0o644)
        let configuration = try ClientConfiguration.resolve(
            flags: ConfigurationFlags(clientId: "i", clientSecret: "s", username: "u", password: "p"), environment: [:], configDirectory: folder.path)
        #expect(configuration.endpoint == "http://127.0.0.1:8787" && configuration.profile == "default")
    }

    @Test func unknownProfileNamesFileAndKnownProfiles() throws {
        let folder = try ConfigFolder()
        defer { folder.remove() }
        try folder.write("config", fullProfile)
        let error = configurationError { _ = try ClientConfiguration.resolve(flags: ConfigurationFlags(profile: "prod"), environment: [:], configDirectory: folder.path) }
        #expect(error?.message.contains("unknown profile \"prod\"") == true && error?.kind == .unknownProfile)
        #expect(error?.message.contains("work") == true)
        #expect(error?.file == folder.path + "/config")
    }

    @Test func malformedLineNamesFileAndLine() throws {
        let folder = try ConfigFolder()
        defer { folder.remove() }
        try folder.write("config", "[profile work]\nendpoint = http://x\nthis is not a setting\n")
        let error = configurationError { _ = try ClientConfiguration.resolve(flags: ConfigurationFlags(profile: "work"), environment: [:], configDirectory: folder.path) }
        #expect(error?.file == folder.path + "/config" && error?.line == 3 && error?.kind == .badFile)
        #expect(ThingSpaceError.configuration(error!).description.hasPrefix(folder.path + "/config:3: "))
    }

    @Test func unknownKeyNamesFileAndLine() throws {
        let folder = try ConfigFolder()
        defer { folder.remove() }
        try folder.write("config", "[profile work]\n\nclient_secert = typo\n")
        let error = configurationError { _ = try ClientConfiguration.resolve(flags: ConfigurationFlags(profile: "work"), environment: [:], configDirectory: folder.path) }
        #expect(error?.line == 3 && error?.message.contains("client_secert") == true)
    }

    @Test func sectionWithoutProfileKeywordIsMalformedInConfig() throws {
        let folder = try ConfigFolder()
        defer { folder.remove() }
        try folder.write("config", "[work]\nendpoint = http://x\n")
        let error = configurationError { _ = try ClientConfiguration.resolve(flags: ConfigurationFlags(), environment: [:], configDirectory: folder.path) }
        #expect(error?.line == 1 && error?.message.contains("[profile work]") == true)
    }

    @Test func missingKeyNamesProfileSectionAndVariables() throws {
        let folder = try ConfigFolder()
        defer { folder.remove() }
        try folder.write("config", "# settings\n[profile work]\nclient_id = i\nusername = u\n")
        let error = configurationError { _ = try ClientConfiguration.resolve(flags: ConfigurationFlags(profile: "work"), environment: [:], configDirectory: folder.path) }
        #expect(error?.file == folder.path + "/config" && error?.line == 2)
        #expect(error?.kind == .missingCredentials)
        #expect(error?.message.contains("client_secret, password") == true)
        #expect(error?.message.contains("THINGSPACE_CLIENT_SECRET") == true && error?.message.contains("THINGSPACE_PASSWORD") == true)
    }

    @Test func badEndpointURLNamesFileAndLine() throws {
        let folder = try ConfigFolder()
        defer { folder.remove() }
        try folder.write("config", "[profile work]\nendpoint = ftp://thingspace\nclient_id = i\n")
        let error = configurationError { _ = try ClientConfiguration.resolve(flags: ConfigurationFlags(profile: "work"), environment: [:], configDirectory: folder.path) }
        #expect(error?.line == 2 && error?.message.contains("ftp://thingspace") == true && error?.kind == .badValue)
    }

    @Test("only named profiles and none chosen: the error lists them and says how to choose one, quoting no secret")
    func onlyNamedProfilesListsThem() throws {
        let folder = try ConfigFolder()
        defer { folder.remove() }
        try folder.write("credentials", "[prod]\nclient_id = i\nclient_secret = s3cret-1\nusername = u\npassword = s3cret-2\n[staging]\nclient_id = j\n")
        try folder.write("config", "[profile lab]\nendpoint = http://127.0.0.1:8787\n", mode: 0o644)
        let error = configurationError { _ = try ClientConfiguration.resolve(flags: ConfigurationFlags(), environment: [:], configDirectory: folder.path) }
        #expect(error?.kind == .noDefaultProfile)
        #expect(error?.message.contains("no profile \"default\"") == true)
        #expect(error?.message.contains("lab, prod, staging") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("--profile NAME or FOTA_PROFILE=NAME") == true)
        #expect(error?.message.contains("s3cret") == false)
        // Choosing one works; and with every credential in the environment no profile is needed.
        let chosen = try ClientConfiguration.resolve(flags: ConfigurationFlags(profile: "prod"), environment: [:], configDirectory: folder.path)
        #expect(chosen.profile == "prod")
        let environment = ["THINGSPACE_CLIENT_ID": "e", "THINGSPACE_CLIENT_SECRET": "e", "THINGSPACE_USERNAME": "e", "THINGSPACE_PASSWORD": "e"]
        #expect(try ClientConfiguration.resolve(flags: ConfigurationFlags(), environment: environment, configDirectory: folder.path).profile == nil)
    }

    @Test func noCredentialsAnywhereIsMissingCredentials() throws {
        let error = configurationError {
            _ = try ClientConfiguration.resolve(flags: ConfigurationFlags(), environment: [:], configDirectory: "/nonexistent")
        }
        #expect(error?.kind == .missingCredentials)
        #expect(error?.message.contains("client_id, client_secret, username, password") == true)
    }

    @Test func badEndpointFromEnvironmentNamesTheVariable() throws {
        let error = configurationError { _ = try ClientConfiguration.resolve(flags: ConfigurationFlags(), environment: ["FOTA_ENDPOINT": "thingspace.verizon.com"], configDirectory: "/nonexistent") }
        #expect(error?.message.contains("FOTA_ENDPOINT") == true)
    }

    @Test func badValueGivenByTheCallerIsNamedAsTheCallerSays() throws {
        let unnamed = configurationError {
            _ = try ClientConfiguration.resolve(flags: ConfigurationFlags(account: "abc"), environment: [:], configDirectory: "/nonexistent")
        }
        #expect(unnamed?.message == "bad account \"abc\" from the given account: must contain only digits and hyphens")
        let named = configurationError {
            _ = try ClientConfiguration.resolve(
                flags: ConfigurationFlags(endpoint: "ftp://x", names: [.endpoint: "the ENDPOINT option"]), environment: [:],
                configDirectory: "/nonexistent")
        }
        #expect(named?.kind == .badValue)
        #expect(named?.message.hasPrefix("bad endpoint URL \"ftp://x\" from the ENDPOINT option: ") == true)
    }

    @Test func endpointNormalisation() {
        #expect(ClientConfiguration.normalizeEndpoint("https://thingspace.verizon.com/") == "https://thingspace.verizon.com")
        #expect(ClientConfiguration.normalizeEndpoint("http://127.0.0.1:8787") == "http://127.0.0.1:8787")
        #expect(ClientConfiguration.normalizeEndpoint("http://host:99999") == nil)
        #expect(ClientConfiguration.normalizeEndpoint("https://") == nil)
        #expect(ClientConfiguration.normalizeEndpoint("https://h/?q=1") == nil)
        #expect(ClientConfiguration.normalizeEndpoint("https://user:pw@h") == nil)
    }

    @Test func descriptionOfConfigurationHidesSecrets() throws {
        let configuration = ClientConfiguration(credentials: Credentials(clientId: "id", clientSecret: "TOPSECRET", username: "u", password: "PASSWORD123"))
        for text in [configuration.description, String(describing: configuration), String(reflecting: configuration.credentials),
                     "\(configuration.credentials)"] {
            #expect(!text.contains("TOPSECRET") && !text.contains("PASSWORD123"), "\(text)")
        }
    }
}
