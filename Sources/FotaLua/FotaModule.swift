import Foundation
import LuaHost
import ThingSpace

/// Installs `fota`, `json`, `log` and `files` in a sandboxed state. Host
/// tables are read-only; their functions are documented in `FotaDocs`
/// (the same text as docs/lua-api.md and fota.d.lua).
public enum FotaModule {
    public static func install(in state: LuaState, runtime: FotaRuntime) throws {
        _ = try state.run(Prelude.errorMetatable, chunkName: "=(fota)")
        let calls = FotaCalls(runtime: runtime, errorMetatable: try state.reference(global: "__fota_error_mt"))
        try state.setGlobal("__fota_error_mt", .nil)

        var fota: [LuaKey: LuaValue] = [:]
        func add(_ name: String, _ function: @escaping LuaHostFunction) {
            fota[.string(LuaString(name))] = state.register(calls.guarded(name, function), doc: FotaDocs.fota[name], name: "fota." + name)
        }
        add("append") { try calls.change(.append, $0, &$1) }
        add("remove") { try calls.change(.remove, $0, &$1) }
        add("upgrade") { try calls.upgrade($0, &$1) }
        add("schedule") { try calls.schedule($0, &$1) }
        add("cancel") { try calls.cancel($0, &$1) }
        add("firmware") { try calls.firmware($0, &$1) }
        add("history") { try calls.history($0, &$1) }
        add("devicesPage") { try calls.devicesPage($0, &$1) }
        add("upgradesPage") { try calls.upgradesPage($0, &$1) }
        // Taken by the prelude's iterators and removed from `fota` before the script runs.
        add("__devicesWalk") { try calls.openWalk(.devices, $0, &$1) }
        add("__upgradesWalk") { try calls.openWalk(.upgrades, $0, &$1) }
        add("__nextPage") { try calls.nextPage($0, &$1) }
        add("now") { try calls.now($0, &$1) }
        add("sleep") { try calls.sleep($0, &$1) }
        // Taken by the prelude's fota.wait (and os.time/os.date) and removed from `fota` too.
        add("__jump") { try calls.jump($0, &$1) }
        add("__fail") { try calls.fail($0, &$1) }
        if let account = runtime.settings.defaultAccount { fota["account"] = .string(account) }
        fota["mode"] = .string(runtime.settings.mode == .live ? "live" : runtime.settings.mode == .dryRun ? "dry-run" : "read-only")
        fota["__name"] = .string("fota")
        try state.setGlobal("fota", .map(fota))
        try UtilityModules.install(in: state, runtime: runtime)
        _ = try state.run(Prelude.iterators, chunkName: "=(fota)")
        _ = try state.run(Prelude.time(minimumEvery: runtime.settings.minimumWaitEvery), chunkName: "=(fota)")
        for name in ["fota", "json", "log", "files"] { try state.protectGlobal(name) }
    }
}

/// The host functions behind `fota.*`.
final class FotaCalls {
    let runtime: FotaRuntime
    let errorMetatable: Int32
    /// Open page walks of `fota.devices`/`fota.upgrades` loops, by handle (see `openWalk`).
    var walks = PageWalks()

    init(runtime: FotaRuntime, errorMetatable: Int32) {
        self.runtime = runtime
        self.errorMetatable = errorMetatable
    }

    /// Gives API errors this state's error metatable, and client errors a Lua shape.
    func guarded(_ call: String, _ body: @escaping LuaHostFunction) -> LuaHostFunction {
        let metatable = errorMetatable
        return { arguments, results in
            do {
                try body(arguments, &results)
            } catch var error as FotaCallError {
                error.metatable = metatable
                throw error
            } catch let error as ThingSpaceError {
                var wrapped = FotaCallError(call: call, error)
                wrapped.metatable = metatable
                throw wrapped
            }
        }
    }

    private func refuseIfReadOnly(_ call: String) throws {
        if runtime.settings.mode == .readOnly {
            throw FotaCallError(call: call, code: "READ_ONLY", message: "fota.\(call) changes ThingSpace and this run is \(runtime.settings.hints.readOnly)")
        }
    }

    // MARK: - The one path of every change

