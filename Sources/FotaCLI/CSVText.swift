/// The one CSV quoting rule of the command line (RFC 4180): timelines and the
/// one-shot commands' `-o csv` both write fields through here.
enum CSVText {
    /// `text` as one CSV field: quoted, with quotes doubled, when it holds a comma, quote or line break.
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One CSV line of `fields`, without the line break.
    static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",")
    }
}
