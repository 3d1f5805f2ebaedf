import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// The bulk sender: device lists of any length split into batches, sent with bounded
/// concurrency and merged into one result.
extension ThingSpaceClient {
    /// Adds (`.append`) or removes (`.remove`) any number of devices: validated, de-duplicated,
    /// split into batches sent with bounded concurrency. Every distinct device appears exactly once
    /// in the result, in input order. Throws only for validation errors; request failures become
    /// `.notSent` outcomes carrying the error.
    public func changeDevices(_ type: DeviceChangeType, account: String, upgradeId: String, devices: [String],
                              options: BulkOptions? = nil) async throws -> BulkChangeResult {
        try await changeDevices(type, account: account, upgradeId: upgradeId, devices: try PreparedDevices(devices),
                                options: options)
    }

    /// `changeDevices` for a list already prepared (validated and de-duplicated once by the caller).
    ///
    /// A batch that fails after its retries is reported per device (`.notSent`) and the other
    /// batches go on, except when the failure concerns every batch alike: refused credentials, or
    /// ThingSpace refusing the call as a whole (a 4xx such as an unknown or started upgrade, set
    /// as `refusal`). After an ambiguous failure (the request may have been applied but its answer
    /// was lost) the upgrade is read back and such devices are reported by what ThingSpace holds.
    public func changeDevices(_ type: DeviceChangeType, account: String, upgradeId: String, devices input: PreparedDevices,
                              options: BulkOptions? = nil) async throws -> BulkChangeResult {
        try Validators.account(account)
        try Validators.upgradeId(upgradeId)
        let options = options ?? BulkOptions(batchSize: configuration.batchSize, concurrency: configuration.concurrency)
        let ids = input.deviceIds
        let total = ids.count
        let batchSize = options.batchSize
        let batchCount = (total + batchSize - 1) / batchSize
        let path = "\(Self.fotaBase)/upgrades/\(account)/upgrade/\(upgradeId)"
        var builder = BulkResultBuilder(count: total)
        var done = 0

        // `concurrency` workers each take the next batch as soon as their previous answer has
        // arrived, and hand the raw answer over a stream; parsing and merging happen here. No
        // task hop sits between one answer and the next request on a connection.
        let claims = NIOLockedValueBox(BatchClaims())
        let (answers, delivery) = AsyncStream<BatchAnswer>.makeStream()
        let client = self
        let workers = min(batchCount, options.concurrency)
        async let sending: Void = withTaskGroup(of: Void.self) { group in
            for _ in 0..<workers {
                group.addTask {
                    while let batch = claims.withLockedValue({ $0.claim(below: batchCount) }) {
                        let range = batch * batchSize..<min(total, (batch + 1) * batchSize)
                        if let willSend = options.willSendBatch {
                            do {
                                try willSend(BulkBatch(index: batch, count: batchCount, deviceIds: ids[range]))
                            } catch {
                                // Not sent, and no later batch will be: the error ends the change.
                                claims.withLockedValue { $0.abandon(error) }
                                break
                            }
                        }
                        let body = Self.encodeChange(type, ids[range])
                        let result: Result<TransportResponse, ThingSpaceError>
                        let ambiguous: Bool
                        do {
                            let response = try await client.call(.PUT, path, body: body, safety: .idempotent)
                            result = .success(response)
                            ambiguous = response.afterAmbiguousAttempt
                        } catch {
                            let failure = client.asThingSpaceError(error, method: "PUT", path: path)
                            // Credentials or the call itself were refused: sending the rest would
                            // only repeat the refusal.
                            if failure.isFatalForClient || failure.isWholeCallRefusal {
                                claims.withLockedValue { $0.stop(failure) }
                            }
                            result = .failure(failure)
                            ambiguous = Self.isAmbiguous(failure)
                        }
                        delivery.yield(BatchAnswer(range: range, result: result, ambiguous: ambiguous))
                    }
                }
            }
            await group.waitForAll()
            delivery.finish()
        }
        // Devices whose outcome the answers cannot settle: their batch failed after the request may
        // have been acted on, or its answer may describe a repeat of a request already applied
        // (so "Device already in upgrade" may mean "added by the attempt whose answer was lost").
        var unsettled: [Int] = []
        // Batches whose outcome waits for the read-back (their answer was lost).
        var awaitingReadBack: [Range<Int>] = []
        // The first error of a batch hook: it stops the change and is rethrown at the end.
        var hookError: (any Error)?
        func report(_ range: Range<Int>, settled: Bool) {
            guard let didFinish = options.didFinishBatch, hookError == nil else { return }
            let batch = BulkBatch(index: range.lowerBound / batchSize, count: batchCount, deviceIds: ids[range])
            let outcomes = range.map { builder.outcome($0, deviceIds: ids, positions: input.positions) }
            do {
                try didFinish(BulkBatchReport(batch: batch, outcomes: outcomes, settled: settled))
            } catch {
                hookError = error
                claims.withLockedValue { $0.halt() }
            }
        }
        for await answer in answers {
            switch answer.result.flatMap({ response in decodeChange(response, path: path) }) {
            case .success(let response):
                builder.record(type, range: answer.range, deviceIds: ids, response: response)
                if answer.ambiguous { unsettled += answer.range.filter { builder.kinds[$0] != .succeeded } }
            case .failure(let error):
                builder.recordNotSent(range: answer.range, error: error)
                if answer.ambiguous { unsettled += answer.range }
            }
            if answer.ambiguous { awaitingReadBack.append(answer.range) } else { report(answer.range, settled: true) }
            done += answer.range.count
            options.progress?(BulkProgress(done: done, total: total))
        }
        await sending
        let final = claims.withLockedValue { $0 }
        if let fatal = final.stopped, final.next < batchCount {
            builder.recordNotSent(range: min(total, final.next * batchSize)..<total, error: fatal)
            options.progress?(BulkProgress(done: total, total: total))
        }
        var settled = true
        if !unsettled.isEmpty {
            settled = await settleByReadingBack(type, account: account, upgradeId: upgradeId, indices: unsettled,
                                                deviceIds: ids, builder: &builder)
        }
        for range in awaitingReadBack { report(range, settled: settled) }
        if let error = hookError ?? final.abandoned { throw error }
        let refusal = final.stopped.flatMap { $0.isWholeCallRefusal ? $0 : nil }
        return BulkChangeResult(
            type: type, account: account, upgradeId: upgradeId, devices: input, refusal: refusal,
            kinds: builder.kinds, statusIndex: builder.statusIndex,
            reasonIndex: builder.reasonIndex, strings: builder.strings, errors: builder.errors)
    }

