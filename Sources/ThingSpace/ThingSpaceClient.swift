#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// ThingSpace Software Management (FOTA) v1 client. Thread-safe; share one per run. Nothing
/// (no event loop, no connection) starts before the first request. Call `shutdown()` at the end
/// to log out and close connections.
public final class ThingSpaceClient: Sendable {
    public let configuration: ClientConfiguration
    let transport: HTTPTransport
    let tokens: TokenProvider
    let sessions: SessionProvider
    let redactor: SecretRedactor
    let logger: Logger

    static let fotaBase = "/api/fota/v1"

    public init(configuration: ClientConfiguration, logger: Logger = Logger(label: "fota.thingspace")) {
        self.configuration = configuration
        self.logger = logger
        redactor = SecretRedactor([configuration.credentials.clientSecret, configuration.credentials.password])
        redactor.addBasic(id: configuration.credentials.clientId, secret: configuration.credentials.clientSecret)
        transport = HTTPTransport(
            baseURL: configuration.endpoint, timeout: configuration.timeout, retry: configuration.retry,
            maxConnectionsPerHost: max(8, configuration.concurrency * 2), redactor: redactor, logger: logger,
            requestLogLevel: configuration.verbose ? .info : .debug, caFile: configuration.caFile)
        tokens = TokenProvider(transport: transport, credentials: configuration.credentials, redactor: redactor)
        sessions = SessionProvider(transport: transport, tokens: tokens, credentials: configuration.credentials, redactor: redactor)
    }

    /// True once a request has been made (and with it the HTTP client created).
    public var hasStarted: Bool { transport.hasStarted }

    private let early = Mutex<Task<Void, Never>?>(nil)

    /// Starts logging in (access token, then M2M session) in the background, so that a run's first
    /// call does not wait for the round trips while the script is still reading its input. Nothing is
    /// lost if it fails: a refused login is remembered and raised by the first call without a second
    /// attempt (refusals count towards ThingSpace's lockout); any other failure the first call retries.
    public func logInEarly() {
        early.withLock { task in
            guard task == nil else { return }
            task = Task { [sessions] in _ = try? await sessions.session() }
        }
    }

    /// Logs out of the M2M session (if one was opened) and closes connections. Later calls fail.
    public func shutdown() async {
        // A login still under way would open a session after the logout: let it end first.
        await early.withLock { $0 }?.value
        if transport.hasStarted {
            await sessions.logout(redactor: redactor)
        }
        await transport.shutdown()
    }

    // MARK: - Firmware and devices

    /// `GET /firmware/{account}`: firmware images available to the account.
    public func listFirmware(account: String) async throws -> [Firmware] {
        try Validators.account(account)
        let path = "\(Self.fotaBase)/firmware/\(account)"
        return try decodeList(Firmware.self, try await call(.GET, path), path: path, method: "GET")
    }

    /// `GET /devices/{account}/index/{startIndex}`: one page (≤1,000 devices) after the IMEI cursor.
    public func accountDevicesPage(account: String, startIndex: String = "0", clientType: String? = nil) async throws
        -> DeviceListPage
    {
        try Validators.account(account)
        try Self.validateCursor(startIndex)
        var path = "\(Self.fotaBase)/devices/\(account)/index/\(startIndex)"
        if let clientType {
            guard clientType == "OMADM" || clientType == "LWM2M" else {
                throw ThingSpaceError.validation(ValidationError(field: "clientType", value: clientType, reason: "must be OMADM or LWM2M"))
            }
            path += "?clientType=\(clientType)"
        }
        return try decode(DeviceListPage.self, try await call(.GET, path), path: path, method: "GET")
    }

    /// Every device of the account, fetched a page at a time as the sequence is iterated.
    public func accountDevices(account: String, clientType: String? = nil) throws -> Paginated<AccountDevice> {
        try Validators.account(account)
        return Paginated(listing: "device list") { [self] cursor in
            let page = try await accountDevicesPage(account: account, startIndex: cursor, clientType: clientType)
            return .init(items: page.deviceList, hasMore: page.hasMoreData, cursor: page.lastSeenDeviceId)
        }
    }

    // MARK: - Upgrades

