import Foundation
import Logging
import NIOCore
import NIOHTTP1
import TestSupport
import Testing
@testable import ThingSpace
import ThingSpaceSimulator

/// The client against the in-process simulator (its own server per test, port 0).
struct SimulatorHarness {
    let sim: Sim
    let client: ThingSpaceClient
    var server: SimulatorServer { sim.server }
    var account: String { sim.account }

    static func start(devices: Int = 2_500, password: String? = nil, configure: (inout SimulatorOptions) -> Void = { _ in })
        async throws -> SimulatorHarness
    {
        let server = try await SimulatorServer.start(Sim.options(devices: devices, configure))
        let credentials = server.credentials
        let configuration = ClientConfiguration(
            endpoint: credentials.endpoint, account: credentials.account,
            credentials: Credentials(clientId: credentials.clientId, clientSecret: credentials.clientSecret,
                                     username: credentials.username, password: password ?? credentials.password),
            // Generous: the whole test bundle runs at once on two cores; a lost answer is a closed connection, not a wait.
            timeout: .seconds(60), retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(5), maxDelay: .milliseconds(20)))
        return SimulatorHarness(sim: Sim(server: server), client: ThingSpaceClient(configuration: configuration))
    }

    func stop() async {
        await client.shutdown()
        await server.stop()
    }

    /// Calls the simulator's control API (`path` relative to /_sim/).
    @discardableResult
    func control(_ method: HTTPMethod, _ path: String, _ body: String? = nil) async throws -> [String: Any] {
        try await sim.http.object(method, "/_sim/" + path, json: body)
    }

    /// Requests the simulator saw, as "METHOD path" (query stripped), excluding the control API.
    func requests() async throws -> [String] {
        let log = try await control(.GET, "requests")
        let entries = log["entries"] as? [[String: Any]] ?? []
        return entries.compactMap { entry in
            guard let method = entry["method"] as? String, let path = entry["path"] as? String, !path.hasPrefix("/_sim") else { return nil }
            return "\(method) \(path.split(separator: "?").first.map(String.init) ?? path)"
        }
    }

    func count(_ request: String) async throws -> Int {
        try await requests().filter { $0 == request }.count
    }

    /// An upgrade of the account's first firmware image with one matching device.
    func schedule(startDate: String = "2026-12-01") async throws -> (FirmwareUpgrade, UpgradeRequest) {
        let firmware = try await client.listFirmware(account: account)
        let devices = try await client.accountDevicesPage(account: account).deviceList
        for image in firmware {
            guard let device = devices.first(where: { $0.model == image.model && $0.make == image.make }) else { continue }
            let request = UpgradeRequest(accountName: account, firmwareName: image.firmwareName, firmwareTo: image.toVersion ?? "",
                                         startDate: startDate, deviceList: [device.deviceId])
            return (try await client.scheduleUpgrade(request), request)
        }
        throw ThingSpaceError.validation(ValidationError(field: "firmware", value: "", reason: "no image matches a device"))
    }
}

/// Runs `body` against a fresh simulator and always stops it.
func withSimulator(devices: Int = 2_500, password: String? = nil, _ body: (SimulatorHarness) async throws -> Void) async throws {
    let sim = try await SimulatorHarness.start(devices: devices, password: password)
    do {
        try await body(sim)
    } catch {
        await sim.stop()
        throw error
    }
    await sim.stop()
}

@Suite struct SimulatorEndToEndTests {
    @Test func everyReadCallDecodesSimulatorAnswers() async throws {
        try await withSimulator { sim in
            let firmware = try await sim.client.listFirmware(account: sim.account)
            #expect(!firmware.isEmpty && firmware.allSatisfy { !$0.firmwareName.isEmpty })
            let devices = try await sim.client.accountDevices(account: sim.account).collect()
            #expect(devices.count == 2_500, "all three pages")
            #expect(Set(devices.map(\.deviceId)).count == 2_500 && devices.allSatisfy { $0.deviceId.count == 15 })
            #expect(try await sim.count("GET /api/fota/v1/devices/\(sim.account)/index/0") == 1)
            let subscription = try await sim.client.subscription(account: sim.account)
            #expect(subscription.purchaseType?.isEmpty == false)
            let licences = try await sim.client.licenseStatus(account: sim.account)
            #expect(licences.totalLicenses != nil)
            let history = try await sim.client.deviceHistory(account: sim.account, deviceId: devices[0].deviceId)
            #expect(history.allSatisfy { $0.deviceId == devices[0].deviceId })
        }
    }

