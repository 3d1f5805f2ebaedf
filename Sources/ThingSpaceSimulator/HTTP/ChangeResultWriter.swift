import Hummingbird
import NIOCore

/// Writes the add/remove answer (A5) straight into a buffer. It is the
/// simulator's hottest answer (1,000 devices a request in bulk runs), and
/// Foundation's JSONEncoder spent milliseconds on it, which showed up as
/// latency in every client benchmark.
enum ChangeResultWriter {
    static func response(_ result: FirmwareUpgradeChangeResultJSON) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body(result)))
    }

    static func body(_ result: FirmwareUpgradeChangeResultJSON) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 64 + result.deviceList.count * 96)
        buffer.writeStaticString("{\"accountName\":")
        writeString(result.accountName, into: &buffer)
        buffer.writeStaticString(",\"id\":")
        writeString(result.id, into: &buffer)
        buffer.writeStaticString(",\"deviceList\":[")
        for (index, device) in result.deviceList.enumerated() {
            // One reservation a device, then plain memory writes: ByteBuffer's checks on each small
            // write cost more than the bytes.
            let most = 48 + RawJSON.mostBytes(device.deviceId) + RawJSON.mostBytes(device.status) + RawJSON.mostBytes(device.reason)
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: most) { memory in
                var out = RawJSON(memory)
                if index > 0 { out.put(",") }
                out.put("{\"deviceId\":")
                out.string(device.deviceId)
                out.put(",\"status\":")
                out.string(device.status)
                out.put(",\"Reason\":")
                out.string(device.reason)
                out.put("}")
                return out.count
            }
        }
        buffer.writeStaticString("]}")
        return buffer
    }

    /// A JSON string (see `RawJSON.string`).
    static func writeString(_ text: String, into buffer: inout ByteBuffer) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: RawJSON.mostBytes(text)) { memory in
            var out = RawJSON(memory)
            out.string(text)
            return out.count
        }
    }
}

/// Writes JSON text into memory the caller has reserved for the most it can take.
private struct RawJSON {
    private let memory: UnsafeMutableRawBufferPointer
    private(set) var count = 0

    init(_ memory: UnsafeMutableRawBufferPointer) { self.memory = memory }

    /// The most bytes `string` writes for `text`: quotes, and every byte escaped as `\u00XX`.
    static func mostBytes(_ text: String) -> Int { 2 + 6 * text.utf8.count }

    mutating func put(_ text: StaticString) {
        let length = text.utf8CodeUnitCount
        precondition(count + length <= memory.count)
        (memory.baseAddress! + count).copyMemory(from: text.utf8Start, byteCount: length)
        count += length
    }

    private mutating func put(byte: UInt8) {
        precondition(count < memory.count)
        memory[count] = byte
        count += 1
    }

    /// A JSON string: quotes, backslashes and control characters escaped, the rest as UTF-8.
    mutating func string(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            put(byte: UInt8(ascii: "\""))
            if utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
                precondition(count + utf8.count <= memory.count)
                if let source = utf8.baseAddress { (memory.baseAddress! + count).copyMemory(from: source, byteCount: utf8.count) }
                count += utf8.count
            } else {
                let hex: StaticString = "0123456789abcdef"
                for byte in utf8 {
                    switch byte {
                    case UInt8(ascii: "\""): put("\\\"")
                    case UInt8(ascii: "\\"): put("\\\\")
                    case 0..<0x20:
                        put("\\u00")
                        put(byte: hex.utf8Start[Int(byte >> 4)])
                        put(byte: hex.utf8Start[Int(byte & 15)])
                    default: put(byte: byte)
                    }
                }
            }
            put(byte: UInt8(ascii: "\""))
        }
    }
}
