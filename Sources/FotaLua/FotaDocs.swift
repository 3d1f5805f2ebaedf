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
            "Adds devices (an IMEI string or an array of them, any number) to a scheduled upgrade. Returns {id, accountName, devices = {{deviceId, outcome, status, reason}…} in input order (a read-only list whose rows are built when read), succeeded, unchanged, failed, warnings}; a device already in the upgrade is unchanged, not failed. Raises when ThingSpace refuses the whole call. opts.account overrides the account."),
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
            "One page (up to 1,000) of the account's devices after the IMEI cursor (\"0\" first). fota.devices() walks every page. opts.clientType (OMADM or LWM2M) lists only devices of that client type."),
        "subscription": doc(
            "fota.subscription([opts]) -> {accountName, purchaseType, licenseCount, licenseUsedCount, updateTime}",
            "The account's subscription: purchaseType TS-HFOTA-MRC (monthly licences) and/or TS-HFOTA-EVNT (pay per use), and how many licences it has and uses."),
        "licenses": doc(
            "fota.licenses([opts]) -> {accountName, totalLicenses, assignedLicenses, devices}",
            "Licence status of an MRC account: the counts and every licensed device, {deviceId, assignmentTime} (all pages)."),
        "assignLicenses": doc(
            "fota.assignLicenses(devices [, opts]) -> result",
            "A change: assigns licences to devices (an IMEI string or an array of them, sent in batches of 1,000). Returns {accountName, licenseCount, licenseUsedCount, devices = {{deviceId, status, reason, outcome}…}, succeeded, failed, warnings}."),
        "removeLicenses": doc(
            "fota.removeLicenses(devices [, opts]) -> result",
            "A change: removes the devices' licences; same arguments and result as fota.assignLicenses. ThingSpace refuses it for a device that was upgraded."),
        "licensesToRemove": doc(
            "fota.licensesToRemove([opts]) -> {count, updateTime, devices}",
            "The devices whose licences ThingSpace removes at the end of the billing cycle (all pages)."),
        "setLicensesToRemove": doc(
            "fota.setLicensesToRemove(devices [, opts]) -> {count, devices}",
            "A change: replaces the list of licences to remove with the devices (at most 1,000), or adds them with opts.append = true. Returns the whole list."),
        "clearLicensesToRemove": doc(
            "fota.clearLicensesToRemove([opts]) -> {success}",
            "A change: empties the list of licences to remove."),
        "callbacks": doc(
            "fota.callbacks([opts]) -> {{accountName, name, url, username, hasPassword}…}",
            "The account's registered callback listener (ThingSpace keeps one, named Fota), or an empty list. The url is shown without user info, query or fragment; the password never reaches the script."),
        "registerCallback": doc(
            "fota.registerCallback{url=, username=, password=, account=} -> {accountName, serviceName}",
            "A change: registers the http(s) listener ThingSpace posts upgrade news to, replacing any other. username and password are echoed in every message; the journal shows neither the password nor the url's user info or query."),
        "deleteCallback": doc(
            "fota.deleteCallback([opts]) -> {success}",
            "A change: deletes the account's callback listener."),
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
        "args": doc(
            "fota.args(spec [, argv]) -> options, usage",
            "Reads the script's command line (arg): --name value, --name=value, --flag; spec is an array of {name, type = \"string\"|\"number\"|\"integer\"|\"boolean\"|\"list\", min =, default =, required =, help =} plus optional usage = and positional =. A bad or missing argument prints the message and the usage on stderr and ends the run with status 64; --help prints the usage and ends it with 0."),
        "devices": doc(
            "fota.devices([opts]) -> iterator",
            "for device in fota.devices() do … end: every device of the account, {deviceId, mdn, make, model, firmware, fotaEligible, licenseAssigned, upgradeTime}. opts.clientType (OMADM or LWM2M) keeps only devices of that client type."),
        "upgrades": doc(
            "fota.upgrades(status [, opts]) -> iterator",
            "for upgrade in fota.upgrades(\"Queued\") do … end: every upgrade in a status (RequestPending, Queued, RequestFailed, InProgress, Finished, UpgradeFailed)."),
        "rollout": doc(
            "fota.rollout{name=, firmwareName=, firmwareTo=, devices=, waves=, gate=, soak=, onHalt=, days=, account=} -> report, alreadyDone",
            "Upgrades devices in waves (shares or counts), each scheduled under the key name/wave-N, waited for, measured and judged by gate(wave, stats) -> ok, reason; soak seconds between waves; onHalt \"cancel-pending\" (the halt is final) or \"keep\" (a re-run asks the gate again). Every step is kept in fota.state under name: a re-run continues where the last run stopped; a finished rollout does nothing and returns its report and true."),
    ]

    /// fota.time (written in Lua, a table of its own inside fota).
    public static let fotaTime: [String: FunctionDoc] = [
        "parse": doc(
            "fota.time.parse(text) -> seconds",
            "Seconds since 1970 (UTC) of a timestamp: RFC 3339 (2026-03-10T01:00:00Z, with an offset or fractions), ThingSpace's 2021-06-03 00:03:56.079 +0000 UTC, or YYYY-MM-DD (midnight UTC). A fraction gives a float. Anything else is a bad argument."),
        "format": doc(
            "fota.time.format(seconds [, fmt]) -> text",
            "The time in UTC as text: fmt as os.date's (default %Y-%m-%dT%H:%M:%SZ, RFC 3339)."),
    ]

    public static let json: [String: FunctionDoc] = [
        "encode": doc("json.encode(value) -> string", "JSON text of a value; integers stay integers, keys are sorted, an empty table is [] (json.object() is {}), json.null is null."),
        "decode": doc("json.decode(text) -> value", "The value of JSON text; null becomes nil in an object (the key is absent) and json.null in an array; {} becomes json.object()."),
        "object": doc("json.object([t]) -> t", "Marks t (or a new table) to be written as a JSON object even when empty: json.encode(json.object()) is {}. The mark is the field __json."),
        "array": doc("json.array([t]) -> t", "Marks t (or a new table) to be written as a JSON array: its keys must be 1…n (json.null for a missing element). The mark is the field __json."),
    ]

    public static let log: [String: FunctionDoc] = [
        "info": doc("log.info(...)", "Writes a line to stderr, prefixed [info]."),
        "warn": doc("log.warn(...)", "Writes a line to stderr, prefixed [warn]."),
        "error": doc("log.error(...)", "Writes a line to stderr, prefixed [error]; it does not stop the script (use error() for that)."),
    ]

    public static let files: [String: FunctionDoc] = [
        "read": doc("files.read(name) -> string", "The contents of an input file: one named on the command line as @name, or under --in DIR."),
        "lines": doc("files.lines(name) -> {line…}", "An input file's lines, without line ends."),
        "csv": doc("files.csv(name [, opts]) -> {row…}", "An input CSV file's rows as arrays of strings; {header = true} keys each row by the first row's column names; {delimiter = \";\"} reads another separator. A malformed row is an error naming its line."),
        "write": doc("files.write(name, text [, opts]) -> path", "Writes a report under --out DIR; {overwrite = true} replaces a file this run did not write."),
        "writecsv": doc("files.writecsv(name, rows [, opts]) -> path", "Writes rows (arrays of values) as CSV under --out DIR; opts as files.write."),
        "writejson": doc("files.writejson(name, value [, opts]) -> path", "Writes a value as JSON under --out DIR; opts as files.write."),
    ]

    /// Every documented function by its qualified name ("fota.append", "json.encode", …),
    /// for the docs checks.
    public static var all: [String: FunctionDoc] {
        var all: [String: FunctionDoc] = [:]
        for (table, docs) in [("fota", fota), ("fota", fotaIterators), ("fota.time", fotaTime), ("json", json), ("log", log), ("files", files)] {
            for (name, doc) in docs { all[table + "." + name] = doc }
        }
        return all
    }
}
