/// Every refusal the simulator can answer with, in the three shapes the real service uses (docs/thingspace-api.md E1–E36):
/// FOTA/UWS `{errorCode, errorMessage}`, gateway `{"fault":{…}}` and OAuth `{error, error_description}`.
struct APIError: Error, Sendable, Equatable {
    enum Shape: Sendable, Equatable {
        case service(code: String, message: String)
        case gatewayFault(code: String, message: String, description: String)
        case oauth(error: String, description: String)
    }

    let status: Int
    let shape: Shape

    /// The usual FOTA refusal: 400 `INVALID_PARAMETER` with one of the catalogue messages (docs/thingspace-api.md E1–E11).
    static func invalid(_ message: String) -> APIError {
        APIError(status: 400, shape: .service(code: "INVALID_PARAMETER", message: message))
    }

    static let inputBinding = invalid("Input binding error")
    static let badAccount = invalid("Invalid account name format")
    static let badDeviceId = invalid("Invalid device id format")
    static let emptyDeviceList = invalid("Device list is empty")
    static let badUUID = invalid("Invalid uuid")
    static let unknownUpgrade = invalid("Invalid upgradeId")
    static let badIndex = invalid("Invalid index value")
    static let badCursor = invalid("LastSeenDeviceId Not Valid")

    static let sessionExpired = APIError(
        status: 400,
        shape: .service(code: "UnifiedWebService.REQUEST_FAILED.SessionToken.Expired", message: "The Session has expired.")
    )

    static func invalidCredentials(_ api: String) -> APIError {
        APIError(status: 401, shape: .gatewayFault(
            code: "900901", message: "Invalid Credentials",
            description: "Access failure for API: \(api), version: v1. Make sure you have given the correct access token"
        ))
    }

    static func missingCredentials(_ api: String) -> APIError {
        APIError(status: 401, shape: .gatewayFault(
            code: "900902", message: "Missing Credentials",
            description: "Required OAuth credentials not provided. Make sure your API invocation call has a header: 'Authorization : Bearer ACCESS_TOKEN' or 'Authorization : Basic ACCESS_TOKEN' (API: \(api))"
        ))
    }

    static let noMatchingResource = APIError(status: 400, shape: .gatewayFault(
        code: "900906", message: "No matching resource found in the API for the given request",
        description: "Access failure for API: resource not found. Check the API documentation and add a proper REST resource path to the invocation URL"
    ))
}