    /// What one change (append, remove, schedule, cancel) does at each step of `perform`.
    struct Change<Outcome> {
        var call: String
        /// The intent line's fields (the outcome line repeats them).
        var intent: [String: LuaValue]
        /// Dry run: check what can be checked, plan the step; the outcome line's extra fields and the result.
        var dryRun: () throws -> (fields: [String: LuaValue], result: LuaValue)
        /// Live: send the request.
        var send: () throws -> Outcome
        /// The outcome line's extra fields, and what was sent in words (for when that line cannot be written).
        var outcome: (Outcome) -> (fields: [String: LuaValue], sent: String)
        /// The result for the script; raises when ThingSpace refused the call as a whole.
        var result: (Outcome) throws -> LuaValue
    }

    /// Every change goes: refuse if read-only → journal the intent → dry-run branch or send →
    /// journal the outcome → result. A failure after the intent is journaled as the outcome.
    func perform<Outcome>(_ change: Change<Outcome>, _ results: inout LuaResults) throws {
        let call = change.call
        try refuseIfReadOnly(call)
        try runtime.record(call, phase: .intent, change.intent)
        let result: LuaValue
        do {
            if runtime.settings.mode == .dryRun {
                let planned = try change.dryRun()
                try runtime.record(call, phase: .outcome, change.intent.merging(planned.fields) { $1 })
                result = planned.result
            } else {
                let outcome = try change.send()
                let recorded = change.outcome(outcome)
                try runtime.record(call, phase: .outcome, change.intent.merging(recorded.fields) { $1 }, sent: recorded.sent)
                // The outcome is journaled: a refusal raised from here is not journaled twice.
                do { result = try change.result(outcome) } catch let error as FotaCallError { throw Journaled(error: error) }
            }
        } catch let journaled as Journaled {
            throw journaled.error
        } catch let error as FotaCallError where error.code == "JOURNAL" {
            throw error
        } catch {
            try? runtime.record(call, phase: .outcome, change.intent.merging(["error": .string("\(error)")]) { $1 })
            throw error
        }
        try results.push(result)
    }

    /// An error raised after the outcome line was written.
    private struct Journaled: Error { var error: FotaCallError }

    // MARK: - Changes

    func change(_ type: DeviceChangeType, _ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let call = type == .append ? "append" : "remove"
        let upgradeId = try arguments.upgradeId(1)
        let devices = try arguments.deviceList(2)
        let options = try arguments.options(3, allowed: ["account"])
        let account = try arguments.account(options, position: 3, runtime: runtime, callName: call)
        let stop = arguments.stopSignal
        let runtime = self.runtime
        try perform(Change<BulkChangeResult>(
            call: call,
            intent: ["account": .string(account), "upgradeId": .string(upgradeId), "devices": LuaModels.strings(devices.input)],
            dryRun: {
                try self.checkChangeable(upgradeId, account: account, call: call, stop: stop)
                runtime.plan.record(.change(call: call, account: account, upgradeId: upgradeId, devices: devices.deviceIds))
                return (["result": "dry run: not sent"],
                        LuaModels.dryRunChange(type, account: account, upgradeId: upgradeId, devices: devices))
            },
            send: {
                let client = try runtime.requireClient(call)
                let progress = runtime.settings.showProgress && devices.deviceIds.count > runtime.settings.batchSize
                    ? ProgressBar(label: "fota.\(call)") : nil
                defer { progress?.finish() }
                var bulk = BulkOptions(batchSize: runtime.settings.batchSize, concurrency: runtime.settings.concurrency)
                if let progress {
                    bulk.progress = { @Sendable (update: BulkProgress) in progress.update(done: update.done, total: update.total) }
                }
                let options = bulk
                return try waitFor(stop, call: "fota.\(call)") {
                    try await client.changeDevices(type, account: account, upgradeId: upgradeId, devices: devices, options: options)
                }
            },
            outcome: { result in
                var fields: [String: LuaValue] = ["outcome": Self.journalOutcome(result)]
                if let refusal = result.refusal { fields["error"] = .string("\(refusal)") }
                return (fields, "\(result.succeededCount) of \(result.count) devices succeeded, \(result.failedCount) failed, "
                            + "\(result.notSentCount) not sent")
            },
            result: { result in
                if let refusal = result.refusal {
                    var error = FotaCallError(call: call, refusal)
                    if result.succeededCount > 0 {
                        error.message += "; \(result.succeededCount) of \(result.count) devices had been changed before the refusal (see the journal)"
                    }
                    throw error
                }
                if !result.allSucceeded {
                    UtilityModules.log(
                        "warn", "fota.\(call): \(result.succeededCount) of \(result.count) devices succeeded; \(result.count - result.succeededCount) did not (see the result's 'failed' list and each device's outcome)")
                }
                return LuaModels.change(result)
            }), &results)
    }

