/// Single-pass reader for the add/remove answer
/// `{"accountName":…,"id":…,"deviceList":[{"deviceId":…,"status":…,"Reason":…},…]}`, on the one
/// JSON scanner (`JSONByteReader`).
///
/// Bulk changes decode one such answer per 1,000 devices; with `JSONDecoder` and lenient keyed
/// containers that was a third of the CPU of a 100,000-device append. This reader skips what it
/// does not need and builds only the strings it keeps. Anything it does not understand makes it
/// return nil, and the caller falls back to the lenient `Decodable` path, so it never decides
/// differently from that path on well-formed input.
enum ChangeResponseParser {
    static func parse(_ bytes: UnsafeRawBufferPointer) -> DeviceChangeResponse? {
        var reader = JSONByteReader(bytes)
        var result = DeviceChangeResponse(accountName: nil, id: nil, deviceList: [])
        var sawList = false
        let read = reader.object { reader, key in
            switch key {
            case "deviceList", "devicelist":
                // Same precedence as the Decodable path: `deviceList` wins over `devicelist`.
                if key == "devicelist" && sawList { return reader.skipValue() }
                if reader.peek == UInt8(ascii: "n") { return reader.literal("null") }
                guard let items = deviceList(&reader) else { return false }
                result.deviceList = items
                sawList = key == "deviceList"
                return true
            case "accountName":
                guard let value = text(&reader) else { return false }
                result.accountName = value
                return true
            case "id":
                guard let value = text(&reader) else { return false }
                result.id = value
                return true
            default:
                return reader.skipValue()
            }
        }
        reader.skipSpace()
        return read && reader.atEnd ? result : nil
    }

    private static func deviceList(_ reader: inout JSONByteReader) -> [DeviceChangeResponse.Item]? {
        var items: [DeviceChangeResponse.Item] = []
        let read = reader.array { reader in
            guard let item = deviceItem(&reader) else { return false }
            items.append(item)
            return true
        }
        return read ? items : nil
    }

    private static func deviceItem(_ reader: inout JSONByteReader) -> DeviceChangeResponse.Item? {
        var deviceId: String?
        var status: String?
        // The Decodable path prefers `Reason`, then `reason`, then `resultReason`.
        var reasonUpper: String?
        var reasonLower: String?
        var resultReason: String?
        let read = reader.object { reader, key in
            switch key {
            case "deviceId", "status", "Reason", "reason", "resultReason": break
            default: return reader.skipValue()
            }
            guard let value = text(&reader) else { return false }
            switch key {
            case "deviceId": deviceId = value
            case "status": status = value
            case "Reason": reasonUpper = value
            case "reason": reasonLower = value
            default: resultReason = value
            }
            return true
        }
        guard read else { return nil }
        return DeviceChangeResponse.Item(deviceId: deviceId ?? "", status: status, reason: reasonUpper ?? reasonLower ?? resultReason)
    }

    /// A string, an integer as its text, or `null` (nil-as-absent): `lenientText`, except that a
    /// boolean, not expected here, sends the caller to the lenient path.
    private static func text(_ reader: inout JSONByteReader) -> String?? {
        if reader.peek == UInt8(ascii: "t") || reader.peek == UInt8(ascii: "f") { return nil }
        return reader.lenientText()
    }
}
