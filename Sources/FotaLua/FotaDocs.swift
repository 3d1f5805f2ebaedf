import LuaHost

/// The signature and summary of every function scripts get from fota: what
/// `help(f)` prints. docs/lua-api.md and fota.d.lua say the same; a test
/// checks that every signature here appears in both.
public enum FotaDocs {
    static func doc(_ signature: String, _ summary: String) -> FunctionDoc {
        FunctionDoc(signature: signature, summary: summary)
    }

    public static let fota: [String: FunctionDoc] = [
        "append": doc(
            "fota.append(upgradeId, devices [, opts]) -> result",
            "Adds devices (an IMEI string or an array of them, any number) to a scheduled upgrade. Returns {id, accountName, devices = {{deviceId, outcome, status, reason}…} in input order, succeeded, failed, warnings}; raises when ThingSpace refuses the whole call. opts.account overrides the account."),
        "remove": doc(
            "fota.remove(upgradeId, devices [, opts]) -> result",
            "Removes devices from a scheduled upgrade; same arguments and result as fota.append."),
        "upgrade": doc(
            "fota.upgrade(upgradeId [, opts]) -> upgrade",
            "The upgrade's details: {id, accountName, firmwareName, firmwareTo, startDate, status, deviceList = {{deviceId, status, reason}…}}."),
        "schedule": doc(
            "fota.schedule{firmwareName=, firmwareTo=, startDate=, endDate=, devices=, key=, account=} -> upgrade",
            "Schedules an upgrade of the devices to firmwareTo from startDate to endDate (YYYY-MM-DD; endDate defaults to startDate + 14 days). Returns the new upgrade (status RequestPending). With key = \"…\", an upgrade already scheduled under that key (same firmware and devices) is returned instead (with existing = true); the same key with other firmware or devices raises KEY_CONFLICT."),
        "now": doc(
            "fota.now() -> seconds",
            "ThingSpace's time as this run sees it, in seconds since 1970 (UTC): the wall clock live, the simulator's clock in a rehearsal (--simulate, or an endpoint that is a fota sim). os.time() and os.date() follow it."),
        "sleep": doc(
            "fota.sleep(seconds)",
            "Waits: live, a real wait that uses no CPU, counts against --timeout and ends at Ctrl-C; in a rehearsal it moves the simulated clock on at once."),
        "cancel": doc(
            "fota.cancel(upgradeId [, opts]) -> {success, id}",
            "Cancels an upgrade that has not started."),
        "firmware": doc(
            "fota.firmware([opts]) -> {firmware…}",
            "Firmware images available to the account: {firmwareName, make, model, fromVersion, toVersion, launchDate, releaseNote}."),
        "history": doc(
            "fota.history(imei [, opts]) -> {entry…}",
            "A device's upgrade history (last six months): {id, firmwareFrom, firmwareTo, startDate, status, reason}."),
        "devicesPage": doc(
            "fota.devicesPage(cursor [, opts]) -> {devices, hasMore, cursor}",
            "One page (up to 1,000) of the account's devices after the IMEI cursor (\"0\" first). fota.devices() walks every page."),
        "upgradesPage": doc(
            "fota.upgradesPage(status, cursor [, opts]) -> {upgrades, hasMore, cursor}",
            "One page of the account's upgrades in a status. fota.upgrades(status) walks every page."),
        "busy": doc(
            "fota.busy([opts]) -> {imei = upgradeId}",
            "The devices held by the account's RequestPending, Queued and InProgress upgrades (a device in one cannot join another), each mapped to the id of the upgrade holding it."),
        "histories": doc(
            "fota.histories(imeis [, opts]) -> {imei = {entry…}}, {imei = error}",
            "fota.history for many devices, --concurrency requests at a time, with a progress bar. The second table holds the devices whose read failed ({code, message, status}); every device is in exactly one of the two."),
        "state.get": doc(
            "fota.state.get(name) -> value",
            "The JSON value stored under name (letters, digits, '.', '_', '-') in the state folder (--state), or nil. The first use locks the folder for the run."),
        "state.put": doc(
            "fota.state.put(name, value)",
            "Stores a JSON value under name, atomically (a run killed at any moment leaves the old value or the new one). A dry or read-only run keeps it in memory only."),
    ]