    /// `POST /upgrades`. Not blindly retried: after an ambiguous failure (timeout, dropped
    /// connection, 5xx) the pending upgrades are read back to find out whether it was created;
    /// it is returned if found, sent again if surely absent, and otherwise
    /// `ThingSpaceError.scheduleOutcomeUnknown` is thrown.
    public func scheduleUpgrade(_ request: UpgradeRequest) async throws -> FirmwareUpgrade {
        let warnings = try Self.validate(request)
        for warning in warnings {
            logger.warning("device \(warning.deviceId) at position \(warning.position): \(warning.message)")
        }
        let path = "\(Self.fotaBase)/upgrades"
        let body = ByteBuffer(bytes: try JSONEncoder().encode(request))
        var attempt = 0
        while true {
            attempt += 1
            do {
                let response = try await call(.POST, path, body: body, safety: .notIdempotent)
                return try decode(FirmwareUpgrade.self, response, path: path, method: "POST")
            } catch let error as ThingSpaceError where Self.isAmbiguous(error) {
                logger.notice("scheduling failed ambiguously (\(error.description)); reading back pending upgrades")
                let existing: FirmwareUpgrade?
                do {
                    existing = try await findScheduled(request)
                } catch let readBackError {
                    throw ThingSpaceError.scheduleOutcomeUnknown(ScheduleOutcomeUnknown(
                        scheduleFailure: error.description, readBackFailure: describe(readBackError)))
                }
                if let existing {
                    logger.notice("the upgrade was created despite the failure: \(existing.id)")
                    return existing
                }
                guard attempt < configuration.retry.maxAttempts else {
                    logger.notice("read-back confirmed no upgrade was created; giving up after \(attempt) attempts")
                    throw error
                }
                try await Task.sleep(for: configuration.retry.backoff(retry: attempt))
            }
        }
    }

    /// Checks a schedule request without sending it; returns per-device warnings (Luhn).
    public static func validate(_ request: UpgradeRequest) throws(ThingSpaceError) -> [DeviceWarning] {
        try Validators.account(request.accountName, field: "accountName")
        if request.firmwareName.isEmpty {
            throw .validation(ValidationError(field: "firmwareName", value: "", reason: "must not be empty"))
        }
        if request.firmwareTo.isEmpty {
            throw .validation(ValidationError(field: "firmwareTo", value: "", reason: "must not be empty"))
        }
        try Validators.date(request.startDate, field: "startDate")
        if let endDate = request.endDate {
            try Validators.date(endDate, field: "endDate")
            if endDate < request.startDate {
                throw .validation(ValidationError(field: "endDate", value: endDate, reason: "is before startDate \(request.startDate)"))
            }
        }
        if request.deviceList.isEmpty {
            throw .validation(ValidationError(field: "deviceList", value: "", reason: "must list at least one device"))
        }
        let input = try PreparedDevices(request.deviceList)
        if let duplicate = input.duplicates.first {
            throw .validation(ValidationError(
                field: "deviceList", value: duplicate.deviceId, position: duplicate.position,
                reason: "listed twice (first at position \(duplicate.firstPosition))"))
        }
        return input.warnings
    }

    /// Only failures after which the request may have been received make scheduling ambiguous.
    static func isAmbiguous(_ error: ThingSpaceError) -> Bool {
        switch error {
        case .transport(let failure): return failure.kind != .connect
        case .api(let api): return api.httpStatus >= 500
        default: return false
        }
    }

    /// An upgrade in one of `statuses` (default RequestPending or Queued: what a request just sent
    /// can be) with the same firmware, target, start date and devices.
    public func findScheduled(
        _ request: UpgradeRequest, statuses: [UpgradeStatus] = [.requestPending, .queued]
    ) async throws -> FirmwareUpgrade? {
        let wanted = Set(request.deviceList)
        for status in statuses {
            for try await upgrade in try upgrades(account: request.accountName, status: status.rawValue) {
                if upgrade.firmwareName == request.firmwareName, upgrade.firmwareTo == request.firmwareTo,
                   upgrade.startDate == request.startDate, upgrade.deviceList.count == wanted.count,
                   Set(upgrade.deviceList.map(\.deviceId)) == wanted
                {
                    return upgrade
                }
            }
        }
        return nil
    }

    /// `GET /upgrades/{account}/upgrade/{upgradeId}`.
    public func upgrade(account: String, upgradeId: String) async throws -> FirmwareUpgrade {
        try Validators.account(account)
        try Validators.upgradeId(upgradeId)
        let path = "\(Self.fotaBase)/upgrades/\(account)/upgrade/\(upgradeId)"
        return try decode(FirmwareUpgrade.self, try await call(.GET, path), path: path, method: "GET")
    }

