import AsyncHTTPClient
import Foundation
import NIOHTTP1
import Testing
import ThingSpaceSimulator

/// `fota sim` in a child process, for runs of `fota run --endpoint …` that a
/// test kills or interrupts. `sim` speaks to it as to an in-process simulator.
public final class SimulatorProcess {
    public let process: Subprocess
    public let sim: Sim
    public var endpoint: String { sim.credentials.endpoint }
    public var account: String { sim.account }
    public let environment: [String: String?]
    public let secrets: [String]

    public init(_ options: [String]) throws {
        let folder = try TempFolder()
        process = try Subprocess(fotaBinary, ["sim", "--port", "0"] + options, in: folder.path)
        let deadline = Date().addingTimeInterval(30)
        var first: SimulatorCredentials? = nil
        while first == nil && Date() < deadline {
            usleep(20_000)
            let out = (try? String(contentsOfFile: "/proc/\(process.pid)/fd/1", encoding: .utf8)) ?? ""
            if let line = out.split(separator: "\n").first {
                first = try? JSONDecoder().decode(SimulatorCredentials.self, from: Data(line.utf8))
            }
        }
        guard let first else { throw CLITestFailure("fota sim printed no JSON line") }
        sim = Sim(remote: first)
        environment = [
            "THINGSPACE_CLIENT_ID": first.clientId, "THINGSPACE_CLIENT_SECRET": first.clientSecret,
            "THINGSPACE_USERNAME": first.username, "THINGSPACE_PASSWORD": first.password,
            "XDG_CONFIG_HOME": "/nonexistent",
        ]
        secrets = [first.clientSecret, first.password]
    }

    deinit {
        // A graceful stop waits for requests still sleeping in the simulated latency; a test
        // that is done with the simulator does not need to wait for them.
        kill(process.pid, SIGTERM)
        let deadline = Date().addingTimeInterval(3)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.pid, SIGKILL) }
        _ = process.wait(limit: 10)
    }

    public func options(journal: String) -> [String] {
        ["--endpoint", endpoint, "--account", account, "--journal", journal]
    }

    /// One request to the simulator's control API (`/_sim/…`, blocking): the HTTP status and the body;
    /// status 0 and no body when the simulator could not be reached.
    public func control(_ method: String, _ path: String, body: String? = nil) throws -> (status: Int, body: Data?) {
        do {
            let reply = try sim.http.sendBlocking(
                HTTPMethod(rawValue: method), path, body: body.map { Data($0.utf8) },
                headers: body == nil ? [] : [("Content-Type", "application/json")])
            return (reply.status, reply.body)
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw CLITestFailure("no answer from \(path)")
        } catch {
            return (0, nil)
        }
    }

    /// Waits until `count` requests of `method` (any method when nil) have reached the simulator,
    /// counted on arrival, before its latency; throws after 30 s.
    public func waitForArrivals(_ method: String?, atLeast count: Int) throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let data = try? control("GET", "/_sim/requests/counts").body,
                let counts = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let arrived = counts["arrivedByMethod"] as? [String: Int],
                (method.map { arrived[$0] ?? 0 } ?? arrived.values.reduce(0, +)) >= count
            {
                return
            }
            usleep(20_000)
        }
        throw CLITestFailure("fewer than \(count) \(method ?? "") requests reached the simulator in 30 s")
    }
}
