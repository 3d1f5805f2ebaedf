/// The escapes of a JSON string (`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, `\uXXXX` with
/// surrogate pairs): the one implementation for the hand-written JSON readers.
public enum JSONStringEscape {
    /// Where (0-based byte offset, just past what was read) and why an escape is malformed.
    public struct Failure: Error, Sendable, Equatable {
        public var offset: Int
        public var reason: String
    }

    /// Decodes one escape. `index` is at the byte after the backslash; on return it is past the
    /// escape, whose UTF-8 has been appended to `out`.
    public static func decode<Bytes: RandomAccessCollection>(
        _ bytes: Bytes, at index: inout Int, into out: inout [UInt8]
    ) throws(Failure) where Bytes.Element == UInt8, Bytes.Index == Int {
        guard index < bytes.endIndex else { throw Failure(offset: index, reason: "unfinished escape") }
        let escape = bytes[index]
        index += 1
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4(bytes, at: &index)
            if (0xD800..<0xDC00).contains(scalar), index + 6 <= bytes.endIndex,
               bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            {
                index += 2
                let low = try hex4(bytes, at: &index)
                guard (0xDC00..<0xE000).contains(low) else { throw Failure(offset: index, reason: "bad surrogate pair") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            // A lone surrogate is no scalar.
            guard let unicode = Unicode.Scalar(scalar) else { throw Failure(offset: index, reason: "bad \\u escape") }
            out.append(contentsOf: String(Character(unicode)).utf8)
        default:
            throw Failure(offset: index, reason: "bad escape")
        }
    }

    private static func hex4<Bytes: RandomAccessCollection>(
        _ bytes: Bytes, at index: inout Int
    ) throws(Failure) -> UInt32 where Bytes.Element == UInt8, Bytes.Index == Int {
        guard index + 4 <= bytes.endIndex else { throw Failure(offset: index, reason: "short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            index += 1
            let digit: UInt32
            switch byte {
            case 0x30...0x39: digit = UInt32(byte - 0x30)
            case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
            default: throw Failure(offset: index, reason: "bad hex digit in \\u escape")
            }
            value = value << 4 | digit
        }
        return value
    }
}
