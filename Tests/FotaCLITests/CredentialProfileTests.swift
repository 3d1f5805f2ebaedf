import Foundation
import Testing

@Suite("credentials with only named profiles")
struct CredentialProfileTests {
    /// A config folder whose credentials file holds two named profiles and no default,
    /// and an environment that names no credential or profile.
    static func namedProfilesOnly() throws -> (folder: TempFolder, environment: [String: String?]) {
        let folder = try TempFolder()
        let credentials = try folder.write("config/fota/credentials", """
            [prod]
            client_id = id-1
            client_secret = s3cret-client
            username = user
            password = s3cret-password
            [staging]
            client_id = id-2
            """)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: credentials)
        try folder.write("plain.lua", "print(fota.mode, fota.time.format(0))")
        try folder.write("api.lua", "fota.firmware()")
        var environment: [String: String?] = ["XDG_CONFIG_HOME": folder.path + "/config", "HOME": "/nonexistent"]
        for name in ["THINGSPACE_CLIENT_ID", "THINGSPACE_CLIENT_SECRET", "THINGSPACE_USERNAME", "THINGSPACE_PASSWORD",
                     "FOTA_PROFILE", "FOTA_ENDPOINT", "FOTA_ACCOUNT"] { environment[name] = .some(nil) }
        return (folder, environment)
    }

    @Test("a script that never calls the API runs; one that does is told which profiles exist and how to choose one")
    func scriptRunsUntilItNeedsCredentials() throws {
        let (folder, environment) = try Self.namedProfilesOnly()
        let plain = try fota(["run", "plain.lua"], in: folder.path, environment: environment)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdout == "live\t1970-01-01T00:00:00Z\n")
        let api = try fota(["run", "api.lua"], in: folder.path, environment: environment)
        #expect(api.status == 1)
        #expect(api.stderr.contains("api.lua:1: fota.firmware: NO_CREDENTIALS"), "\(api.stderr)")
        #expect(api.stderr.contains("no profile \"default\""))
        #expect(api.stderr.contains("prod, staging"))
        #expect(api.stderr.contains("--profile NAME or FOTA_PROFILE=NAME"))
        #expect(!api.stderr.contains("s3cret"))
    }
}

extension CredentialProfileTests {
    @Test("a one-shot command without a default profile is told which profiles exist and how to choose one, like a script")
    func oneShotCommandNamesProfiles() throws {
        let (folder, environment) = try Self.namedProfilesOnly()
        for command in [["firmware"], ["upgrades"], ["devices"]] {
            let result = try fota(command, in: folder.path, environment: environment)
            #expect(result.status == 78, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("no profile \"default\""), "\(command): \(result.stderr)")
            #expect(result.stderr.contains("prod, staging"), "\(command): \(result.stderr)")
            #expect(result.stderr.contains("--profile NAME or FOTA_PROFILE=NAME"), "\(command): \(result.stderr)")
            #expect(!result.stderr.contains("s3cret"))
        }
    }
}
