import ArgumentParser
import ThingSpace

/// `fota upgrades [--status S]…`: the upgrade report of the account, every status unless some are named.
struct UpgradesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upgrades",
        abstract: "List the account's upgrades (read-only).",
        discussion: """
            Walks the upgrade report of each status given (all six when none is): \
            \(UpgradeStatus.reportable.map(\.rawValue).joined(separator: ", ")). \
            JSON has the fields of fota.upgrade in Lua; the table and CSV have one row per upgrade, \
            with the number of its devices. Exit status 0, or 1 when ThingSpace could not answer.
            """)

    @Option(name: .customLong("status"), help: ArgumentHelp("Only upgrades in this status (repeatable).", valueName: "status"))
    var statuses: [String] = []

    @OptionGroup(title: "Output") var output: OutputOptions
    @OptionGroup(title: "ThingSpace") var connection: ConnectionOptions

    static let columns = ["id", "status", "firmwareName", "firmwareTo", "startDate", "endDate", "deviceList"]

    func validate() throws {
        let known = UpgradeStatus.reportable.map(\.rawValue)
        for status in statuses where !known.contains(status) {
            throw ValidationError("--status '\(status)' is not one of \(known.joined(separator: ", "))")
        }
    }

    func run() throws {
        let statuses = self.statuses.isEmpty ? UpgradeStatus.reportable.map(\.rawValue) : self.statuses
        try QueryRun.run("upgrades", connection: connection, output: output) { client, account in
            var seen = Set<String>()
            var records: [QueryValue] = []
            for status in statuses where seen.insert("status " + status).inserted {
                for try await upgrade in try client.upgrades(account: account, status: status) {
                    // An upgrade changing status between two pages could be listed under both.
                    guard seen.insert(upgrade.id).inserted else { continue }
                    records.append(QueryRecords.upgrade(upgrade))
                }
            }
            return QueryAnswer(json: .list(records), columns: Self.columns, records: records)
        }
    }
}

/// `fota upgrade ID`: one upgrade with its devices.
struct UpgradeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upgrade",
        abstract: "Show one upgrade and its devices (read-only).",
        discussion: """
            JSON is the upgrade as fota.upgrade returns it in Lua; the table and CSV have one row per \
            device, after the upgrade's own columns. Exit status 0, or 1 when ThingSpace could not \
            answer (an unknown upgrade among others).
            """)

    @Argument(help: ArgumentHelp("The upgrade's id (a UUID).", valueName: "id"))
    var upgradeId: String

    @OptionGroup(title: "Output") var output: OutputOptions
    @OptionGroup(title: "ThingSpace") var connection: ConnectionOptions

    static let columns = ["id", "status", "firmwareName", "firmwareTo", "startDate", "endDate", "deviceId", "deviceStatus", "reason"]

    func validate() throws {
        do { try Validators.upgradeId(upgradeId) } catch { throw ValidationError("'\(upgradeId)' is not an upgrade id: a UUID like 3f2b6c1e-9a4d-4f7e-8b2a-1c5d6e7f8a9b") }
    }

    func run() throws {
        let upgradeId = self.upgradeId
        try QueryRun.run("upgrade", connection: connection, output: output) { client, account in
            let upgrade = QueryRecords.upgrade(try await client.upgrade(account: account, upgradeId: upgradeId))
            var rows: [QueryValue] = []
            var summary: [String: QueryValue] = [:]
            if case .object(let fields) = upgrade { summary = fields.filter { $0.key != "deviceList" } }
            if case .list(let devices)? = upgrade["deviceList"] {
                for device in devices {
                    var row = summary
                    row["deviceId"] = device["deviceId"]
                    row["deviceStatus"] = device["status"]
                    row["reason"] = device["reason"]
                    rows.append(.object(row))
                }
            }
            if rows.isEmpty { rows = [.object(summary)] } // an upgrade without devices still shows its own columns
            return QueryAnswer(json: upgrade, columns: Self.columns, records: rows)
        }
    }
}
