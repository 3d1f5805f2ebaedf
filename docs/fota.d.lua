---@meta
-- Definitions of what `fota run` gives scripts, for lua-language-server.
-- Kept in step with Sources/FotaLua/FotaDocs.swift (a test checks that every
-- function there is declared here); docs/lua-api.md explains each one.
-- Use: add this folder to "workspace.library" in your .luarc.json.

---@alias fota.IMEI string 15 digits, e.g. "351200000004714"
---@alias fota.UpgradeId string a UUID, e.g. "b11d86bc-29a8-43c7-a988-3d1024e0b987"
---@alias fota.Status "RequestPending"|"Queued"|"RequestFailed"|"InProgress"|"Finished"|"UpgradeFailed"

---@class fota.Options
---@field account? string overrides the run's account (digits and hyphens; keep it a string)

---@class fota.Device
---@field deviceId fota.IMEI
---@field mdn? string
---@field make? string
---@field model? string
---@field firmware? string the version the device runs
---@field fotaEligible? boolean
---@field licenseAssigned? boolean
---@field upgradeTime? string

---@class fota.Firmware
---@field firmwareName string
---@field make? string
---@field model? string
---@field fromVersion? string devices on this version can take the image
---@field toVersion? string
---@field launchDate? string
---@field releaseNote? string

---@class fota.UpgradeDevice
---@field deviceId fota.IMEI
---@field status? string e.g. "RequestPending", "Device Accepted", "UpgradeSuccess"
---@field reason? string why a device was rejected or failed

---@class fota.Upgrade
---@field id fota.UpgradeId
---@field accountName? string
---@field firmwareName? string
---@field firmwareTo? string
---@field startDate? string YYYY-MM-DD
---@field endDate? string
---@field status? fota.Status
---@field deviceList fota.UpgradeDevice[]
---@field dryRun? boolean true when a dry run made it up (its id is a placeholder)

---@alias fota.Outcome
---| "succeeded" # added (removed); status is ThingSpace's, e.g. "AddDeviceSucceed"
---| "unchanged" # already in this upgrade (append) or not in it (remove): nothing to do; status "Unchanged", reason ThingSpace's words
---| "failed" # ThingSpace refused this device; status e.g. "AddDeviceFailed", reason says why
---| "notSent" # no answer (or a 5xx) after the retries; status "NotSent", reason holds the error
---| "duplicate" # listed before in the same call; status "Duplicate", sent once
---| "unchanged" # already where the call would put it (a dry run's plan: status "Unchanged", not sent)

---@class fota.ChangeDevice
---@field deviceId fota.IMEI
---@field outcome fota.Outcome the same word as in the journal
---@field status? string "AddDeviceSucceed", "AddDeviceFailed", "RemoveDeviceSucceed", "RemoveDeviceFailed", "Unchanged", "NotSent", "Duplicate"
---@field reason? string

