import ThingSpace

/// ThingSpace models as the one-shot commands' records: the field names of the Lua tables
/// (docs/lua-api.md), so a field read in a script and in `-o json` is spelled the same.
enum QueryRecords {
    static func upgrade(_ u: FirmwareUpgrade) -> QueryValue {
        .record([
            ("id", .string(u.id)), ("accountName", .text(u.accountName)), ("firmwareName", .text(u.firmwareName)),
            ("firmwareTo", .text(u.firmwareTo)), ("startDate", .text(u.startDate)), ("endDate", .text(u.endDate)),
            ("status", .text(u.status?.rawValue)),
            ("deviceList", .list(u.deviceList.map { d in
                .record([("deviceId", .string(d.deviceId)), ("status", .text(d.status)), ("reason", .text(d.resultReason))])
            })),
        ])
    }

    static func device(_ d: AccountDevice) -> QueryValue {
        .record([
            ("deviceId", .string(d.deviceId)), ("mdn", .text(d.mdn)), ("make", .text(d.make)), ("model", .text(d.model)),
            ("firmware", .text(d.firmware)), ("fotaEligible", .flag(d.fotaEligible)),
            ("licenseAssigned", .flag(d.licenseAssigned)), ("upgradeTime", .text(d.upgradeTime)),
        ])
    }

    static func firmware(_ f: Firmware) -> QueryValue {
        .record([
            ("firmwareName", .string(f.firmwareName)), ("make", .text(f.make)), ("model", .text(f.model)),
            ("fromVersion", .text(f.fromVersion)), ("toVersion", .text(f.toVersion)),
            ("launchDate", .text(f.launchDate)), ("releaseNote", .text(f.releaseNote)),
        ])
    }

    static func history(_ h: DeviceUpgradeHistory) -> QueryValue {
        .record([
            ("deviceId", .string(h.deviceId)), ("id", .text(h.id)), ("accountName", .text(h.accountName)),
            ("firmwareFrom", .text(h.firmwareFrom)), ("firmwareTo", .text(h.firmwareTo)), ("startDate", .text(h.startDate)),
            ("upgradeStartTime", .text(h.upgradeStartTime)), ("status", .text(h.status)), ("reason", .text(h.reason)),
        ])
    }
}