    /// A dry run reads for real: the upgrade must exist and not have started,
    /// or the real call would be refused. Without credentials there is nothing to read.
    private func checkChangeable(_ upgradeId: String, account: String, call: String, stop: LuaStopSignal) throws {
        guard let client = runtime.client, !runtime.plan.isPlaceholder(upgradeId) else { return }
        let upgrade = try waitFor(stop, call: "fota.\(call)") { try await client.upgrade(account: account, upgradeId: upgradeId) }
        if let status = upgrade.status, status != .requestPending, status != .queued {
            throw FotaCallError(
                call: call, code: "NOT_CHANGEABLE",
                message: "upgrade \(upgradeId) is \(status.rawValue): ThingSpace refuses changes once an upgrade has started or ended")
        }
    }

    /// Per device: id, outcome word, status and reason, as the journal keeps them.
    static func journalOutcome(_ result: BulkChangeResult) -> LuaValue {
        .array(result.map { outcome in
            LuaModels.table([
                ("deviceId", .string(outcome.deviceId)), ("outcome", .string(LuaModels.outcomeWord(outcome.kind))),
                ("status", LuaModels.text(outcome.status)), ("reason", LuaModels.text(outcome.reason)),
                ("error", outcome.error.map { .string("\($0)") } ?? .nil),
            ])
        })
    }

    func schedule(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        guard arguments.typeName(1) == "table" else {
            throw LuaArgumentError(1, "table with firmwareName, firmwareTo, startDate and devices expected, got \(arguments.typeName(1))")
        }
        let fields = try arguments.options(
            1, allowed: ["firmwareName", "firmwareTo", "startDate", "endDate", "devices", "account"])
        func text(_ name: String, required: Bool = true) throws -> String? {
            switch fields[name] {
            case .string(let s)?: return s.description
            case nil where !required: return nil
            case nil: throw LuaArgumentError(1, "field '\(name)' is missing")
            case let other?: throw LuaArgumentError(1, "field '\(name)' must be a string, got \(other.typeName)")
            }
        }
        let firmwareName = try text("firmwareName")!
        let firmwareTo = try text("firmwareTo")!
        let startDate = try text("startDate")!
        let givenEndDate = try text("endDate", required: false)
        for (name, value) in [("startDate", startDate), ("endDate", givenEndDate ?? "")] where !value.isEmpty {
            do { try Validators.date(value, field: name) } catch {
                throw LuaArgumentError(1, "field '\(name)' \(quoted(value)) is not a date (YYYY-MM-DD)")
            }
        }
        // An upgrade always gets an end: without one ThingSpace would keep trying devices for as long as it likes.
        let endDate = try givenEndDate ?? Self.defaultEndDate(after: startDate)
        if endDate < startDate { // YYYY-MM-DD compares as text
            throw LuaArgumentError(1, "field 'endDate' \(quoted(endDate)) is before startDate \(quoted(startDate))")
        }
        let devices = try Self.devices(fields["devices"], position: 1)
        let account = try arguments.account(fields, position: 1, runtime: runtime, callName: "schedule")
        let request = UpgradeRequest(
            accountName: account, firmwareName: firmwareName, firmwareTo: firmwareTo, startDate: startDate,
            endDate: endDate, deviceList: devices)
        let stop = arguments.stopSignal
        let runtime = self.runtime
        try perform(Change<FirmwareUpgrade>(
            call: "schedule",
            intent: [
                "account": .string(account), "firmwareName": .string(firmwareName), "firmwareTo": .string(firmwareTo),
                "startDate": .string(startDate), "endDate": LuaModels.text(endDate), "devices": LuaModels.strings(devices),
            ],
            dryRun: {
                let placeholder = UUID().uuidString.lowercased()
                runtime.plan.record(.schedule(
                    account: account, firmwareName: firmwareName, firmwareTo: firmwareTo, startDate: startDate,
                    endDate: endDate, endDateDefaulted: givenEndDate == nil, devices: Set(devices).count,
                    placeholderId: placeholder))
                let simulated = FirmwareUpgrade(
                    id: placeholder, accountName: account, firmwareName: firmwareName, firmwareTo: firmwareTo,
                    startDate: startDate, endDate: endDate, status: .requestPending,
                    deviceList: devices.map { UpgradeDevice(deviceId: $0, status: "RequestPending") })
                var table = LuaModels.upgrade(simulated)
                if case .map(var entries) = table {
                    entries[.string("dryRun")] = .boolean(true)
                    table = .map(entries)
                }
                return (["result": "dry run: not sent", "upgradeId": .string(placeholder)], table)
            },
            send: {
                let client = try runtime.requireClient("schedule")
                return try waitFor(stop, call: "fota.schedule") { try await client.scheduleUpgrade(request) }
            },
            outcome: { upgrade in
                (["upgradeId": .string(upgrade.id), "status": LuaModels.text(upgrade.status?.rawValue)],
                 "upgrade \(upgrade.id) was scheduled")
            },
            result: { LuaModels.upgrade($0) }), &results)
    }