---@class fota.ChangeResult
---@field id fota.UpgradeId
---@field accountName string
---@field devices fota.ChangeDevice[] one per input device, in input order; read-only, rows built when read (#, [i], ipairs, pairs, json.encode, fota.state.put work; next/rawget see an empty table)
---@field succeeded fota.IMEI[]
---@field unchanged fota.IMEI[] already where the call wants them (in this upgrade for an append, not in it for a remove)
---@field failed fota.IMEI[] refused by ThingSpace or not sent
---@field warnings string[] Luhn mismatches and repeats (sent anyway / sent once)
---@field unchanged? fota.IMEI[] a dry run: devices already in (append) or not in (remove) the upgrade
---@field dryRun? boolean

---@class fota.ScheduleRequest
---@field firmwareName string from fota.firmware()
---@field firmwareTo string the image's toVersion
---@field startDate string YYYY-MM-DD
---@field endDate? string YYYY-MM-DD; default startDate + 14 days
---@field devices fota.IMEI[]|fota.IMEI
---@field key? string idempotency key: an upgrade already scheduled under it is returned instead
---@field account? string

---@class fota.HistoryEntry
---@field deviceId fota.IMEI
---@field id? fota.UpgradeId
---@field accountName? string
---@field firmwareFrom? string
---@field firmwareTo? string
---@field startDate? string
---@field upgradeStartTime? string
---@field status? string e.g. "UpgradeSuccess", "UpgradeFailed"
---@field reason? string

---@class fota.DevicesPage
---@field devices fota.Device[]
---@field hasMore boolean
---@field cursor string pass to the next call

---@class fota.UpgradesPage
---@field upgrades fota.Upgrade[]
---@field hasMore boolean
---@field cursor string pass to the next call

---@class fota.CancelResult
---@field success boolean
---@field id fota.UpgradeId
---@field dryRun? boolean

---An API error: what pcall returns when ThingSpace refuses a call. tostring(e) is e.summary.
---@class fota.Error
---@field call string e.g. "fota.upgrade"
---@field code string e.g. "INVALID_PARAMETER", "HTTP_503", "READ_ONLY", "MAX_DEVICES", "MEMORY" (fota.append/remove: the result would not fit --memory-limit; nothing sent), "OUTCOME_UNKNOWN", "TIMEOUT" (fota.wait)
---@field message string
---@field status? integer the HTTP status, nil when there was no answer
---@field summary string "fota.upgrade: INVALID_PARAMETER: Invalid upgradeId (HTTP 400)"

---The ThingSpace FOTA calls.
---@class fota
---@field account? string the run's account (--account, FOTA_ACCOUNT or the profile)
---@field mode "live"|"dry-run"|"read-only"
fota = {}

---Adds devices (an IMEI string or an array of them, any number) to a scheduled upgrade.
---Returns {id, accountName, devices = {{deviceId, outcome, status, reason}…} in input order (a read-only list whose rows are built when read), succeeded, unchanged, failed, warnings};
---raises an API error when ThingSpace refuses the whole call (e.g. an unknown or started upgrade).
---@param upgradeId fota.UpgradeId
---@param devices fota.IMEI[]|fota.IMEI
---@param opts? fota.Options
---@return fota.ChangeResult result
function fota.append(upgradeId, devices, opts) end

---Removes devices from a scheduled upgrade; same arguments and result as fota.append.
---@param upgradeId fota.UpgradeId
---@param devices fota.IMEI[]|fota.IMEI
---@param opts? fota.Options
---@return fota.ChangeResult result
function fota.remove(upgradeId, devices, opts) end

---The upgrade's details: {id, accountName, firmwareName, firmwareTo, startDate, status, deviceList = {{deviceId, status, reason}…}}.
---@param upgradeId fota.UpgradeId
---@param opts? fota.Options
---@return fota.Upgrade upgrade
function fota.upgrade(upgradeId, opts) end

---Schedules an upgrade of the devices to firmwareTo from startDate to endDate (YYYY-MM-DD; endDate defaults to startDate + 14 days). Returns the new upgrade (status RequestPending).
---With key = "…", an upgrade already scheduled under that key (same firmware and devices) is returned instead
---(with existing = true); the same key with other firmware or devices raises KEY_CONFLICT.
---Call it as fota.schedule{firmwareName=, firmwareTo=, startDate=, endDate=, devices=, key=, account=}.
---@param request fota.ScheduleRequest
---@return fota.Upgrade upgrade
function fota.schedule(request) end

---Cancels an upgrade that has not started.
---@param upgradeId fota.UpgradeId
---@param opts? fota.Options
---@return fota.CancelResult
function fota.cancel(upgradeId, opts) end

---Firmware images available to the account: {firmwareName, make, model, fromVersion, toVersion, launchDate, releaseNote}.
---@param opts? fota.Options
---@return fota.Firmware[]
function fota.firmware(opts) end

---A device's upgrade history (last six months): {id, firmwareFrom, firmwareTo, startDate, status, reason}.
---@param imei fota.IMEI
---@param opts? fota.Options
---@return fota.HistoryEntry[]
function fota.history(imei, opts) end

---One page (up to 1,000) of the account's devices after the IMEI cursor ("0" first). fota.devices() walks every page.
---@param cursor string|nil "0" or nil for the first page
---@param opts? fota.DeviceOptions
---@return fota.DevicesPage
function fota.devicesPage(cursor, opts) end

---One page of the account's upgrades in a status. fota.upgrades(status) walks every page.
---@param status fota.Status
---@param cursor string|nil "0" or nil for the first page
---@param opts? fota.Options
---@return fota.UpgradesPage
function fota.upgradesPage(status, cursor, opts) end

---for device in fota.devices() do … end: every device of the account,
---{deviceId, mdn, make, model, firmware, fotaEligible, licenseAssigned, upgradeTime}.
---opts.clientType ("OMADM" or "LWM2M") keeps only devices of that client type.
---@param opts? fota.DeviceOptions
---@return fun(): fota.Device?
function fota.devices(opts) end

---for upgrade in fota.upgrades("Queued") do … end: every upgrade in a status
---(RequestPending, Queued, RequestFailed, InProgress, Finished, UpgradeFailed).
---@param status fota.Status
---@param opts? fota.Options
---@return fun(): fota.Upgrade?
function fota.upgrades(status, opts) end

---The devices held by the account's RequestPending, Queued and InProgress upgrades (a device in one
---cannot join another), each mapped to the id of the upgrade holding it.
---@param opts? fota.Options
---@return table<fota.IMEI, fota.UpgradeId>
function fota.busy(opts) end

