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
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        stream(bytes: bytes, singleLine: singleLine) { out.append(contentsOf: $0) }
        return out
    }

    /// Escapes `bytes` by the same rule and hands the result to `emit` in
    /// pieces of at most 64 KiB, so a huge text is never copied whole.
    public static func stream(
        bytes: UnsafeRawBufferPointer, singleLine: Bool = false, emit: (UnsafeRawBufferPointer) -> Void
    ) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self) else { return }
        let capacity = 1 << 16
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var used = 0
        func flush() {
            if used > 0 { emit(UnsafeRawBufferPointer(start: buffer, count: used)) }
            used = 0
        }
        var index = 0
        while index < bytes.count {
            var escape: Int32 = 0
            let length = lh_terminal_unit(base + index, bytes.count - index, singleLine ? 0 : 1, &escape)
            for offset in index..<(index + length) {
                if used + 4 > capacity { flush() }
                let byte = bytes[offset]
                if escape != 0 {
                    buffer[used] = UInt8(ascii: "\\")
                    buffer[used + 1] = UInt8(ascii: "0") + byte / 100
                    buffer[used + 2] = UInt8(ascii: "0") + byte / 10 % 10
                    buffer[used + 3] = UInt8(ascii: "0") + byte % 10
                    used += 4
                } else {
                    buffer[used] = byte
                    used += 1
                }
            }
            index += length
        }
        flush()
    }

    /// Bytes that may start or be part of an escaped unit; text without any
    /// of them is left as it is without asking the rule.
    private static func needsLook(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x7F || (0x80...0x9F).contains(byte)
    }
}
