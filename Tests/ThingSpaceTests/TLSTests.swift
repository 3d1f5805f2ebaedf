import Foundation
import NIOSSL
import Testing
import TestSupport
@testable import ThingSpace

/// https with certificate checking: a stub serving TLS with a certificate made for the test,
/// trusted only through `caFile`.
@Suite("https")
struct TLSTests {
    /// A self-signed certificate for 127.0.0.1 and its key, written by the openssl command.
    struct TestCertificate {
        let folder: String
        var certificate: String { folder + "/cert.pem" }
        var key: String { folder + "/key.pem" }

        init() throws {
            folder = NSTemporaryDirectory() + "fota-tls-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let openssl = try Subprocess("/usr/bin/env", [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", folder + "/key.pem", "-out", folder + "/cert.pem",
            ]).wait()
            guard openssl.status == 0 && !openssl.signalled else { throw TLSTestFailure("openssl could not make a test certificate") }
        }

        func serverConfiguration() throws -> TLSConfiguration {
            TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        }
    }

    struct TLSTestFailure: Error { var message: String; init(_ message: String) { self.message = message } }

    @Test("with the server's authority in caFile, calls work over https")
    func trustedAuthority() async throws {
        let certificate = try TestCertificate()
        let server = try await StubServer.start(tls: try certificate.serverConfiguration()) { request in
            request.path.hasPrefix("/api/fota/v1/firmware/") ? .ok(#"[{"firmwareName":"FW_1","toVersion":"2"}]"#) : nil
        }
        var configuration = server.configuration()
        configuration.caFile = certificate.certificate
        let client = ThingSpaceClient(configuration: configuration)
        let firmware = try await client.listFirmware(account: StubServer.account)
        #expect(firmware.map(\.firmwareName) == ["FW_1"])
        #expect(server.endpoint.hasPrefix("https://"))
        await client.shutdown()
        await server.stop()
    }

    @Test("without it, the certificate is refused and no credential is sent")
    func untrustedCertificate() async throws {
        let certificate = try TestCertificate()
        let server = try await StubServer.start(tls: try certificate.serverConfiguration())
        var configuration = server.configuration(retry: RetryPolicy(maxAttempts: 1))
        configuration.caFile = nil
        let client = ThingSpaceClient(configuration: configuration)
        let error = await thingSpaceError { _ = try await client.listFirmware(account: StubServer.account) }
        guard case .transport? = error else {
            Issue.record("expected a transport failure, got \(String(describing: error))")
            return
        }
        #expect(await server.count("POST", "/api/ts/v1/oauth2/token") == 0)
        await client.shutdown()
        await server.stop()
    }

    @Test("a ca_file that cannot be read is a configuration error naming it")
    func unreadableCAFile() throws {
        let environment = [
            "THINGSPACE_CLIENT_ID": "id", "THINGSPACE_CLIENT_SECRET": "s", "THINGSPACE_USERNAME": "u",
            "THINGSPACE_PASSWORD": "p", "FOTA_CA_FILE": "/nonexistent/ca.pem",
        ]
        do {
            _ = try ClientConfiguration.resolve(flags: ConfigurationFlags(), environment: environment, configDirectory: "/nonexistent")
            Issue.record("resolution must fail")
        } catch {
            #expect("\(error)".contains("/nonexistent/ca.pem"))
            #expect("\(error)".contains("FOTA_CA_FILE"))
        }
    }
}