---fota.history for many devices, --concurrency requests at a time, with a progress bar. The second
---table holds the devices whose read failed; every device is in exactly one of the two.
---@param imeis fota.IMEI[]
---@param opts? fota.Options
---@return table<fota.IMEI, fota.HistoryEntry[]> histories
---@return table<fota.IMEI, fota.Error> failed
function fota.histories(imeis, opts) end

---Values a script keeps between runs, one JSON file per name in the state folder (--state).
---@class fota.state
fota.state = {}

---The JSON value stored under name (letters, digits, '.', '_', '-'), or nil. The first use locks the folder for the run.
---@param name string
---@return any
function fota.state.get(name) end

---Stores a JSON value under name, atomically. A dry or read-only run keeps it in memory only.
---@param name string
---@param value any
function fota.state.put(name, value) end

---What a gate sees of a wave that has ended.
---@class fota.RolloutWave
---@field wave integer 1 for the first wave
---@field upgradeId fota.UpgradeId
---@field devices integer devices scheduled in the wave
---@field upgradeStatus string the upgrade's status when it ended

---A wave's outcome: counts per device status, the failed share and the reasons.
---@class fota.RolloutStats
---@field total integer
---@field succeeded integer
---@field failed integer
---@field rejected integer devices that neither succeeded nor failed (refused at validation)
---@field failureRate number failed / (succeeded + failed); 1 when no device took part
---@field counts table<string, integer> devices per status
---@field reasons table<string, integer> devices per reason, of those that did not succeed

---@class fota.RolloutSpec
---@field name string names the state and the keys (name/wave-N)
---@field firmwareName string
---@field firmwareTo string
---@field devices fota.IMEI[] frozen in the state at the first run
---@field waves number[] a float is the share of all devices done after the wave, an integer the wave's count
---@field gate? fun(wave: fota.RolloutWave, stats: fota.RolloutStats): boolean, string?
---@field soak? number seconds between a wave that passed its gate and the next (default 0)
---@field onHalt? "cancel-pending"|"keep" default "cancel-pending"
---@field days? integer days each wave's upgrade runs (endDate = start + days; default 14)
---@field account? string

---Upgrades devices in waves, each scheduled under the key name/wave-N, waited for, measured and judged
---by gate(wave, stats) -> ok, reason; soak seconds between waves; onHalt "cancel-pending" (the halt is
---final) or "keep" (a re-run asks the gate again). Every step is kept in fota.state under name: a re-run
---continues where the last run stopped; a finished rollout does nothing and returns its report and true.
---Call it as fota.rollout{name=, firmwareName=, firmwareTo=, devices=, waves=, gate=, soak=, onHalt=, days=, account=}.
---@param spec fota.RolloutSpec
---@return table report {name, firmwareName, firmwareTo, devices, planned, status, waves = {{wave, devices, skipped, upgradeId, upgradeStatus, stats, decision, reason}…}}
---@return boolean? alreadyDone true when the rollout had already finished (or halted for good)
function fota.rollout(spec) end

---What fota.wait waits for: a status (or one of several), or a function of the upgrade.
---@class fota.WaitCondition
---@field status? fota.Status|fota.Status[] default: RequestFailed, Finished, UpgradeFailed
---@field until? fun(upgrade: fota.Upgrade): boolean instead of status
---@field every? number live: seconds between looks (default 60, at least 10)
---@field timeout? number seconds of fota.now() before raising code TIMEOUT

