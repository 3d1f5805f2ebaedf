#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Keys for decoding by name, so models can accept alternative spellings.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer where Key == AnyKey {
    /// First present, non-null string among `keys`. Numbers and booleans are accepted and turned
    /// into their text, because ThingSpace is not consistent about which ids are numbers.
    func lenientString(_ keys: String...) -> String? {
        for name in keys {
            let key = AnyKey(name)
            guard contains(key), (try? decodeNil(forKey: key)) == false else { continue }
            if let value = try? decode(String.self, forKey: key) { return value }
            if let value = try? decode(Int64.self, forKey: key) { return String(value) }
            if let value = try? decode(UInt64.self, forKey: key) { return String(value) }
            if let value = try? decode(Double.self, forKey: key) {
                return value.rounded() == value && abs(value) < 1e18 ? String(Int64(value)) : String(value)
            }
            if let value = try? decode(Bool.self, forKey: key) { return String(value) }
        }
        return nil
    }

    /// First present boolean among `keys`; accepts "true"/"false" strings too.
    func lenientBool(_ keys: String...) -> Bool? {
        for name in keys {
            let key = AnyKey(name)
            guard contains(key) else { continue }
            if let value = try? decode(Bool.self, forKey: key) { return value }
            if let value = try? decode(String.self, forKey: key) {
                switch value.lowercased() {
                case "true": return true
                case "false": return false
                default: continue
                }
            }
        }
        return nil
    }

    /// First present integer among `keys`; accepts numeric strings too.
    func lenientInt(_ keys: String...) -> Int? {
        for name in keys {
            let key = AnyKey(name)
            guard contains(key) else { continue }
            if let value = try? decode(Int.self, forKey: key) { return value }
            if let value = try? decode(String.self, forKey: key), let number = Int(value) { return number }
        }
        return nil
    }

    /// An array under the first present key; nil or missing becomes empty. Elements that fail
    /// to decode fail the whole decode, since silently losing a device would hide a problem.
    func lenientArray<T: Decodable>(_ type: T.Type, _ keys: String...) throws -> [T] {
        for name in keys {
            let key = AnyKey(name)
            guard contains(key), (try? decodeNil(forKey: key)) == false else { continue }
            return try decode([T].self, forKey: key)
        }
        return []
    }
}

/// Pagination cursors (`lastSeenDeviceId`, `lastSeenUpgradeId`) are documented as integers but
/// may arrive as strings; they are kept as text and sent back verbatim.
func normalizedCursor(_ raw: String?) -> String {
    guard let raw, !raw.isEmpty else { return "0" }
    return raw
}

/// `lastSeenDeviceId` is an IMEI, but the official SDK types it as an integer, so an IMEI with a
/// leading zero (TACs starting with 0) may arrive as 14 digits or fewer. A numeric cursor other
/// than 0 is left-padded back to the 15 digits of an IMEI.
func normalizedIMEICursor(_ raw: String?) -> String {
    let cursor = normalizedCursor(raw)
    guard cursor.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return cursor }
    let digits = cursor.drop { $0 == "0" }
    if digits.isEmpty { return "0" }
    guard digits.count <= 15 else { return cursor }
    return String(repeating: "0", count: 15 - digits.count) + digits
}

/// A model with a one-pass reader for its JSON, tried before `JSONDecoder`: `read` returns nil
/// whenever it is not sure to decide as the `Decodable` path would, which then decides.
protocol FastJSONReadable: Decodable {
    static func read(_ bytes: UnsafeRawBufferPointer) -> Self?
}
