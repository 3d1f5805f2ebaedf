import Logging
import NIOConcurrencyHelpers

/// Collects every log line (message and metadata) so tests can look for secrets.
final class LogCapture: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])

    var all: [String] { lines.withLockedValue { $0 } }
    var text: String { all.joined(separator: "\n") }

    func logger(level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: "test") { label in Handler(capture: self, label: label) }
        logger.logLevel = level
        return logger
    }

    fileprivate func append(_ line: String) { lines.withLockedValue { $0.append(line) } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        let label: String
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var merged = metadata
            if let extra = event.metadata { merged.merge(extra) { $1 } }
            capture.append("\(event.level) \(event.message) \(merged)")
        }
    }
}
