#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore

/// Licence changes (A11–A15): assign and remove licences, and the list of licences to remove
/// at the end of the billing cycle.
extension ThingSpaceClient {
    /// Most devices in one A11/A12/A13 request: none is documented; this matches the A5 batches.
    public static let licenceBatchSize = 1000

    /// `POST /licenses/{account}/assign` (`assign`) or `/remove`, for at most `licenceBatchSize`
    /// devices. Repeating it is harmless to the fleet (a second assign is refused per device,
    /// "already assigned"), so lost answers are retried like other idempotent calls.
    public func changeLicenses(assign: Bool, account: String, devices: [String]) async throws -> LicenseChangeResult {
        try Validators.account(account)
        try Self.validateLicenceBatch(devices)
        let path = "\(Self.fotaBase)/licenses/\(account)/\(assign ? "assign" : "remove")"
        let body = ByteBuffer(bytes: try JSONEncoder().encode(["deviceList": devices]))
        return try decode(LicenseChangeResult.self, try await call(.POST, path, body: body, safety: .idempotent),
                          path: path, method: "POST")
    }

    /// `POST /licenses/{account}/cancel`: replaces the removal list with `devices`, or adds them
    /// to it (`append`). Returns the whole list after the change.
    public func setLicensesToRemove(account: String, devices: [String], append: Bool) async throws -> LicensesToRemove {
        try Validators.account(account)
        try Self.validateLicenceBatch(devices)
        let path = "\(Self.fotaBase)/licenses/\(account)/cancel"
        var fields: [String: JSONBodyValue] = ["deviceList": .list(devices)]
        if append { fields["type"] = .text("append") }
        let body = ByteBuffer(bytes: try JSONEncoder().encode(fields))
        return try decode(LicensesToRemove.self, try await call(.POST, path, body: body, safety: .idempotent),
                          path: path, method: "POST")
    }

    /// `DELETE /licenses/{account}/cancel`: empties the removal list.
    public func clearLicensesToRemove(account: String) async throws -> Bool {
        try Validators.account(account)
        let path = "\(Self.fotaBase)/licenses/\(account)/cancel"
        return try decode(SuccessResult.self, try await call(.DELETE, path), path: path, method: "DELETE").success
    }

    /// `GET /licenses/{account}/cancel/index/{offset}`, every page (offsets 0, 1000, …, P5).
    public func licensesToRemove(account: String) async throws -> LicensesToRemove {
        try Validators.account(account)
        var all = LicensesToRemove(count: 0, deviceList: [])
        var offset = 0
        while true {
            let path = "\(Self.fotaBase)/licenses/\(account)/cancel/index/\(offset)"
            let page = try decode(LicensesToRemovePage.self, try await call(.GET, path), path: path, method: "GET")
            all.deviceList += page.list.deviceList
            all.count = page.list.count
            all.updateTime = page.list.updateTime
            // A page that announces more but brings nothing would loop forever (P6).
            guard page.hasMoreData else { return all }
            guard !page.list.deviceList.isEmpty else {
                throw ThingSpaceError.unexpectedResponse(UnexpectedResponse(
                    method: "GET", path: path, httpStatus: 200, detail: "hasMoreData is true but the page lists no device"))
            }
            offset += page.list.deviceList.count
        }
    }

    static func validateLicenceBatch(_ devices: [String]) throws(ThingSpaceError) {
        guard !devices.isEmpty else {
            throw .validation(ValidationError(field: "deviceList", value: "", reason: "must list at least one device"))
        }
        guard devices.count <= licenceBatchSize else {
            throw .validation(ValidationError(
                field: "deviceList", value: "\(devices.count) devices", reason: "at most \(licenceBatchSize) per request"))
        }
        for (index, device) in devices.enumerated() {
            _ = try Validators.imei(device, field: "deviceList", position: index + 1)
        }
    }
}

/// A JSON body value of A13 (a list and a word).
private enum JSONBodyValue: Encodable {
    case list([String])
    case text(String)

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .list(let items): try container.encode(items)
        case .text(let text): try container.encode(text)
        }
    }
}
