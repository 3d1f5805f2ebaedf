import Foundation
import LuaHost
import ThingSpace

/// The read calls: fota.upgrade, fota.firmware, fota.history and the page calls.
extension FotaCalls {
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
        // A dry run's placeholder exists only in its plan: read it from there.
        if runtime.settings.mode == .dryRun, let planned = plannedUpgradeTable(upgradeId) { return try results.push(planned) }
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
        let options = try arguments.options(2, allowed: ["account", "clientType"])
        let clientType = try Self.clientType(options, position: 2)
        let account = try arguments.account(options, position: 2, runtime: runtime, callName: "devicesPage")
        let client = try runtime.requireClient("devicesPage")
        let page = try waitFor(arguments.stopSignal, call: "fota.devicesPage") {
            try await client.accountDevicesPage(account: account, startIndex: cursor, clientType: clientType)
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

    /// `opts.clientType`: OMADM or LWM2M (ThingSpace's device client types), or absent for all devices.
    static func clientType(_ options: [String: LuaValue], position: Int) throws -> String? {
        switch options["clientType"] {
        case nil, .nil?: return nil
        case .string(let s)? where s.description == "OMADM" || s.description == "LWM2M": return s.description
        case .string(let s)?: throw LuaArgumentError(position, "opts.clientType \(quoted(s.description)) is not OMADM or LWM2M")
        case let other?: throw LuaArgumentError(position, "opts.clientType must be \"OMADM\" or \"LWM2M\", got \(other.typeName)")
        }
    }

    static func reportStatus(_ arguments: borrowing LuaArguments, _ position: Int) throws -> String {
        let status = try arguments.requiredString(position, what: "status")
        do { _ = try Validators.reportStatus(status) } catch {
            throw LuaArgumentError(position, "status \(quoted(status)) is not one of \(UpgradeStatus.reportable.map(\.rawValue).joined(separator: ", "))")
        }
        return status
    }
}
