import ArgumentParser
import ThingSpace

/// `fota devices [--model M] [--firmware V] [--eligible] [--licensed]`: the account's devices.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the account's devices, optionally filtered (read-only).",
        discussion: """
            Walks every page of the device list and keeps the devices that match all the filters \
            given. JSON has the fields of fota.devices in Lua. Exit status 0 (also when no device \
            matches), or 1 when ThingSpace could not answer.
            """)

    @Option(help: ArgumentHelp("Only devices of this model.", valueName: "model"))
    var model: String?

    @Option(help: ArgumentHelp("Only devices running this firmware version.", valueName: "version"))
    var firmware: String?

    @Flag(help: "Only devices ThingSpace marks FOTA-eligible.")
    var eligible = false

    @Flag(help: "Only devices that hold a FOTA licence.")
    var licensed = false

    @OptionGroup(title: "Output") var output: OutputOptions
    @OptionGroup(title: "ThingSpace") var connection: ConnectionOptions

    static let columns = ["deviceId", "mdn", "make", "model", "firmware", "fotaEligible", "licenseAssigned", "upgradeTime"]

    func matches(_ device: AccountDevice) -> Bool {
        if let model, device.model != model { return false }
        if let firmware, device.firmware != firmware { return false }
        if eligible, device.fotaEligible != true { return false }
        if licensed, device.licenseAssigned != true { return false }
        return true
    }

    func run() throws {
        let filter = self
        try QueryRun.run("devices", connection: connection, output: output) { client, account in
            var records: [QueryValue] = []
            for try await device in try client.accountDevices(account: account) where filter.matches(device) {
                records.append(QueryRecords.device(device))
            }
            return QueryAnswer(json: .list(records), columns: Self.columns, records: records)
        }
    }
}

/// `fota firmware`: the firmware images available to the account.
struct FirmwareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "firmware",
        abstract: "List the firmware images available to the account (read-only).",
        discussion: "JSON has the fields of fota.firmware in Lua. Exit status 0, or 1 when ThingSpace could not answer.")

    @OptionGroup(title: "Output") var output: OutputOptions
    @OptionGroup(title: "ThingSpace") var connection: ConnectionOptions

    static let columns = ["firmwareName", "make", "model", "fromVersion", "toVersion", "launchDate", "releaseNote"]

    func run() throws {
        try QueryRun.run("firmware", connection: connection, output: output) { client, account in
            let records = try await client.listFirmware(account: account).map(QueryRecords.firmware)
            return QueryAnswer(json: .list(records), columns: Self.columns, records: records)
        }
    }
}

/// `fota history IMEI…`: the upgrades of the last six months of each device.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show the upgrade history of devices (read-only).",
        discussion: """
            One entry per upgrade of the last six months, for each IMEI in the order given; JSON \
            has the fields of fota.history in Lua. Exit status 0, or 1 when ThingSpace could not answer.
            """)

    @Argument(help: ArgumentHelp("The devices' IMEIs (15 digits).", valueName: "imei"))
    var imeis: [String]

    @OptionGroup(title: "Output") var output: OutputOptions
    @OptionGroup(title: "ThingSpace") var connection: ConnectionOptions

    static let columns = ["deviceId", "id", "firmwareFrom", "firmwareTo", "startDate", "upgradeStartTime", "status", "reason"]

    func validate() throws {
        guard !imeis.isEmpty else { throw ValidationError("give at least one IMEI") }
        for (index, imei) in imeis.enumerated() where (try? Validators.imei(imei)) == nil {
            throw ValidationError("argument \(index + 1) '\(imei)' is not an IMEI (15 digits)")
        }
    }

    func run() throws {
        let imeis = self.imeis
        try QueryRun.run("history", connection: connection, output: output) { client, account in
            var records: [QueryValue] = []
            for imei in imeis {
                records += try await client.deviceHistory(account: account, deviceId: imei).map(QueryRecords.history)
            }
            return QueryAnswer(json: .list(records), columns: Self.columns, records: records)
        }
    }
}
