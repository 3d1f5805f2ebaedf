import AsyncHTTPClient
import Foundation
import NIOCore
import ThingSpace

/// The control API (`/_sim/…`) of a `fota sim` or of the simulator `--simulate` starts: what a
/// rehearsal needs to read and move the simulated clock and to report what happened.
/// Real ThingSpace has no such paths; `probe` tells the two apart.
public struct SimControl: Sendable {
    /// The endpoint's base URL, e.g. `http://127.0.0.1:8787`.
    public let baseURL: String

    public init(baseURL: String) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
    }

    /// A failed control request, in words naming the path (no credential ever goes to `/_sim`).
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// One upgrade status change or device status change, as `GET /_sim/events` lists them.
    public struct Event: Codable, Sendable, Equatable {
        public var seq: Int
        public var at: Int64
        public var time: String
        public var upgradeId: String
        public var kind: String
        public var status: String
        public var deviceId: String?
        public var reason: String?
    }

    private struct Clock: Decodable { var epochSeconds: Int64 }
    private struct NextChange: Decodable { var at: Int64?; var now: Int64 }
    private struct Events: Decodable { var events: [Event]; var next: Int; var more: Bool? }

    /// True when the endpoint answers `GET /_sim/clock` with 200 and a body holding `epochSeconds`,
    /// as only a simulator does. Any failure (404, a gateway fault, no answer in 15 s) means no.
    /// The wait is long because a simulator on a loaded machine can take seconds to answer, and
    /// taking a simulator for a live endpoint would put a rehearsal's lines in the live journal;
    /// a live endpoint answers 404 at once, so it does not wait.
    /// Verizon's own hosts are never asked: production sees no request it did not need.
    public static func probe(_ baseURL: String) async -> Bool {
        if let host = URLComponents(string: baseURL)?.host?.lowercased(), host == "verizon.com" || host.hasSuffix(".verizon.com") {
            return false
        }
        let control = SimControl(baseURL: baseURL)
        return (try? await control.request("GET", "/_sim/clock", timeout: .seconds(15), as: Clock.self)) != nil
    }

    /// The simulated time, epoch seconds.
    public func now() async throws -> Int64 {
        try await request("GET", "/_sim/clock", as: Clock.self).epochSeconds
    }

    /// Moves the simulated clock forward; returns the new time.
    public func advance(seconds: Int64) async throws -> Int64 {
        try await request("POST", "/_sim/clock/advance", body: #"{"seconds":\#(seconds)}"#, as: Clock.self).epochSeconds
    }

    /// When the next scheduled state change of `upgradeId` (of any upgrade when nil) happens, and
    /// the simulated time now; `at` is nil when nothing more will change on its own.
    public func nextChange(upgradeId: String?) async throws -> (at: Int64?, now: Int64) {
        var path = "/_sim/next-change"
        if let upgradeId {
            path += "?upgrade=" + Self.escaped(upgradeId)
        }
        let answer = try await request("GET", path, as: NextChange.self)
        return (answer.at, answer.now)
    }

    /// Every event after `since` (of one upgrade when `upgradeId` is given), following `next` while the
    /// simulator says there are `more`; and the `since` of the call after these.
    public func events(since: Int = 0, upgradeId: String? = nil) async throws -> (events: [Event], next: Int) {
        var all: [Event] = []
        var cursor = since
        let filter = upgradeId.map { "&upgrade=" + Self.escaped($0) } ?? ""
        while true {
            let page = try await request("GET", "/_sim/events?since=\(cursor)" + filter, as: Events.self)
            all += page.events.filter { upgradeId == nil || $0.upgradeId == upgradeId }
            guard !page.events.isEmpty, page.next > cursor else { return (all, cursor) }
            cursor = page.next
            guard page.more == true else { return (all, cursor) }
        }
    }

    private static func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    /// Nothing answered at the endpoint (no connection, no answer in time): the request went nowhere.
    public struct Unreachable: Error, CustomStringConvertible {
        public var description: String
    }

    /// One request to the control API: the HTTP status and the body, whatever they are.
    /// The one transport every user of the control API (rehearsals, `fota sim` commands) goes through.
    public func exchange(
        _ method: String, _ path: String, body: String? = nil, timeout: TimeAmount = .seconds(30)
    ) async throws -> (status: Int, body: Data) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .init(rawValue: method)
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: timeout)
            let bytes = try await response.body.collect(upTo: 64 << 20)
            return (Int(response.status.code), Data(bytes.readableBytesView))
        } catch {
            throw Unreachable(description: ErrorWords.describe(error))
        }
    }

    private func request<T: Decodable>(
        _ method: String, _ path: String, body: String? = nil, timeout: TimeAmount = .seconds(30), as: T.Type
    ) async throws -> T {
        let answer: (status: Int, body: Data)
        do {
            answer = try await exchange(method, path, body: body, timeout: timeout)
        } catch let unreachable as Unreachable {
            throw Failure(description: "\(method) \(path) on the simulator \(baseURL) got no answer: \(unreachable.description)")
        }
        guard answer.status == 200 else {
            let text = String(decoding: answer.body.prefix(300), as: UTF8.self)
            throw Failure(description: "\(method) \(path) on the simulator answered HTTP \(answer.status): \(text)")
        }
        do {
            return try JSONDecoder().decode(T.self, from: answer.body)
        } catch {
            throw Failure(description: "\(method) \(path) on the simulator answered something unexpected: \(error)")
        }
    }
}