    @Test func upgradeLifecycleScheduleDetailsAddRemoveListCancel() async throws {
        try await withSimulator { sim in
            let (upgrade, request) = try await sim.schedule()
            #expect(Validators.isUUID(upgrade.id))
            #expect(upgrade.status == .requestPending)
            let details = try await sim.client.upgrade(account: sim.account, upgradeId: upgrade.id)
            #expect(details.firmwareName == request.firmwareName && details.deviceList.map(\.deviceId) == request.deviceList)

            let extra = try await Array(sim.client.accountDevicesPage(account: sim.account, startIndex: "0").deviceList.suffix(250))
                .map(\.deviceId).filter { !request.deviceList.contains($0) }
            let added = try await sim.client.addDevices(account: sim.account, upgradeId: upgrade.id, devices: extra,
                                                        options: BulkOptions(batchSize: 100, concurrency: 3))
            #expect(added.count == extra.count && added.allSucceeded)
            #expect(added.map(\.deviceId) == extra)
            #expect(try await sim.count("PUT /api/fota/v1/upgrades/\(sim.account)/upgrade/\(upgrade.id)") == 3)

            let removed = try await sim.client.removeDevices(account: sim.account, upgradeId: upgrade.id, devices: Array(extra.prefix(10)))
            #expect(removed.allSucceeded && removed.first?.status == "RemoveDeviceSucceed")
            let again = try await sim.client.removeDevices(account: sim.account, upgradeId: upgrade.id, devices: Array(extra.prefix(1)))
            // Removing it again: not in the upgrade any more, so unchanged (D10), and still all fine.
            #expect(again.first?.kind == .unchanged && again.first?.reason == "Device not in upgrade" && again.allSucceeded)

            let pending = try await sim.client.upgrades(account: sim.account, status: "RequestPending").collect()
            #expect(pending.contains { $0.id == upgrade.id })

            #expect(try await sim.client.cancelUpgrade(account: sim.account, upgradeId: upgrade.id))
        }
    }

    @Test func callbackRegistrationListRegisterDelete() async throws {
        try await withSimulator(devices: 10) { sim in
            #expect(try await sim.client.callbacks(account: sim.account).isEmpty)
            let result = try await sim.client.registerCallback(
                account: sim.account, CallbackRegistration(url: "http://127.0.0.1:9/cb", username: "cb-user", password: "cb-pass"))
            #expect(result.serviceName == "Fota")
            let listed = try await sim.client.callbacks(account: sim.account)
            #expect(listed.map(\.url) == ["http://127.0.0.1:9/cb"] && listed.first?.name == "Fota")
            #expect(try await sim.client.deleteCallback(account: sim.account))
            #expect(try await sim.client.callbacks(account: sim.account).isEmpty)
        }
    }

    @Test func expiredAccessTokenIsRefetchedOnce() async throws {
        try await withSimulator(devices: 10) { sim in
            _ = try await sim.client.subscription(account: sim.account)
            try await sim.control(.POST, "auth/expire-token")
            _ = try await sim.client.subscription(account: sim.account)
            #expect(try await sim.count("POST /api/ts/v1/oauth2/token") == 2)
            #expect(try await sim.count("GET /api/fota/v1/subscriptions/\(sim.account)") == 3)
        }
    }

    @Test func expiredSessionLogsInAgainOnce() async throws {
        try await withSimulator(devices: 10) { sim in
            _ = try await sim.client.subscription(account: sim.account)
            try await sim.control(.POST, "auth/expire-session")
            _ = try await sim.client.subscription(account: sim.account)
            #expect(try await sim.count("POST /api/m2m/v1/session/login") == 2)
        }
    }

    @Test("a login started early and refused is the only attempt: the next call raises that refusal")
    func earlyLoginRefusedOnce() async throws {
        try await withSimulator(devices: 10, password: "not-the-password") { sim in
            sim.client.logInEarly()
            let error = await thingSpaceError { _ = try await sim.client.subscription(account: sim.account) }
            guard case .loginRejected = error else { Issue.record("got \(String(describing: error))"); return }
            let logins = try await sim.count("POST /api/m2m/v1/session/login")
            #expect(logins == 1)
        }
    }