    struct BatchAnswer: Sendable {
        var range: Range<Int>
        var result: Result<TransportResponse, ThingSpaceError>
        /// The request may have been applied without this answer saying so.
        var ambiguous: Bool
    }

    /// Reads the upgrade back once and reports each unsettled device by what ThingSpace now
    /// holds: succeeded if it is in the upgrade after an append (or out of it after a remove).
    /// The others keep the outcome their answer gave. If the read-back fails, nothing changes
    /// and the reason says the outcome is unknown.
    /// Returns false when the read-back failed.
    @discardableResult
    func settleByReadingBack(_ type: DeviceChangeType, account: String, upgradeId: String, indices: [Int],
                             deviceIds: [String], builder: inout BulkResultBuilder) async -> Bool {
        logger.notice("\(indices.count) device(s) of a \(type.rawValue) got no certain answer; reading upgrade \(upgradeId) back")
        let held: Set<String>
        do {
            held = Set(try await upgrade(account: account, upgradeId: upgradeId).deviceList.map(\.deviceId))
        } catch {
            let reason = "outcome unknown: the answer was lost and reading the upgrade back failed (\(describe(error)))"
            for index in indices where builder.kinds[index] != .succeeded { builder.annotate(index, reason: reason) }
            return false
        }
        let confirmed = type == .append ? "AddDeviceSucceed" : "RemoveDeviceSucceed"
        let reason = type == .append
            ? "in the upgrade when read back after an answer was lost"
            : "not in the upgrade when read back after an answer was lost"
        for index in indices where held.contains(deviceIds[index]) == (type == .append) {
            builder.confirm(index, status: confirmed, reason: reason)
        }
        return true
    }

    /// Which batch goes next, shared by the bulk workers.
    struct BatchClaims: Sendable {
        var next = 0
        var stopped: ThingSpaceError?
        /// The error of a `willSendBatch` hook that kept a batch from being sent.
        var abandoned: (any Error)?
        /// A `didFinishBatch` hook failed: no further batch is claimed.
        var halted = false

        mutating func claim(below count: Int) -> Int? {
            guard stopped == nil, abandoned == nil, !halted, next < count else { return nil }
            defer { next += 1 }
            return next
        }

        mutating func stop(_ error: ThingSpaceError) {
            if stopped == nil { stopped = error }
        }

        mutating func abandon(_ error: any Error) {
            if abandoned == nil { abandoned = error }
        }

        mutating func halt() { halted = true }
    }

    /// The single-pass parser, or the lenient `Decodable` path when it declines.
    func decodeChange(_ response: TransportResponse, path: String) -> Result<DeviceChangeResponse, ThingSpaceError> {
        if let fast = response.body.withUnsafeReadableBytes({ ChangeResponseParser.parse($0) }) {
            return .success(fast)
        }
        do {
            return .success(try decode(DeviceChangeResponse.self, response, path: path, method: "PUT"))
        } catch {
            return .failure(asThingSpaceError(error, method: "PUT", path: path))
        }
    }

    /// Shorthand for `changeDevices(.append, ...)`.
    public func addDevices(account: String, upgradeId: String, devices: [String], options: BulkOptions? = nil) async throws
        -> BulkChangeResult
    {
        try await changeDevices(.append, account: account, upgradeId: upgradeId, devices: devices, options: options)
    }

    /// Shorthand for `changeDevices(.remove, ...)`.
    public func removeDevices(account: String, upgradeId: String, devices: [String], options: BulkOptions? = nil) async throws
        -> BulkChangeResult
    {
        try await changeDevices(.remove, account: account, upgradeId: upgradeId, devices: devices, options: options)
    }

    /// `{"type":"append","deviceList":["…",…]}` written straight into a buffer: IMEIs are
    /// validated digits, so no escaping is needed and no intermediate objects are built.
    static func encodeChange(_ type: DeviceChangeType, _ ids: ArraySlice<String>) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 40 + ids.count * 18)
        buffer.writeStaticString("{\"type\":\"")
        buffer.writeString(type.rawValue)
        buffer.writeStaticString("\",\"deviceList\":[")
        var first = true
        for id in ids {
            if !first { buffer.writeStaticString(",") }
            first = false
            buffer.writeStaticString("\"")
            buffer.writeString(id)
            buffer.writeStaticString("\"")
        }
        buffer.writeStaticString("]}")
        return buffer
    }
}
