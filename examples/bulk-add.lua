#!/usr/bin/env -S fota run
-- bulk-add.lua: adds the devices listed in a CSV file to a scheduled upgrade,
-- then summarises the failures: how many per reason, and the first few IMEIs.
--
-- Run:
--   fota run examples/bulk-add.lua <upgradeId> @devices.csv
--   fota run --dry-run examples/bulk-add.lua <upgradeId> @devices.csv     check the file, send nothing
--   fota run --simulate examples/bulk-add.lua --demo @examples/devices-sample.csv
--       (--demo first schedules an upgrade holding the file's first device, so one add fails)
--
-- The file: one device per row. A header row is allowed; the IMEI column is the
-- one named "imei" or "deviceId" (any case), else the first column. Before
-- anything is sent, rows that are not 15-digit IMEIs, repeats, and IMEIs not in
-- the account are set aside and counted as failures (--no-account-check skips
-- the last check, which reads the whole device list).
-- Exit status: 0 when every row was added or already in the upgrade, 2 when some failed, 64 on bad arguments.

local USAGE = "usage: fota run bulk-add.lua <upgradeId> | --demo [--no-account-check] @devices.csv"
local SHOW_FAILED = 5

local function usage_error(message)
  log.error("bulk-add: " .. message)
  log.info(USAGE)
  os.exit(64)
end

-- Options by fota.args (an unknown one is refused with the usage, status 64); the two
-- positional arguments, the upgrade id and the file, are told apart here.
local function parse_arguments()
  local given = fota.args{
    usage = USAGE, positional = "<upgradeId> @devices.csv",
    {"demo", type = "boolean", help = "schedule an upgrade holding the file's first device, then add the rest"},
    {"no-account-check", type = "boolean", help = "do not check the IMEIs against the account's device list"},
  }
  local parsed = {demo = given.demo, check_account = not given["no-account-check"]}
  for _, value in ipairs(given) do
    if value:match("^%x+%-%x+%-%x+%-%x+%-%x+$") and not parsed.upgrade_id then parsed.upgrade_id = value
    elseif not parsed.file then parsed.file = value
    else usage_error("unexpected argument '" .. value .. "'") end
  end
  if not parsed.file then usage_error("name the CSV file with @path") end
  if parsed.demo == (parsed.upgrade_id ~= nil) then usage_error("give an upgrade id or --demo (one of them)") end
  return parsed
end

-- Without surrounding spaces, and without the byte order mark spreadsheets put before the first field.
local function trim(text) return (text:gsub("^\239\187\191", ""):gsub("^%s+", ""):gsub("%s+$", "")) end

-- The IMEI column and the first data row: a header names its column, else column 1, no header.
local function imei_column(header)
  for index, name in ipairs(header) do
    local lower = trim(name):lower()
    if lower == "imei" or lower == "deviceid" then return index, 2 end
  end
  if trim(header[1] or ""):match("^%d+$") then return 1, 1 end
  return 1, 2 -- a header without a known name: its first column
end

-- Rows of the file as {line, imei}, in file order.
local function read_devices(name)
  local rows = files.csv(name)
  if #rows == 0 then error(name .. " is empty", 0) end
  local column, first = imei_column(rows[1])
  local devices = {}
  for line = first, #rows do
    local row = rows[line]
    local imei = trim(row[column] or "")
    if not (#row == 1 and imei == "") then -- skip blank lines
      devices[#devices + 1] = {line = line, imei = imei}
    end
  end
  return devices, first == 2
end

-- Sets aside rows that cannot be sent; returns the IMEIs to send and the failures so far.
local function screen(devices, known)
  local send, failures, first_line = {}, {}, {}
  for _, row in ipairs(devices) do
    local reason
    if not row.imei:match("^%d+$") or #row.imei ~= 15 then reason = "not an IMEI (15 digits)"
    elseif first_line[row.imei] then reason = "repeats line " .. first_line[row.imei]
    elseif known and not known[row.imei] then reason = "not in the account" end
    if reason then
      failures[#failures + 1] = {imei = row.imei, line = row.line, reason = reason:match("^repeats") and "listed twice in the file" or reason}
    else
      first_line[row.imei] = row.line
      send[#send + 1] = row.imei
    end
  end
  return send, failures, first_line
end

local function account_devices()
  local known = {}
  for device in fota.devices() do known[device.deviceId] = device end
  return known
end

local function schedule_demo(first_imei, known)
  local device = known and known[first_imei]
  local image
  for _, candidate in ipairs(fota.firmware()) do
    if not device or (candidate.make == device.make and candidate.model == device.model and candidate.fromVersion == device.firmware) then
      image = candidate
      break
    end
  end
  if not image then error("no firmware image upgrades " .. first_imei .. "; cannot build the demo upgrade", 0) end
  local upgrade = fota.schedule{
    firmwareName = image.firmwareName, firmwareTo = image.toVersion, startDate = os.date("!%Y-%m-%d"), devices = {first_imei},
  }
  print(string.format("Demo: scheduled upgrade %s (%s) holding %s", upgrade.id, image.firmwareName, first_imei))
  return upgrade.id
end

-- The upgrade must exist and not have started, or ThingSpace refuses every device.
local function check_upgrade(id)
  local ok, upgrade = pcall(fota.upgrade, id)
  if not ok then
    local problem = type(upgrade) == "table" and upgrade.code == "INVALID_PARAMETER"
      and "no such upgrade in the account (" .. upgrade.message .. ")" or tostring(upgrade)
    error(string.format("cannot read upgrade %s: %s", id, problem), 0)
  end
  if upgrade.status ~= "RequestPending" and upgrade.status ~= "Queued" then
    error(string.format("upgrade %s is %s: devices can be added only before it starts (RequestPending or Queued)",
      id, tostring(upgrade.status)), 0)
  end
end

local function summarise(total, added, failures, dry_run, unchanged)
  local already = (unchanged or 0) > 0 and string.format(" (%d already in the upgrade)", unchanged) or ""
  print(string.format("%s %d of %d devices%s; %d failed.", dry_run and "Would add" or "Added", added, total, already, #failures))
  if #failures == 0 then return end
  local counts, order = {}, {}
  for _, failure in ipairs(failures) do
    if not counts[failure.reason] then order[#order + 1] = failure.reason end
    counts[failure.reason] = (counts[failure.reason] or 0) + 1
  end
  table.sort(order, function(a, b)
    if counts[a] ~= counts[b] then return counts[a] > counts[b] end
    return a < b
  end)
  print("Failures by reason:")
  for _, reason in ipairs(order) do print(string.format("  %4d  %s", counts[reason], reason)) end
  print("First failed:")
  for index = 1, math.min(SHOW_FAILED, #failures) do
    local failure = failures[index]
    print(string.format("  line %-4d %s  %s", failure.line, failure.imei == "" and "(empty)" or failure.imei, failure.reason))
  end
  if #failures > SHOW_FAILED then print(string.format("  … and %d more", #failures - SHOW_FAILED)) end
end

local options = parse_arguments()
local devices, has_header = read_devices(options.file)
print(string.format("%s: %d device%s%s", options.file, #devices, #devices == 1 and "" or "s",
  has_header and " (after the header row)" or ""))
if options.upgrade_id then check_upgrade(options.upgrade_id) end
if options.demo and fota.mode ~= "live" then
  usage_error("--demo schedules an upgrade: it cannot run with --" .. fota.mode)
end
local known = options.check_account and account_devices() or nil
local send, failures, line_of = screen(devices, known)
if #send == 0 then
  summarise(#devices, 0, failures)
  error("no device in " .. options.file .. " can be added", 0)
end

local upgrade_id = options.demo and schedule_demo(send[1], known) or options.upgrade_id
if fota.mode == "read-only" then
  print(string.format("Read-only run: %d devices would be added to %s.", #send, upgrade_id))
  summarise(#devices, 0, failures)
  return
end

local result = fota.append(upgrade_id, send)
for _, outcome in ipairs(result.devices) do
  -- "unchanged": already in this upgrade (a re-run), where the script wants it: not a failure.
  if outcome.outcome ~= "succeeded" and outcome.outcome ~= "unchanged" then
    failures[#failures + 1] = {imei = outcome.deviceId, line = line_of[outcome.deviceId] or 0, reason = outcome.reason or outcome.status or "failed"}
  end
end
table.sort(failures, function(a, b) return a.line < b.line end)
print(string.format("Upgrade %s%s", upgrade_id, result.dryRun and " (dry run: nothing sent)" or ""))
summarise(#devices, #result.succeeded, failures, result.dryRun, #result.unchanged)
if #failures > 0 then os.exit(2) end