    /// `DELETE /upgrades/{account}/upgrade/{upgradeId}`; returns ThingSpace's `success` flag.
    public func cancelUpgrade(account: String, upgradeId: String) async throws -> Bool {
        try Validators.account(account)
        try Validators.upgradeId(upgradeId)
        let path = "\(Self.fotaBase)/upgrades/\(account)/upgrade/\(upgradeId)"
        return try decode(SuccessResult.self, try await call(.DELETE, path), path: path, method: "DELETE").success
    }

    // MARK: - Reports

    /// `GET /reports/{account}/status/{status}/index/{startIndex}`: one page.
    public func upgradesPage(account: String, status: String, startIndex: String = "0") async throws -> UpgradeListPage {
        try Validators.account(account)
        let status = try Validators.reportStatus(status)
        try Self.validateCursor(startIndex)
        let path = "\(Self.fotaBase)/reports/\(account)/status/\(status.rawValue)/index/\(startIndex)"
        return try decode(UpgradeListPage.self, try await call(.GET, path), path: path, method: "GET")
    }

    /// Every upgrade with `status` (one of the six documented states), oldest first, all pages.
    public func upgrades(account: String, status: String) throws -> Paginated<FirmwareUpgrade> {
        try Validators.account(account)
        _ = try Validators.reportStatus(status)
        return Paginated(listing: "upgrade report") { [self] cursor in
            let page = try await upgradesPage(account: account, status: status, startIndex: cursor)
            return .init(items: page.reportList, hasMore: page.hasMoreFlag, cursor: page.lastSeenUpgradeId)
        }
    }

    /// `GET /reports/{account}/devices/{deviceId}`: the device's upgrades of the last six months.
    public func deviceHistory(account: String, deviceId: String) async throws -> [DeviceUpgradeHistory] {
        try Validators.account(account)
        try Validators.imei(deviceId)
        let path = "\(Self.fotaBase)/reports/\(account)/devices/\(deviceId)"
        return try decodeList(DeviceUpgradeHistory.self, try await call(.GET, path), path: path, method: "GET")
    }

    // MARK: - Subscription and licences

    /// `GET /subscriptions/{account}`.
    public func subscription(account: String) async throws -> AccountSubscription {
        try Validators.account(account)
        let path = "\(Self.fotaBase)/subscriptions/\(account)"
        return try decode(AccountSubscription.self, try await call(.GET, path), path: path, method: "GET")
    }

    /// `GET /licenses/{account}/index/{startIndex}`: one page of licence status (MRC accounts).
    public func licenseStatus(account: String, startIndex: String = "0") async throws -> LicenseStatus {
        try Validators.account(account)
        try Self.validateCursor(startIndex)
        let path = "\(Self.fotaBase)/licenses/\(account)/index/\(startIndex)"
        return try decode(LicenseStatus.self, try await call(.GET, path), path: path, method: "GET")
    }

    // MARK: - Callbacks

    /// `GET /callbacks/{account}`; an empty body means none registered.
    public func callbacks(account: String) async throws -> [RegisteredCallback] {
        try Validators.account(account)
        let path = "\(Self.fotaBase)/callbacks/\(account)"
        return try decodeList(RegisteredCallback.self, try await call(.GET, path), path: path, method: "GET")
    }

    /// `POST /callbacks/{account}`: replaces any existing registration of the service.
    public func registerCallback(account: String, _ registration: CallbackRegistration) async throws -> CallbackRegistrationResult {
        try Validators.account(account)
        try Validators.callbackURL(registration.url)
        try Self.validateServiceName(registration.name)
        redactor.add(registration.password)
        // A URL may carry its own credentials (https://user:secret@host/…); they are secrets too.
        redactor.add(URLComponents(string: registration.url)?.password)
        let path = "\(Self.fotaBase)/callbacks/\(account)"
        let body = ByteBuffer(bytes: try JSONEncoder().encode(registration))
        // Registering replaces the previous registration, so sending it twice is harmless.
        return try decode(CallbackRegistrationResult.self, try await call(.POST, path, body: body, safety: .idempotent),
                          path: path, method: "POST")
    }

