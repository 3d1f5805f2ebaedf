/// A request type with a single-pass reader for the shape clients usually send, which
/// `BodyDecoding` tries before Foundation's `JSONDecoder`.
protocol FastReadableRequest {
    /// What the `Decodable` path makes of `bytes`, or nil to leave the decision (and any error) to it.
    static func fastRead(_ bytes: UnsafeRawBufferPointer) -> Self?
}

extension FirmwareUpgradeChangeRequestJSON: FastReadableRequest {
    static func fastRead(_ bytes: UnsafeRawBufferPointer) -> Self? {
        var reader = ChangeRequestReader(bytes)
        return reader.body()
    }
}

/// Reads the add/remove body (A5) in exactly the shape clients send, `{"type":"…","deviceList":["…",…]}`.
/// Bulk runs send 1,000 IMEIs a request, and JSONDecoder cost the simulator more CPU than its own
/// bookkeeping on each.
///
/// It declines (nil) on anything it cannot be sure to read as `JSONDecoder` and `RequestKeys` would:
/// a key other than exactly `type` or `deviceList` (so strict and lenient key matching read the same),
/// a key twice, escapes, bytes outside printable ASCII inside strings, `null` or other value types, bytes
/// after the object. The `Decodable` path then decides, so a declined body gets the answer it always got.
struct ChangeRequestReader {
    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    mutating func body() -> FirmwareUpgradeChangeRequestJSON? {
        guard consume(UInt8(ascii: "{")) else { return nil }
        var type: String?
        var deviceList: [String]?
        if !consume(UInt8(ascii: "}")) {
            repeat {
                guard let key = plainString() else { return nil }
                guard consume(UInt8(ascii: ":")) else { return nil }
                if Self.equal(key, "type"), type == nil {
                    guard let value = plainString() else { return nil }
                    type = String(decoding: value, as: UTF8.self)
                } else if Self.equal(key, "deviceList"), deviceList == nil {
                    guard let list = stringArray() else { return nil }
                    deviceList = list
                } else {
                    return nil
                }
            } while consume(UInt8(ascii: ","))
            guard consume(UInt8(ascii: "}")) else { return nil }
        }
        skipSpace()
        guard index == bytes.count else { return nil }
        return FirmwareUpgradeChangeRequestJSON(type: type, deviceList: deviceList)
    }

    private mutating func stringArray() -> [String]? {
        guard consume(UInt8(ascii: "[")) else { return nil }
        // An IMEI element takes 18 bytes ("…",); reserving for the whole body avoids regrowing.
        var list: [String] = []
        list.reserveCapacity((bytes.count - index) / 18 + 1)
        if consume(UInt8(ascii: "]")) { return list }
        repeat {
            guard let value = plainString() else { return nil }
            list.append(String(decoding: value, as: UTF8.self))
        } while consume(UInt8(ascii: ","))
        return consume(UInt8(ascii: "]")) ? list : nil
    }

    /// The bytes of a string with no escapes and only printable ASCII (0x20–0x7E), after optional
    /// whitespace; nil for anything else, including a string that is not closed.
    private mutating func plainString() -> UnsafeRawBufferPointer? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return UnsafeRawBufferPointer(rebasing: bytes[start..<(index - 1)])
            }
            guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
            index += 1
        }
        return nil
    }

    /// Skips JSON whitespace, then takes `byte` if it comes next.
    private mutating func consume(_ byte: UInt8) -> Bool {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private static func equal(_ raw: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
        raw.count == word.utf8CodeUnitCount && raw.elementsEqual(UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount))
    }
}