---ThingSpace's time as this run sees it, in seconds since 1970 (UTC): the wall clock live, the
---simulator's clock in a rehearsal (--simulate, or an endpoint that is a fota sim). os.time() and os.date() follow it.
---@return number seconds
function fota.now() end

---Waits: live, a real wait that uses no CPU, counts against --timeout and ends at Ctrl-C; in a
---rehearsal it moves the simulated clock on at once.
---@param seconds number 0 or more, at most a year
function fota.sleep(seconds) end

---Waits until the upgrade's status is one of status (default: RequestFailed, Finished, UpgradeFailed)
---or until(upgrade) returns true; returns the upgrade. Live it polls every `every` seconds; in a
---rehearsal it jumps the simulated clock to the next change. Raises code TIMEOUT past timeout
---seconds, UNREACHABLE when the upgrade ended otherwise.
---@param upgradeId fota.UpgradeId
---@param condition? fota.WaitCondition
---@param opts? fota.Options
---@return fota.Upgrade upgrade
function fota.wait(upgradeId, condition, opts) end

---JSON text and back.
---@class json
json = {}

---JSON text of a value; integers stay integers, keys are sorted, an empty table is [] (json.object() is {}), json.null is null.
---@param value any
---@return string
function json.encode(value) end

---The value of JSON text; null becomes nil in an object (the key is absent) and json.null in an array; {} becomes json.object().
---@param text string
---@return any
function json.decode(text) end

---Writes null in JSON (json.encode); a null inside a decoded array is json.null. It is a value, not a function to call.
---@type function
json.null = nil

---Marks t (or a new table) to be written as a JSON object even when empty: json.encode(json.object()) is {}. The mark is the field __json.
---@generic T: table
---@param t? T
---@return T
function json.object(t) end

---Marks t (or a new table) to be written as a JSON array: its keys must be 1…n (json.null for a missing element). The mark is the field __json.
---@generic T: table
---@param t? T
---@return T
function json.array(t) end

---Lines on stderr.
---@class log
log = {}

---Writes a line to stderr, prefixed [info].
---@param ... any
function log.info(...) end

---Writes a line to stderr, prefixed [warn].
---@param ... any
function log.warn(...) end

---Writes a line to stderr, prefixed [error]; it does not stop the script (use error() for that).
---@param ... any
function log.error(...) end

---Input files named on the command line (@path) or under --in; reports under --out.
---@class files
files = {}

---The contents of an input file: one named on the command line as @name, or under --in DIR.
---@param name string
---@return string
function files.read(name) end

---An input file's lines, without line ends.
---@param name string
---@return string[]
function files.lines(name) end

---An input CSV file's rows as arrays of strings; {header = true} keys each row by the first row's column names; {delimiter = ";"} reads another separator.
---@param name string
---@param opts? {header?: boolean, delimiter?: string}
---@return string[][]|table<string, string>[]
function files.csv(name, opts) end

---Writes a report under --out DIR.
---@param name string a relative path inside --out
---@param text string
---@param opts? {overwrite?: boolean} overwrite: replace a file this run did not write
---@return string path
function files.write(name, text, opts) end

---Writes rows (arrays of values) as CSV under --out DIR.
---@param name string a relative path inside --out
---@param rows (string|number|boolean)[][]
---@param opts? {overwrite?: boolean} overwrite: replace a file this run did not write
---@return string path
function files.writecsv(name, rows, opts) end

---Writes a value as JSON under --out DIR.
---@param name string a relative path inside --out
---@param value any
---@param opts? {overwrite?: boolean} overwrite: replace a file this run did not write
---@return string path
function files.writejson(name, value, opts) end

---@class fota.DeviceOptions: fota.Options
---@field clientType? "OMADM"|"LWM2M" only devices of this client type

---@class fota.Subscription
---@field accountName string
---@field purchaseType string TS-HFOTA-MRC and/or TS-HFOTA-EVNT, comma-separated
---@field licenseCount integer
---@field licenseUsedCount integer
---@field updateTime string

---@class fota.LicensedDevice
---@field deviceId fota.IMEI
---@field assignmentTime string

---@class fota.Licenses
---@field accountName string
---@field totalLicenses integer
---@field assignedLicenses integer
---@field devices fota.LicensedDevice[]

