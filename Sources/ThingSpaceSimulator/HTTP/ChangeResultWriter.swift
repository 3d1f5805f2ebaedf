import Hummingbird
import NIOCore

/// Writes the add/remove answer (A5) straight into a buffer. It is the
/// simulator's hottest answer (1,000 devices a request in bulk runs), and
/// Foundation's JSONEncoder spent milliseconds on it, which showed up as
/// latency in every client benchmark.
enum ChangeResultWriter {
    static func response(_ result: FirmwareUpgradeChangeResultJSON) -> Response {
        var buffer = ByteBufferAllocator().buffer(capacity: 64 + result.deviceList.count * 96)
        buffer.writeStaticString("{\"accountName\":")
        writeString(result.accountName, into: &buffer)
        buffer.writeStaticString(",\"id\":")
        writeString(result.id, into: &buffer)
        buffer.writeStaticString(",\"deviceList\":[")
        for (index, device) in result.deviceList.enumerated() {
            if index > 0 { buffer.writeStaticString(",") }
            buffer.writeStaticString("{\"deviceId\":")
            writeString(device.deviceId, into: &buffer)
            buffer.writeStaticString(",\"status\":")
            writeString(device.status, into: &buffer)
            buffer.writeStaticString(",\"Reason\":")
            writeString(device.reason, into: &buffer)
            buffer.writeStaticString("}")
        }
        buffer.writeStaticString("]}")
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }

    /// A JSON string: quotes, backslashes and control characters escaped, the rest as UTF-8.
    static func writeString(_ text: String, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("\"")
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            buffer.writeString(text)
        } else {
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    buffer.writeBytes([92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
                default: buffer.writeInteger(byte)
                }
            }
        }
        buffer.writeStaticString("\"")
    }
}
