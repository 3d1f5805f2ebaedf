#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Network errors told in plain words. NIO's descriptions of connect errors nest and do not
/// always balance their parentheses ("connection reset (error set): Connection refused
/// (errno: 111))"): the one place that turns them into something an operator can read.
public enum ErrorWords {
    /// The system's words for the error's errno when it has one ("Connection refused"),
    /// otherwise its description with the parentheses balanced.
    public static func describe(_ error: any Error) -> String {
        let description = String(describing: error)
        if let code = errno(in: error, description: description) { return String(cString: strerror(code)) }
        return balanced(description)
    }

    static func errno(in error: any Error, description: String) -> Int32? {
        if let error = error as? IOError { return error.errnoCode }
        guard let range = description.firstRange(of: "errno: ") else { return nil }
        return Int32(description[range.upperBound...].prefix { $0.isNumber })
    }

    /// `text` with unmatched closing parentheses dropped and unclosed ones closed.
    public static func balanced(_ text: String) -> String {
        var depth = 0
        var out = ""
        for character in text {
            if character == "(" { depth += 1 }
            if character == ")" {
                if depth == 0 { continue }
                depth -= 1
            }
            out.append(character)
        }
        return out + String(repeating: ")", count: depth)
    }
}
