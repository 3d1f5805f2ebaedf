/// Single-pass reader for the add/remove answer
/// `{"accountName":…,"id":…,"deviceList":[{"deviceId":…,"status":…,"Reason":…},…]}`.
///
/// Bulk changes decode one such answer per 1,000 devices; with `JSONDecoder` and lenient keyed
/// containers that was a third of the CPU of a 100,000-device append. This reader skips what it
/// does not need and builds only the strings it keeps. Anything it does not understand makes it
/// return nil, and the caller falls back to the lenient `Decodable` path, so it never decides
/// differently from that path on well-formed input.
struct ChangeResponseParser {
    private let bytes: UnsafeRawBufferPointer
    private var index = 0
    /// Statuses and reasons repeat on every device ("AddDeviceSucceed", "Device added
    /// Successfully"); reusing the last few strings saves two heap strings per device.
    private var recent: [(bytes: [UInt8], text: String)] = []

    private init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    static func parse(_ bytes: UnsafeRawBufferPointer) -> DeviceChangeResponse? {
        var parser = ChangeResponseParser(bytes)
        return parser.document()
    }

    private mutating func document() -> DeviceChangeResponse? {
        var result = DeviceChangeResponse(accountName: nil, id: nil, deviceList: [])
        var sawList = false
        skipSpace()
        guard consume(UInt8(ascii: "{")) else { return nil }
        skipSpace()
        if consume(UInt8(ascii: "}")) { return result }
        while true {
            skipSpace()
            guard let key = string() else { return nil }
            skipSpace()
            guard consume(UInt8(ascii: ":")) else { return nil }
            skipSpace()
            switch key {
            case "deviceList", "devicelist":
                // Same precedence as the Decodable path: `deviceList` wins over `devicelist`.
                if key == "devicelist" && sawList {
                    guard skipValue() else { return nil }
                } else if peek == UInt8(ascii: "n") {
                    guard literal("null") else { return nil }
                } else {
                    guard let items = deviceList() else { return nil }
                    result.deviceList = items
                    sawList = key == "deviceList"
                }
            case "accountName":
                guard let value = scalarText() else { return nil }
                result.accountName = value
            case "id":
                guard let value = scalarText() else { return nil }
                result.id = value
            default:
                guard skipValue() else { return nil }
            }
            skipSpace()
            if consume(UInt8(ascii: ",")) { continue }
            guard consume(UInt8(ascii: "}")) else { return nil }
            skipSpace()
            return index == bytes.count ? result : nil
        }
    }

    private mutating func deviceList() -> [DeviceChangeResponse.Item]? {
        guard consume(UInt8(ascii: "[")) else { return nil }
        var items: [DeviceChangeResponse.Item] = []
        skipSpace()
        if consume(UInt8(ascii: "]")) { return items }
        while true {
            skipSpace()
            guard let item = deviceItem() else { return nil }
            items.append(item)
            skipSpace()
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "]")) ? items : nil
        }
    }

    private mutating func deviceItem() -> DeviceChangeResponse.Item? {
        guard consume(UInt8(ascii: "{")) else { return nil }
        var deviceId: String?
        var status: String?
        // The Decodable path prefers `Reason`, then `reason`, then `resultReason`.
        var reasonUpper: String?
        var reasonLower: String?
        var resultReason: String?
        skipSpace()
        if !consume(UInt8(ascii: "}")) {
            while true {
                skipSpace()
                guard let key = string() else { return nil }
                skipSpace()
                guard consume(UInt8(ascii: ":")) else { return nil }
                skipSpace()
                switch key {
                case "deviceId": guard let value = scalarText() else { return nil }; deviceId = value
                case "status": guard let value = scalarText() else { return nil }; status = value
                case "Reason": guard let value = scalarText() else { return nil }; reasonUpper = value
                case "reason": guard let value = scalarText() else { return nil }; reasonLower = value
                case "resultReason": guard let value = scalarText() else { return nil }; resultReason = value
                default: guard skipValue() else { return nil }
                }
                skipSpace()
                if consume(UInt8(ascii: ",")) { continue }
                guard consume(UInt8(ascii: "}")) else { return nil }
                break
            }
        }
        return DeviceChangeResponse.Item(deviceId: deviceId ?? "", status: status, reason: reasonUpper ?? reasonLower ?? resultReason)
    }

    /// A string, or an integer as its text; `null` is nil-as-absent. Other values are not
    /// expected here and send the caller to the lenient path.
    private mutating func scalarText() -> String?? {
        guard let first = peek else { return nil }
        switch first {
        case UInt8(ascii: "\""): return string().map { .some($0) }
        case UInt8(ascii: "n"): return literal("null") ? .some(nil) : nil
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = index
            if peek == UInt8(ascii: "-") { index += 1 }
            while let byte = peek, byte >= 0x30 && byte <= 0x39 { index += 1 }
            if let byte = peek, byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { return nil }
            return .some(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
        default:
            return nil
        }
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipSpace() {
        while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        index += count
        return true
    }

    private mutating func string() -> String? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while let byte = peek {
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                index += 1
                // Strings of 15 bytes or fewer are stored inline (no allocation): not worth caching.
                guard raw.count > 15 else { return String(decoding: raw, as: UTF8.self) }
                for entry in recent where entry.bytes.count == raw.count && entry.bytes.elementsEqual(raw) {
                    return entry.text
                }
                let text = String(decoding: raw, as: UTF8.self)
                if recent.count == 4 { recent.removeFirst() }
                recent.append((Array(raw), text))
                return text
            }
            if byte == UInt8(ascii: "\\") { return escapedString(from: start) }
            if byte < 0x20 { return nil }
            index += 1
        }
        return nil
    }

    /// Slow path for strings with escapes (rare in these answers).
    private mutating func escapedString(from start: Int) -> String? {
        var utf8 = Array(bytes[start..<index])
        while let byte = peek {
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                do { try JSONStringEscape.decode(bytes, at: &index, into: &utf8) } catch { return nil }
            default:
                if byte < 0x20 { return nil }
                utf8.append(byte)
            }
        }
        return nil
    }

    /// Skips any JSON value (validating it only as far as needed to find its end).
    private mutating func skipValue() -> Bool {
        skipSpace()
        guard let byte = peek else { return false }
        switch byte {
        case UInt8(ascii: "\""):
            return string() != nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            index += 1
            skipSpace()
            if consume(close) { return true }
            while true {
                skipSpace()
                if close == UInt8(ascii: "}") {
                    guard string() != nil else { return false }
                    skipSpace()
                    guard consume(UInt8(ascii: ":")) else { return false }
                }
                guard skipValue() else { return false }
                skipSpace()
                if consume(UInt8(ascii: ",")) { continue }
                return consume(close)
            }
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default:
            let start = index
            while let next = peek, (next >= 0x30 && next <= 0x39) || next == UInt8(ascii: "-") || next == UInt8(ascii: "+")
                || next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
                index += 1
            }
            return index > start
        }
    }
}
