/// A registered callback listener (`GET /callbacks/{account}`). Its `password` is a secret: it
/// is kept out of `description`.
public struct RegisteredCallback: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Account name (`aname` on the wire).
    public var aname: String?
    /// Service name, `Fota`.
    public var name: String
    public var url: String
    public var username: String?
    public var password: String?

    public init(aname: String? = nil, name: String, url: String, username: String? = nil, password: String? = nil) {
        self.aname = aname
        self.name = name
        self.url = url
        self.username = username
        self.password = password
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        aname = c.lenientString("aname", "accountName")
        name = c.lenientString("name", "serviceName") ?? ""
        url = c.lenientString("url") ?? ""
        username = c.lenientString("username")
        password = c.lenientString("password")
    }

    public var description: String {
        "RegisteredCallback(name: \(name), url: \(url), username: \(username ?? "-"), password: \(password == nil ? "-" : "<redacted>"))"
    }
}

/// Body of `POST /callbacks/{account}`. ThingSpace echoes `username`/`password` in plain text
/// inside every callback it sends, so they should be credentials dedicated to the listener.
public struct CallbackRegistration: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Service name; v1 knows only `Fota`.
    public var name: String
    public var url: String
    public var username: String?
    public var password: String?

    public init(name: String = "Fota", url: String, username: String? = nil, password: String? = nil) {
        self.name = name
        self.url = url
        self.username = username
        self.password = password
    }

    public var description: String {
        "CallbackRegistration(name: \(name), url: \(url), username: \(username ?? "-"), password: \(password == nil ? "-" : "<redacted>"))"
    }
}

/// Answer of `POST /callbacks/{account}`.
public struct CallbackRegistrationResult: Sendable, Equatable, Codable {
    public var accountName: String?
    public var serviceName: String?

    public init(accountName: String? = nil, serviceName: String? = nil) {
        self.accountName = accountName
        self.serviceName = serviceName
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        accountName = c.lenientString("accountName", "aname")
        serviceName = c.lenientString("serviceName", "name")
    }
}

/// `{"success": bool}` answers of cancel and deregister.
struct SuccessResult: Decodable {
    var success: Bool

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        // An answer without `success` is not a refusal: reading it as false would report a
        // cancel that may have happened as one that did not, with no reason given.
        guard let success = c.lenientBool("success") else {
            throw DecodingError.keyNotFound(AnyKey("success"), .init(codingPath: [], debugDescription: "no boolean \"success\" in the answer"))
        }
        self.success = success
    }
}
