import CLuaSupport

/// The one escaping rule for everything fota writes to a terminal: print,
/// log lines, error messages, the dry-run plan, progress and the prompt.
/// The rule itself is `lh_terminal_unit` in C, which print calls directly,
/// so Lua's print and the Swift writers cannot drift apart.
public enum TerminalText {
    /// `text` with C0 controls (but tab, and newline unless `singleLine`),
    /// DEL and C1 controls written as `\ddd` escapes of their bytes.
    /// `singleLine` suits values shown inside one line (a log line, a plan
    /// entry): a newline in them could fake a line of its own.
    public static func escape(_ text: String, singleLine: Bool = false) -> String {
        var text = text
        return text.withUTF8 { utf8 in
            guard utf8.contains(where: { needsLook($0) }) else { return String(decoding: utf8, as: UTF8.self) }
            return String(decoding: escape(bytes: UnsafeRawBufferPointer(utf8), singleLine: singleLine), as: UTF8.self)
        }
    }

    /// The bytes of `bytes` escaped by the same rule (they need not be UTF-8).
    public static func escape(bytes: UnsafeRawBufferPointer, singleLine: Bool = false) -> [UInt8] {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self) else { return [] }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            var escape: Int32 = 0
            let length = lh_terminal_unit(base + index, bytes.count - index, singleLine ? 0 : 1, &escape)
            for byte in bytes[index..<(index + length)] {
                if escape != 0 {
                    let digits = Array(String(byte).utf8)
                    out.append(UInt8(ascii: "\\"))
                    out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: 3 - digits.count))
                    out.append(contentsOf: digits)
                } else {
                    out.append(byte)
                }
            }
            index += length
        }
        return out
    }

    /// Bytes that may start or be part of an escaped unit; text without any
    /// of them is left as it is without asking the rule.
    private static func needsLook(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x7F || (0x80...0x9F).contains(byte)
    }
}
