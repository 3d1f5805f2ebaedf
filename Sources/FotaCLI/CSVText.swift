import FotaLua

/// CSV lines of the command line (timelines and the one-shot commands' `-o csv`), quoted by
/// the one rule of `CSV.quote` that files.writecsv uses too.
enum CSVText {
    /// `text` as one CSV field.
    static func field(_ text: String) -> String { CSV.quote(text) }

    /// One CSV line of `fields`, without the line break.
    static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",")
    }
}
