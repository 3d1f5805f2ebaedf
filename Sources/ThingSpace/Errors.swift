/// Every failure the client reports. Callers branch on the case; `description` is a
/// human-readable sentence that never contains a secret.
public enum ThingSpaceError: Error, Sendable, CustomStringConvertible {
    /// The service answered with an error body (`{errorCode, errorMessage}`, or an OAuth error).
    case api(APIError)
    /// The API gateway refused the access token (`{"fault": {...}}`, e.g. 401 `900901`), even after
    /// fetching a fresh token once.
    case gatewayAuth(GatewayFault)
    /// The request never produced an HTTP answer (connect error, dropped connection, timeout),
    /// after the retries the retry policy allows.
    case transport(TransportFailure)
    /// A value was rejected before anything was sent.
    case validation(ValidationError)
    /// ThingSpace refused the credentials. Never retried automatically (ThingSpace locks the
    /// account after 5 failed logins).
    case loginRejected(LoginRejected)
    /// The configuration (files, environment, flags) is unusable.
    case configuration(ConfigurationError)
    /// A 200 answer whose body could not be understood.
    case unexpectedResponse(UnexpectedResponse)
    /// Scheduling failed ambiguously and the read-back could not tell whether the upgrade was created.
    case scheduleOutcomeUnknown(ScheduleOutcomeUnknown)

    public var description: String {
        switch self {
        case .api(let e): return e.description
        case .gatewayAuth(let e): return e.description
        case .transport(let e): return e.description
        case .validation(let e): return e.description
        case .loginRejected(let e): return e.description
        case .configuration(let e): return e.description
        case .unexpectedResponse(let e): return e.description
        case .scheduleOutcomeUnknown(let e): return e.description
        }
    }

    /// ThingSpace answered the request as a whole with a refusal (a 4xx other than throttling):
    /// e.g. an unknown upgrade, or one that has started. Every batch of the call would get it.
    public var isWholeCallRefusal: Bool {
        guard case .api(let api) = self else { return false }
        return (400..<500).contains(api.httpStatus) && api.httpStatus != 429 && api.httpStatus != 408
    }

    /// True for failures that will fail the same way for every later request of this client
    /// (bad credentials), so bulk operations stop sending instead of repeating them. Only
    /// credential faults qualify: a throttled or failed batch is reported per device and the
    /// other batches go on.
    var isFatalForClient: Bool {
        switch self {
        case .loginRejected: return true
        // Throttling (900800) and other gateway faults concern one request, not the credentials.
        case .gatewayAuth(let fault): return fault.isCredentialFault
        default: return false
        }
    }
}

/// An error answer from ThingSpace.
public struct APIError: Sendable, Equatable, CustomStringConvertible {
    public var httpStatus: Int
    /// `errorCode` (or OAuth `error`); nil when the body had none.
    public var errorCode: String?
    /// `errorMessage` (or OAuth `error_description`), or a short excerpt of an unstructured body.
    public var errorMessage: String?
    public var method: String
    public var path: String

    public init(httpStatus: Int, errorCode: String?, errorMessage: String?, method: String, path: String) {
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.method = method
        self.path = path
    }

    /// ThingSpace prefixes codes with a service name; the suffix is the stable part.
    public var isSessionExpired: Bool { errorCode?.hasSuffix("SessionToken.Expired") ?? false }

    public var description: String {
        var text = "ThingSpace answered \(method) \(path) with HTTP \(httpStatus)"
        if let errorCode { text += " \(errorCode)" }
        if let errorMessage, !errorMessage.isEmpty { text += ": \(errorMessage)" }
        return text
    }
}

/// A fault from the API gateway (WSO2), which answers before the FOTA service sees the request.
public struct GatewayFault: Sendable, Equatable, CustomStringConvertible {
    public var httpStatus: Int
    /// e.g. `900901` (invalid or expired access token), `900902` (missing credentials).
    public var code: String
    public var message: String?
    public var method: String
    public var path: String

    public init(httpStatus: Int, code: String, message: String?, method: String, path: String) {
        self.httpStatus = httpStatus
        self.code = code
        self.message = message
        self.method = method
        self.path = path
    }

    /// The gateway refused the access token itself: 900901 (invalid credentials, e.g. a revoked
    /// token) or 900903 (access token expired). A fresh token may succeed.
    public var isTokenRejection: Bool { code == "900901" || code == "900903" }

    /// The credentials themselves are refused (every later request would fail the same way), as
    /// opposed to throttling (900800, 900802) or a missing resource.
    public var isCredentialFault: Bool { ["900900", "900901", "900902", "900903", "900904", "900905"].contains(code) || httpStatus == 401 }

    public var description: String {
        var text = "ThingSpace API gateway refused \(method) \(path): HTTP \(httpStatus) fault \(code)"
        if let message, !message.isEmpty { text += " \(message)" }
        if isTokenRejection { text += " (the access token was rejected again after fetching a new one)" }
        return text
    }
}

