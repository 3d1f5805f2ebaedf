import ArgumentParser
import Foundation
import FotaLua

/// EX_UNAVAILABLE: nothing answers at the simulator endpoint.
extension ExitStatus {
    static let unavailable: Int32 = 69
}

/// Where a control command finds the running simulator: `--endpoint`, else FOTA_ENDPOINT.
struct SimEndpointOptions: ParsableArguments {
    @Option(help: "Base URL of the running fota sim (default: FOTA_ENDPOINT).")
    var endpoint: String?

    func client() throws -> SimControlClient {
        let given = endpoint ?? ProcessInfo.processInfo.environment["FOTA_ENDPOINT"]
        guard let text = given, !text.isEmpty else {
            throw SimControlClient.Failure(
                "no simulator endpoint: pass --endpoint URL or set FOTA_ENDPOINT (`. ./sim.env` after `fota sim --env`)",
                status: ExitStatus.configuration)
        }
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              url.host != nil
        else {
            throw SimControlClient.Failure("\(endpoint == nil ? "FOTA_ENDPOINT" : "--endpoint") \"\(text)\" is not an http(s) URL", status: ExitStatus.configuration)
        }
        return SimControlClient(base: trimmed)
    }
}

/// Talks to a running simulator's `/_sim` control API. Every call first checks that the endpoint is a fota sim
/// (`GET /_sim/clock` answers JSON with `epochSeconds`), so pointing it at real ThingSpace changes nothing there.
struct SimControlClient {
    let base: String

    /// A failed control command: the message for stderr and the exit status.
    struct Failure: Error, CustomStringConvertible {
        let description: String
        let status: Int32
        init(_ description: String, status: Int32) {
            self.description = description
            self.status = status
        }
    }

    /// `GET /_sim/clock`, which also proves the endpoint is a fota sim.
    func clock() async throws -> [String: Any] {
        let (status, body) = try await send("GET", "/_sim/clock", nil)
        guard status == 200, let object = body, object["epochSeconds"] is NSNumber else {
            throw Failure("\(base) is not a fota sim: GET /_sim/clock answered HTTP \(status) without the simulator's clock", status: ExitStatus.configuration)
        }
        return object
    }

    /// Checks the endpoint, then sends one control request; a refusal (non-200) fails with the simulator's message.
    func call(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        _ = try await clock()
        let (status, answer) = try await send(method, path, body)
        guard status == 200, let answer else {
            let message = answer?["errorMessage"] as? String ?? "HTTP \(status)"
            throw Failure("the simulator refused \(method) \(path): \(message)", status: ExitStatus.scriptError)
        }
        return answer
    }

    private func send(_ method: String, _ path: String, _ body: [String: Any]?) async throws -> (Int, [String: Any]?) {
        let text = try body.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        let answer: (status: Int, body: Data)
        do {
            answer = try await SimControl(baseURL: base).exchange(method, path, body: text)
        } catch let unreachable as SimControl.Unreachable {
            throw Failure(
                "nothing answers at \(base): \(unreachable.description); start one with `fota sim --port 0 --env > sim.env &`",
                status: ExitStatus.unavailable)
        }
        let object = (try? JSONSerialization.jsonObject(with: answer.body)) as? [String: Any]
        return (answer.status, object)
    }
}