    /// Days between startDate and the endDate fota.schedule sends when the script gives none.
    public static let defaultCampaignDays = 14

    /// startDate + `defaultCampaignDays`, as YYYY-MM-DD (UTC).
    static func defaultEndDate(after startDate: String) throws -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = startDate.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3,
            let start = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
            let end = calendar.date(byAdding: .day, value: defaultCampaignDays, to: start)
        else { throw LuaArgumentError(1, "field 'startDate' \(quoted(startDate)) is not a date (YYYY-MM-DD)") }
        let day = calendar.dateComponents([.year, .month, .day], from: end)
        return String(format: "%04d-%02d-%02d", day.year!, day.month!, day.day!)
    }

    static func devices(_ value: LuaValue?, position: Int) throws -> [String] {
        let items: [LuaValue]
        switch value {
        case .array(let elements)?: items = elements
        case .string?: items = [value!]
        case nil: throw LuaArgumentError(position, "field 'devices' is missing")
        default: throw LuaArgumentError(position, "field 'devices' must be an array of IMEI strings")
        }
        guard !items.isEmpty else { throw LuaArgumentError(position, "field 'devices' is empty") }
        return try items.enumerated().map { index, item in
            guard case .string(let s) = item else {
                throw LuaArgumentError(position, "devices[\(index + 1)] is a \(item.typeName), not an IMEI string")
            }
            guard (try? Validators.imei(s.description)) != nil else {
                throw LuaArgumentError(position, "devices[\(index + 1)] \(quoted(s.description)) is not an IMEI (15 digits)")
            }
            return s.description
        }
    }

    func cancel(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let upgradeId = try arguments.upgradeId(1)
        let options = try arguments.options(2, allowed: ["account"])
        let account = try arguments.account(options, position: 2, runtime: runtime, callName: "cancel")
        let stop = arguments.stopSignal
        let runtime = self.runtime
        try perform(Change<Bool>(
            call: "cancel",
            intent: ["account": .string(account), "upgradeId": .string(upgradeId)],
            dryRun: {
                try self.checkChangeable(upgradeId, account: account, call: "cancel", stop: stop)
                runtime.plan.record(.cancel(account: account, upgradeId: upgradeId))
                return (["result": "dry run: not sent"],
                        LuaModels.table([("success", .boolean(true)), ("id", .string(upgradeId)), ("dryRun", .boolean(true))]))
            },
            send: {
                let client = try runtime.requireClient("cancel")
                return try waitFor(stop, call: "fota.cancel") { try await client.cancelUpgrade(account: account, upgradeId: upgradeId) }
            },
            outcome: { success in
                (["success": .boolean(success)], success ? "the upgrade was cancelled" : "ThingSpace answered success = false")
            },
            result: { success in LuaModels.table([("success", .boolean(success)), ("id", .string(upgradeId))]) }), &results)
    }

    // MARK: - Reads

    /// The opening every read call shares: its options table at `position` → the account → the
    /// client → wait for `body`, interruptible by Ctrl-C and limits.
    func read<T: Sendable>(_ arguments: borrowing LuaArguments, optionsAt position: Int, call: String,
                           _ body: @escaping @Sendable (ThingSpaceClient, String) async throws -> T) throws -> T {
        let options = try arguments.options(position, allowed: ["account"])
        let account = try arguments.account(options, position: position, runtime: runtime, callName: call)
        let client = try runtime.requireClient(call)
        return try waitFor(arguments.stopSignal, call: "fota.\(call)") { try await body(client, account) }
    }

    func upgrade(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let upgradeId = try arguments.upgradeId(1)
        let upgrade = try read(arguments, optionsAt: 2, call: "upgrade") { client, account in
            try await client.upgrade(account: account, upgradeId: upgradeId)
        }
        try results.push(LuaModels.upgrade(upgrade))
    }

    func firmware(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let list = try read(arguments, optionsAt: 1, call: "firmware") { client, account in
            try await client.listFirmware(account: account)
        }
        try results.push(.array(list.map(LuaModels.firmware)))
    }

    func history(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let imei = try arguments.requiredString(1, what: "IMEI")
        guard (try? Validators.imei(imei)) != nil else { throw LuaArgumentError(1, "\(quoted(imei)) is not an IMEI (15 digits)") }
        let list = try read(arguments, optionsAt: 2, call: "history") { client, account in
            try await client.deviceHistory(account: account, deviceId: imei)
        }
        try results.push(.array(list.map(LuaModels.history)))
    }

    func devicesPage(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let cursor = arguments.isNil(1) ? "0" : try arguments.requiredString(1, what: "cursor")
        guard cursor == "0" || (try? Validators.imei(cursor)) != nil else {
            throw LuaArgumentError(1, "cursor \(quoted(cursor)) is neither \"0\" nor an IMEI from a previous page")
        }
        let page = try read(arguments, optionsAt: 2, call: "devices") { client, account in
            try await client.accountDevicesPage(account: account, startIndex: cursor)
        }
        try results.push(LuaModels.devicesPage(page))
    }

    func upgradesPage(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let status = try Self.reportStatus(arguments, 1)
        let cursor = arguments.isNil(2) ? "0" : try arguments.requiredString(2, what: "cursor")
        let page = try read(arguments, optionsAt: 3, call: "upgrades") { client, account in
            try await client.upgradesPage(account: account, status: status, startIndex: cursor)
        }
        try results.push(LuaModels.upgradesPage(page))
    }

    static func reportStatus(_ arguments: borrowing LuaArguments, _ position: Int) throws -> String {
        let status = try arguments.requiredString(position, what: "status")
        do { _ = try Validators.reportStatus(status) } catch {
            throw LuaArgumentError(position, "status \(quoted(status)) is not one of \(UpgradeStatus.reportable.map(\.rawValue).joined(separator: ", "))")
        }
        return status
    }

    // MARK: - Time

    func now(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        results.push(number: try runtime.clock.now(arguments.stopSignal, call: "now"))
    }

    func sleep(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let seconds = try arguments.number(1)
        guard seconds.isFinite, seconds >= 0 else {
            throw LuaArgumentError(1, "seconds must be a number of seconds, 0 or more, got \(seconds)")
        }
        guard seconds <= Self.longestSleep else {
            throw LuaArgumentError(1, "seconds must be at most \(Int(Self.longestSleep)) (a year), got \(seconds)")
        }
        try runtime.clock.sleep(seconds, arguments.stopSignal, call: "sleep")
    }

    /// Longest single fota.sleep: a year, far beyond any campaign, far inside what the simulator's clock accepts.
    static let longestSleep = 366.0 * 86_400

    /// `__jump(upgradeId, deadline, statusOnly)`: false when live; in a rehearsal it moves the
    /// simulated clock until the upgrade changes (see CampaignClock.jump) and says why it stopped:
    /// "changed", "deadline" or "never".
    func jump(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let upgradeId = try arguments.upgradeId(1)
        let deadline = arguments.isNil(2) ? nil : try arguments.number(2)
        let statusOnly = arguments.boolean(3)
        guard let why = try runtime.clock.jump(
            upgradeId: upgradeId, deadline: deadline, statusOnly: statusOnly, arguments.stopSignal, call: "wait")
        else {
            results.push(boolean: false)
            return
        }
        results.push(string: why.rawValue)
    }

    /// `__fail(call, code, message)`: raises the fota error table, for API errors found in Lua (fota.wait's TIMEOUT).
    func fail(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        throw FotaCallError(
            call: try arguments.string(1).description, code: try arguments.string(2).description,
            message: try arguments.string(3).description)
    }

    // MARK: - Page walks behind fota.devices and fota.upgrades

    enum Listing { case devices, upgrades }

    /// `devices([opts])` / `upgrades(status, [opts])` from the prelude: checks the arguments now
    /// (so a bad one fails at the call, not at the first loop step) and returns a handle for
    /// `nextPage`. The walk's state, with its guard against cursors that do not move, stays here.
    func openWalk(_ listing: Listing, _ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let call = listing == .devices ? "devices" : "upgrades"
        var status: String?
        if listing == .upgrades { status = try Self.reportStatus(arguments, 1) }
        let position = listing == .devices ? 1 : 2
        let options = try arguments.options(position, allowed: ["account"])
        let account = try arguments.account(options, position: position, runtime: runtime, callName: call)
        _ = try runtime.requireClient(call)
        let walk = OpenWalk(
            listing: listing, account: account, status: status,
            walk: PageWalk(listing: listing == .devices ? "device list" : "upgrade report"))
        results.push(integer: Int64(walks.open(walk)))
    }

    /// The items of the walk's next page, or nil when the walk is over.
    func nextPage(_ arguments: borrowing LuaArguments, _ results: inout LuaResults) throws {
        let handle = Int(try arguments.integer(1))
        guard var walk = walks[handle] else {
            throw FotaCallError(call: "devices", code: "WALK_CLOSED",
                                message: "this listing loop was closed: more than \(PageWalks.limit) loops were left open at once")
        }
        let call = walk.listing == .devices ? "devices" : "upgrades"
        let cursor: String?
        do { cursor = try walk.walk.nextCursor() } catch {
            walks[handle] = nil
            throw FotaCallError(call: call, error)
        }
        guard let cursor else {
            walks[handle] = nil
            results.pushNil()
            return
        }
        let client = try runtime.requireClient(call)
        let account = walk.account
        let items: [LuaValue]
        do {
            items = try fetchPage(&walk, cursor: cursor, client: client, account: account, stop: arguments.stopSignal)
        } catch let error as ThingSpaceError {
            walks[handle] = nil
            throw FotaCallError(call: call, error)
        }
        walks[handle] = walk
        try results.push(.array(items))
    }

    private func fetchPage(_ walk: inout OpenWalk, cursor: String, client: ThingSpaceClient, account: String,
                           stop: LuaStopSignal) throws -> [LuaValue] {
        let items: [LuaValue]
        switch walk.listing {
        case .devices:
            let page = try waitFor(stop, call: "fota.devices") {
                try await client.accountDevicesPage(account: account, startIndex: cursor)
            }
            walk.walk.accept(hasMore: page.hasMoreData, next: page.lastSeenDeviceId)
            items = page.deviceList.map(LuaModels.device)
        case .upgrades:
            let status = walk.status ?? ""
            let page = try waitFor(stop, call: "fota.upgrades") {
                try await client.upgradesPage(account: account, status: status, startIndex: cursor)
            }
            walk.walk.accept(hasMore: page.hasMoreFlag, next: page.lastSeenUpgradeId)
            items = page.reportList.map(LuaModels.upgrade)
        }
        return items
    }
}

/// One open walk of a listing loop.
struct OpenWalk {
    var listing: FotaCalls.Listing
    var account: String
    var status: String?
    var walk: PageWalk
}

/// The open walks of a run, by handle. A loop left with `break` never finishes its walk, so the
/// oldest walks are dropped beyond `limit` (a script keeps far fewer loops open at once).
struct PageWalks {
    static let limit = 64
    private var walks: [Int: OpenWalk] = [:]
    private var order: [Int] = []
    private var next = 1

    mutating func open(_ walk: OpenWalk) -> Int {
        let handle = next
        next += 1
        walks[handle] = walk
        order.append(handle)
        if order.count > Self.limit { walks[order.removeFirst()] = nil }
        return handle
    }

    subscript(handle: Int) -> OpenWalk? {
        get { walks[handle] }
        set {
            walks[handle] = newValue
            if newValue == nil { order.removeAll { $0 == handle } }
        }
    }
}