/// No HTTP answer was obtained.
public struct TransportFailure: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// Could not connect; the request was certainly not received.
        case connect
        /// The per-request timeout expired; the request may have been received.
        case timeout
        /// The connection closed before a full answer; the request may have been received.
        case connectionClosed
        /// Any other I/O or TLS error.
        case other
    }

    public var kind: Kind
    public var method: String
    public var path: String
    /// How many times the request was sent.
    public var attempts: Int
    /// A description of the underlying error (never contains a secret).
    public var detail: String

    public init(kind: Kind, method: String, path: String, attempts: Int, detail: String) {
        self.kind = kind
        self.method = method
        self.path = path
        self.attempts = attempts
        self.detail = detail
    }

    public var description: String {
        let what: String
        switch kind {
        case .connect: what = "could not connect"
        case .timeout: what = "timed out"
        case .connectionClosed: what = "connection closed before the answer"
        case .other: what = "transport error"
        }
        let tries = attempts == 1 ? "1 attempt" : "\(attempts) attempts"
        return "\(method) \(path) failed: \(what) (\(detail)) after \(tries)"
    }
}

/// A value rejected before sending. `position` is 1-based (Lua convention) within the list it came from.
public struct ValidationError: Sendable, Equatable, CustomStringConvertible {
    /// The parameter or field, e.g. `account`, `upgradeId`, `deviceList`, `startDate`.
    public var field: String
    /// The offending value as given (never a secret: secrets are not validated here).
    public var value: String
    /// 1-based index in the list the value came from, when it came from a list.
    public var position: Int?
    public var reason: String

    public init(field: String, value: String, position: Int? = nil, reason: String) {
        self.field = field
        self.value = value
        self.position = position
        self.reason = reason
    }

    public var description: String {
        var text = "invalid \(field)"
        if let position { text += " at position \(position)" }
        text += " \"\(value)\": \(reason)"
        return text
    }
}

/// The credentials were refused by ThingSpace.
public struct LoginRejected: Sendable, Equatable, CustomStringConvertible {
    public enum Stage: String, Sendable, Equatable {
        /// OAuth2 client-credentials token request (client id/secret).
        case accessToken
        /// VZ-M2M session login (username/password).
        case session
    }

    public var stage: Stage
    public var httpStatus: Int
    public var errorCode: String?
    public var errorMessage: String?
    /// The username (session) or client id (access token) whose credentials were refused.
    public var principal: String

    public init(stage: Stage, httpStatus: Int, errorCode: String?, errorMessage: String?, principal: String) {
        self.stage = stage
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.principal = principal
    }

    public var description: String {
        var detail = "HTTP \(httpStatus)"
        if let errorCode { detail += " \(errorCode)" }
        if let errorMessage, !errorMessage.isEmpty { detail += ": \(errorMessage)" }
        switch stage {
        case .session:
            return "ThingSpace rejected the login of user \"\(principal)\" (\(detail)). "
                + "Not retried automatically: ThingSpace locks the account after 5 failed logins "
                + "and only Verizon support can unlock it. Check the username and password before trying again."
        case .accessToken:
            return "ThingSpace rejected the API key (client id \"\(principal)\") when asking for an access token (\(detail)). "
                + "Not retried automatically. Check the client id and client secret."
        }
    }
}

/// Unusable configuration, naming where the problem is.
public struct ConfigurationError: Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, for callers that react to some problems differently (a run that needs no
    /// credentials goes on without them); `message` is for people.
    public enum Kind: Sendable, Equatable {
        /// No value anywhere for one or more credentials (client id, client secret, username, password).
        case missingCredentials
        /// A profile asked for by name is in no file.
        case unknownProfile
        /// Credentials are missing and no profile was asked for, but the files hold only named
        /// profiles (no `default`): one of them has to be chosen.
        case noDefaultProfile
        /// A value (endpoint, account, CA file) is given but unusable.
        case badValue
        /// A config or credentials file is malformed, unreadable, or readable by others.
        case badFile
    }

    public var kind: Kind
    /// File the problem is in, if it comes from a file.
    public var file: String?
    /// 1-based line in `file`, if known.
    public var line: Int?
    public var message: String

    public init(_ kind: Kind, file: String? = nil, line: Int? = nil, message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        switch (file, line) {
        case let (file?, line?): return "\(file):\(line): \(message)"
        case let (file?, nil): return "\(file): \(message)"
        default: return message
        }
    }
}

/// A success status with a body that does not decode.
public struct UnexpectedResponse: Sendable, Equatable, CustomStringConvertible {
    public var method: String
    public var path: String
    public var httpStatus: Int
    public var detail: String

    public init(method: String, path: String, httpStatus: Int, detail: String) {
        self.method = method
        self.path = path
        self.httpStatus = httpStatus
        self.detail = detail
    }

    public var description: String {
        "unexpected answer to \(method) \(path) (HTTP \(httpStatus)): \(detail)"
    }
}

/// Scheduling may or may not have created an upgrade.
public struct ScheduleOutcomeUnknown: Sendable, Equatable, CustomStringConvertible {
    /// Why the schedule request itself failed.
    public var scheduleFailure: String
    /// Why reading back did not settle it.
    public var readBackFailure: String

    public init(scheduleFailure: String, readBackFailure: String) {
        self.scheduleFailure = scheduleFailure
        self.readBackFailure = readBackFailure
    }

    public var description: String {
        "scheduling the upgrade failed ambiguously (\(scheduleFailure)) and reading back the pending upgrades failed too "
            + "(\(readBackFailure)), so it is unknown whether the upgrade was created. List the upgrades with status "
            + "RequestPending and Queued before scheduling again, or the devices may end up in two upgrades."
    }
}
