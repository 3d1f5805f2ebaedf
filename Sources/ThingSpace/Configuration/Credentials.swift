/// ThingSpace credentials: the API key pair for the OAuth token and the UWS user for the M2M
/// session. `description`, `debugDescription` and reflection never show the secret parts.
public struct Credentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// OAuth client id ("app key"). Not secret.
    public var clientId: String
    /// OAuth client secret. Secret.
    public var clientSecret: String
    /// UWS username. Not secret.
    public var username: String
    /// UWS password. Secret.
    public var password: String

    public init(clientId: String, clientSecret: String, username: String, password: String) {
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.username = username
        self.password = password
    }

    public var description: String {
        "Credentials(clientId: \(clientId), clientSecret: <redacted>, username: \(username), password: <redacted>)"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["clientId": clientId, "clientSecret": "<redacted>", "username": username, "password": "<redacted>"])
    }
}