---@class fota.LicenceEntry
---@field deviceId fota.IMEI
---@field status string LicenseAssignSuccess, LicenseAssignFailed, LicenseRemoveSuccess, LicenseRemoveFailed
---@field reason string
---@field outcome "succeeded"|"failed"

---@class fota.LicenceResult
---@field accountName string
---@field licenseCount integer
---@field licenseUsedCount integer
---@field devices fota.LicenceEntry[]
---@field succeeded fota.IMEI[]
---@field failed fota.IMEI[]
---@field warnings string[]
---@field dryRun? boolean

---@class fota.LicencesToRemove
---@field count integer
---@field updateTime? string
---@field devices fota.IMEI[]

---@class fota.Callback
---@field accountName string
---@field name string
---@field url string without user info, query or fragment
---@field username? string
---@field hasPassword boolean

---@class fota.CallbackRegistration: fota.Options
---@field url string http:// or https://
---@field username? string
---@field password? string

---The account's subscription: purchaseType TS-HFOTA-MRC (monthly licences) and/or TS-HFOTA-EVNT (pay per use), and how many licences it has and uses.
---@param opts? fota.Options
---@return fota.Subscription
function fota.subscription(opts) end

---Licence status of an MRC account: the counts and every licensed device, {deviceId, assignmentTime} (all pages).
---@param opts? fota.Options
---@return fota.Licenses
function fota.licenses(opts) end

---A change: assigns licences to devices (an IMEI string or an array of them, sent in batches of 1,000).
---@param devices fota.IMEI|fota.IMEI[]
---@param opts? fota.Options
---@return fota.LicenceResult
function fota.assignLicenses(devices, opts) end

---A change: removes the devices' licences; same arguments and result as fota.assignLicenses.
---@param devices fota.IMEI|fota.IMEI[]
---@param opts? fota.Options
---@return fota.LicenceResult
function fota.removeLicenses(devices, opts) end

---The devices whose licences ThingSpace removes at the end of the billing cycle (all pages).
---@param opts? fota.Options
---@return fota.LicencesToRemove
function fota.licensesToRemove(opts) end

---A change: replaces the list of licences to remove with the devices (at most 1,000), or adds them with opts.append = true.
---@param devices fota.IMEI|fota.IMEI[]
---@param opts? {account?: string, append?: boolean}
---@return fota.LicencesToRemove
function fota.setLicensesToRemove(devices, opts) end

---A change: empties the list of licences to remove.
---@param opts? fota.Options
---@return {success: boolean}
function fota.clearLicensesToRemove(opts) end

---The account's registered callback listener, or an empty list; the password never reaches the script.
---@param opts? fota.Options
---@return fota.Callback[]
function fota.callbacks(opts) end

---A change: registers the http(s) listener ThingSpace posts upgrade news to, replacing any other.
---@param registration fota.CallbackRegistration
---@return {accountName: string, serviceName: string}
function fota.registerCallback(registration) end

---A change: deletes the account's callback listener.
---@param opts? fota.Options
---@return {success: boolean}
function fota.deleteCallback(opts) end

---@class fota.ArgSpec
---@field [1] string the option's name: --name
---@field type? "string"|"number"|"integer"|"boolean"|"list"
---@field min? number the least value of a number or integer option
---@field default? any
---@field required? boolean
---@field help? string
---@field value? string the word shown for the value in the usage

---Reads the script's command line (arg): --name value, --name=value, --flag; spec is an array of {name, type = "string"|"number"|"integer"|"boolean"|"list", min =, default =, required =, help =} plus optional usage = and positional =.
---A bad or missing argument prints the message and the usage on stderr and ends the run with status 64; --help prints the usage and ends it with 0.
---@param spec {[integer]: fota.ArgSpec, usage?: string, positional?: string}
---@param argv? string[] defaults to arg
---@return table options
---@return string usage
function fota.args(spec, argv) end

fota.time = {}

---Seconds since 1970 (UTC) of a timestamp: RFC 3339 (2026-03-10T01:00:00Z, with an offset or fractions), ThingSpace's 2021-06-03 00:03:56.079 +0000 UTC, or YYYY-MM-DD (midnight UTC).
---@param text string
---@return number seconds
function fota.time.parse(text) end

---The time in UTC as text: fmt as os.date's (default %Y-%m-%dT%H:%M:%SZ, RFC 3339).
---@param seconds number
---@param fmt? string
---@return string
function fota.time.format(seconds, fmt) end
