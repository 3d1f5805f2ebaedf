// Wire shapes of the OAuth token and M2M session endpoints (docs/thingspace-api.md K1–K4).

struct OAuthTokenJSON: Codable, Sendable {
    var access_token: String
    var token_type: String
    var expires_in: Int
    var scope: String
}

struct LoginRequestJSON: Decodable, Sendable {
    var username: String?
    var password: String?
}

struct SessionTokenJSON: Codable, Sendable {
    var sessionToken: String
}