    /// Functions written in Lua (the iterators, fota.wait), documented here too.
    public static let fotaIterators: [String: FunctionDoc] = [
        "wait": doc(
            "fota.wait(upgradeId [, {status=, until=, every=, timeout=}] [, opts]) -> upgrade",
            "Waits until the upgrade's status is one of status (default: RequestFailed, Finished, UpgradeFailed) or until(upgrade) returns true; returns the upgrade. Live it polls every `every` seconds (default 60, at least 10); in a rehearsal it jumps the simulated clock to the next change. Raises code TIMEOUT past timeout seconds (of fota.now()), UNREACHABLE when the upgrade ended otherwise."),
        "devices": doc(
            "fota.devices([opts]) -> iterator",
            "for device in fota.devices() do … end: every device of the account, {deviceId, mdn, make, model, firmware, fotaEligible, licenseAssigned, upgradeTime}."),
        "upgrades": doc(
            "fota.upgrades(status [, opts]) -> iterator",
            "for upgrade in fota.upgrades(\"Queued\") do … end: every upgrade in a status (RequestPending, Queued, RequestFailed, InProgress, Finished, UpgradeFailed)."),
        "rollout": doc(
            "fota.rollout{name=, firmwareName=, firmwareTo=, devices=, waves=, gate=, soak=, onHalt=, days=, account=} -> report, alreadyDone",
            "Upgrades devices in waves (shares or counts), each scheduled under the key name/wave-N, waited for, measured and judged by gate(wave, stats) -> ok, reason; soak seconds between waves; onHalt \"cancel-pending\" (the halt is final) or \"keep\" (a re-run asks the gate again). Every step is kept in fota.state under name: a re-run continues where the last run stopped; a finished rollout does nothing and returns its report and true."),
    ]

    public static let json: [String: FunctionDoc] = [
        "encode": doc("json.encode(value) -> string", "JSON text of a value; integers stay integers, keys are sorted, an empty table is []."),
        "decode": doc("json.decode(text) -> value", "The value of JSON text; null becomes nil."),
    ]

    public static let log: [String: FunctionDoc] = [
        "info": doc("log.info(...)", "Writes a line to stderr, prefixed [info]."),
        "warn": doc("log.warn(...)", "Writes a line to stderr, prefixed [warn]."),
        "error": doc("log.error(...)", "Writes a line to stderr, prefixed [error]; it does not stop the script (use error() for that)."),
    ]

    public static let files: [String: FunctionDoc] = [
        "read": doc("files.read(name) -> string", "The contents of an input file: one named on the command line as @name, or under --in DIR."),
        "lines": doc("files.lines(name) -> {line…}", "An input file's lines, without line ends."),
        "csv": doc("files.csv(name) -> {{field…}…}", "An input CSV file's rows."),
        "write": doc("files.write(name, text [, opts]) -> path", "Writes a report under --out DIR; {overwrite = true} replaces a file this run did not write."),
        "writecsv": doc("files.writecsv(name, rows [, opts]) -> path", "Writes rows (arrays of values) as CSV under --out DIR; opts as files.write."),
        "writejson": doc("files.writejson(name, value [, opts]) -> path", "Writes a value as JSON under --out DIR; opts as files.write."),
    ]

    /// Every documented function by its qualified name ("fota.append", "json.encode", …),
    /// for the docs checks.
    public static var all: [String: FunctionDoc] {
        var all: [String: FunctionDoc] = [:]
        for (table, docs) in [("fota", fota), ("fota", fotaIterators), ("json", json), ("log", log), ("files", files)] {
            for (name, doc) in docs { all[table + "." + name] = doc }
        }
        return all
    }
}
