import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// A decoded HTTP answer from the simulator.
public struct HTTPReply: Sendable {
    public let status: Int
    public let headers: HTTPHeaders
    public let body: Data

    /// The body as a JSON object (fails the test when it is not one).
    public var object: [String: Any] {
        get throws {
            let value = try JSONSerialization.jsonObject(with: body)
            return try #require(value as? [String: Any], "not a JSON object: \(String(decoding: body, as: UTF8.self))")
        }
    }

    public var array: [[String: Any]] {
        get throws {
            let value = try JSONSerialization.jsonObject(with: body)
            return try #require(value as? [[String: Any]], "not a JSON array: \(String(decoding: body, as: UTF8.self))")
        }
    }

    /// `errorCode` of a `{errorCode, errorMessage}` body.
    public var errorCode: String? { try? object["errorCode"] as? String }
    public var errorMessage: String? { try? object["errorMessage"] as? String }
    /// `fault.code` of a gateway fault body.
    public var faultCode: String? { ((try? object["fault"]) as? [String: Any])?["code"] as? String }
}

/// The one HTTP client tests use to talk to a simulator (its API and its `/_sim` control API),
/// wherever the simulator runs. Requests run on the shared client's event loops, so a
/// synchronous test can wait for one without holding up the concurrency pool's threads.
public struct SimulatorHTTP: Sendable {
    /// The simulator's base URL, e.g. `http://127.0.0.1:8787`.
    public let base: String

    public init(base: String) { self.base = base }

    public func send(_ method: HTTPMethod, _ path: String, body: Data? = nil, headers: [(String, String)] = [],
                     timeout: TimeAmount = .seconds(60)) async throws -> HTTPReply {
        try await start(method, path, body: body, headers: headers, timeout: timeout).get()
    }

    /// `send` for synchronous tests: blocks the calling thread until the answer is in.
    public func sendBlocking(_ method: HTTPMethod, _ path: String, body: Data? = nil, headers: [(String, String)] = [],
                             timeout: TimeAmount = .seconds(60)) throws -> HTTPReply {
        try start(method, path, body: body, headers: headers, timeout: timeout).wait()
    }

    /// A control call under /_sim (`path` starts with "/").
    public func control(_ method: HTTPMethod, _ path: String, json: String? = nil, timeout: TimeAmount = .seconds(60))
        async throws -> HTTPReply
    {
        try await send(method, "/_sim" + path, body: json.map { Data($0.utf8) }, headers: [("Content-Type", "application/json")],
                       timeout: timeout)
    }

    /// `send` with an optional JSON body (labelled as such); the answer as a JSON object
    /// (`[:]` when it is another JSON value; throws when it is not JSON).
    public func object(_ method: HTTPMethod, _ path: String, json: String? = nil, timeout: TimeAmount = .seconds(60))
        async throws -> [String: Any]
    {
        let reply = try await send(method, path, body: json.map { Data($0.utf8) },
                                   headers: json == nil ? [] : [("Content-Type", "application/json")], timeout: timeout)
        return (try JSONSerialization.jsonObject(with: reply.body) as? [String: Any]) ?? [:]
    }

    private func start(_ method: HTTPMethod, _ path: String, body: Data?, headers: [(String, String)], timeout: TimeAmount)
        throws -> EventLoopFuture<HTTPReply>
    {
        var request = try HTTPClient.Request(url: base + path, method: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .byteBuffer(ByteBuffer(bytes: body)) }
        return HTTPClient.shared.execute(request: request, deadline: .now() + timeout).map { response in
            HTTPReply(status: Int(response.status.code), headers: response.headers,
                      body: response.body.map { Data($0.readableBytesView) } ?? Data())
        }
    }
}