    @Test("shutting down while an early login is under way waits for it and logs out: no session is left open")
    func earlyLoginThenShutdown() async throws {
        let sim = try await SimulatorHarness.start(devices: 10)
        sim.client.logInEarly()
        await sim.client.shutdown()
        #expect(try await sim.count("POST /api/m2m/v1/session/login") == 1)
        #expect(try await sim.count("POST /api/m2m/v1/session/logout") == 1)
        await sim.server.stop()
    }

    @Test func wrongPasswordIsOneLoginAttemptAndNoLockout() async throws {
        try await withSimulator(devices: 10, password: "not-the-password") { sim in
            let error = await thingSpaceError { _ = try await sim.client.subscription(account: sim.account) }
            guard case .loginRejected = error else { Issue.record("got \(String(describing: error))"); return }
            _ = await thingSpaceError { _ = try await sim.client.listFirmware(account: sim.account) }
            _ = try? await sim.client.addDevices(account: sim.account, upgradeId: Fixtures.upgradeId, devices: [Fixtures.imei(1)])
            #expect(try await sim.count("POST /api/m2m/v1/session/login") == 1)
            let state = try await sim.control(.GET, "state")
            #expect(state["userLocked"] as? Bool == false)
        }
    }

    @Test func injected503sAreRetriedForReads() async throws {
        try await withSimulator(devices: 10) { sim in
            _ = try await sim.client.subscription(account: sim.account)
            try await sim.control(.POST, "faults", #"{"method":"GET","pathPrefix":"/api/fota/v1/subscriptions","remaining":2,"status":503}"#)
            _ = try await sim.client.subscription(account: sim.account)
            #expect(try await sim.count("GET /api/fota/v1/subscriptions/\(sim.account)") == 4)
        }
    }

    @Test func droppedScheduleIsReadBackAndNotDuplicated() async throws {
        try await withSimulator { sim in
            try await sim.control(.POST, "faults", #"{"method":"POST","pathPrefix":"/api/fota/v1/upgrades","remaining":1,"drop":true}"#)
            let (upgrade, _) = try await sim.schedule()
            let pending = try await sim.client.upgrades(account: sim.account, status: "RequestPending").collect()
            #expect(pending.filter { $0.id == upgrade.id }.count == 1)
            #expect(pending.count == 1, "exactly one upgrade exists after the dropped attempt")
            #expect(try await sim.requests().contains { $0.hasPrefix("GET /api/fota/v1/reports/\(sim.account)/status/RequestPending/") })
        }
    }

    @Test func bulkBatchFailingAfterRetriesIsNotSentRestSucceeds() async throws {
        try await withSimulator { sim in
            let (upgrade, _) = try await sim.schedule()
            let path = "/api/fota/v1/upgrades/\(sim.account)/upgrade/\(upgrade.id)"
            // Three 500s: the first batch exhausts its 3 attempts; later batches are unaffected.
            try await sim.control(.POST, "faults", #"{"method":"PUT","pathPrefix":"\#(path)","remaining":3,"status":500}"#)
            let devices = (0..<40).map { Fixtures.imei(500_000 + $0) }
            let result = try await sim.client.addDevices(account: sim.account, upgradeId: upgrade.id, devices: devices,
                                                         options: BulkOptions(batchSize: 10, concurrency: 1))
            #expect(result.map(\.deviceId) == devices)
            #expect(result[0..<10].allSatisfy { $0.kind == .notSent })
            #expect(result[10..<40].allSatisfy { $0.kind == .succeeded })
            guard case .api(let api) = result[0].error else { Issue.record("got \(String(describing: result[0].error))"); return }
            #expect(api.httpStatus == 500)
        }
    }

    @Test func shutdownLogsOutOfTheSimulator() async throws {
        let sim = try await SimulatorHarness.start(devices: 10)
        _ = try await sim.client.subscription(account: sim.account)
        await sim.client.shutdown()
        #expect(try await sim.count("POST /api/m2m/v1/session/logout") == 1)
        await sim.server.stop()
    }
}