    /// `DELETE /callbacks/{account}/name/{service}`.
    public func deleteCallback(account: String, service: String = "Fota") async throws -> Bool {
        try Validators.account(account)
        try Self.validateServiceName(service)
        let path = "\(Self.fotaBase)/callbacks/\(account)/name/\(service)"
        return try decode(SuccessResult.self, try await call(.DELETE, path), path: path, method: "DELETE").success
    }

    // MARK: - Plumbing

    static func validateCursor(_ cursor: String) throws(ThingSpaceError) {
        guard !cursor.isEmpty, cursor.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw .validation(ValidationError(field: "startIndex", value: cursor, reason: "must be 0 or a number from the previous page"))
        }
    }

    static func validateServiceName(_ name: String) throws(ThingSpaceError) {
        guard !name.isEmpty, name.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }) else {
            throw .validation(ValidationError(field: "service", value: name, reason: "must be a service name such as Fota"))
        }
    }

    /// Sends an authenticated FOTA request; returns a 2xx answer or throws `ThingSpaceError`.
    /// A 401 fault 900901 (invalid token) or 900903 (expired token) fetches a new access token once and repeats; an error code ending in
    /// `SessionToken.Expired` logs in again once and repeats. Both rejections happen before the
    /// service acts, so repeating is safe even for scheduling.
    func call(_ method: HTTPMethod, _ path: String, body: ByteBuffer? = nil, safety: RepeatSafety = .idempotent) async throws
        -> TransportResponse
    {
        var refreshedToken = false
        var refreshedSession = false
        do {
            while true {
                let token = try await tokens.token()
                let session = try await sessions.session()
                var headers = HTTPHeaders()
                headers.add(name: "Authorization", value: "Bearer \(token)")
                headers.add(name: "VZ-M2M-Token", value: session)
                headers.add(name: "Accept", value: "application/json")
                if body != nil { headers.add(name: "Content-Type", value: "application/json") }
                let response = try await transport.send(
                    TransportRequest(method: method, path: path, headers: headers, body: body, safety: safety))
                if (200..<300).contains(response.status) { return response }
                let error = ErrorBody.error(for: response, method: method.rawValue, path: path, redactor: redactor)
                switch error {
                case .gatewayAuth(let fault) where fault.isTokenRejection && !refreshedToken:
                    refreshedToken = true
                    logger.debug("access token rejected (\(fault.code)); fetching a new one")
                    await tokens.invalidate(token)
                case .api(let api) where api.isSessionExpired && !refreshedSession:
                    refreshedSession = true
                    logger.debug("session expired; logging in again")
                    await sessions.invalidate(session)
                default:
                    throw error
                }
            }
        } catch {
            throw asThingSpaceError(error, method: method.rawValue, path: path)
        }
    }

    func asThingSpaceError(_ error: any Error, method: String, path: String) -> ThingSpaceError {
        if let error = error as? ThingSpaceError { return error }
        if error is CancellationError {
            return .transport(TransportFailure(kind: .other, method: method, path: path, attempts: 0, detail: "cancelled"))
        }
        return .transport(TransportFailure(kind: .other, method: method, path: path, attempts: 0, detail: describe(error)))
    }

    func describe(_ error: any Error) -> String {
        if let error = error as? ThingSpaceError { return error.description }
        return redactor.scrub(String(describing: error))
    }

    func decode<T: Decodable>(_ type: T.Type, _ response: TransportResponse, path: String, method: String) throws -> T {
        if let fast = T.self as? any FastJSONReadable.Type,
           let value = response.body.withUnsafeReadableBytes({ fast.read($0) }) as? T {
            return value
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(response.body.readableBytesView))
        } catch {
            throw ThingSpaceError.unexpectedResponse(UnexpectedResponse(
                method: method, path: path, httpStatus: response.status,
                detail: redactor.redact(String(describing: error), limit: 300)))
        }
    }

    /// Lists may come back as an empty body (nothing registered) or, per the SDK, as one object.
    func decodeList<T: Decodable>(_ type: T.Type, _ response: TransportResponse, path: String, method: String) throws -> [T] {
        let bytes = response.body.readableBytesView
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return [] }
        let data = Data(bytes)
        if let list = try? JSONDecoder().decode([T].self, from: data) { return list }
        if let single = try? JSONDecoder().decode(T.self, from: data) { return [single] }
        return try decode([T].self, response, path: path, method: method)
    }
}
