#!/usr/bin/env -S fota run
-- report.lua: counts the account's upgrades in each of the six statuses, and
-- writes a CSV of one upgrade's devices (deviceId, status, reason) under --out.
-- Changes nothing in ThingSpace (except with --demo, see below).
--
-- Run:
--   fota run --read-only --out reports examples/report.lua               the first upgrade found
--   fota run --read-only --out reports examples/report.lua <upgradeId>   that upgrade
--   fota run --simulate --out reports examples/report.lua --demo         schedules a small upgrade
--                                                                         first, so a fresh simulator
--                                                                         has something to report
-- The CSV is written to <out>/upgrade-<id>.csv.

local USAGE = "usage: fota run --out DIR report.lua [<upgradeId> | --demo]"
local STATUSES = {"RequestPending", "Queued", "RequestFailed", "InProgress", "Finished", "UpgradeFailed"}

local function usage_error(message)
  log.error("report: " .. message)
  log.info(USAGE)
  os.exit(64)
end

if #arg > 1 then usage_error("expected at most one argument, got " .. #arg) end
local demo = arg[1] == "--demo"
local wanted_id = not demo and arg[1] or nil
if wanted_id and not wanted_id:match("^%x+%-%x+%-%x+%-%x+%-%x+$") then
  usage_error("'" .. wanted_id .. "' is not an upgrade id (a UUID) or --demo")
end

-- --demo: an upgrade of the first image for the first four devices that run its from-version.
local function schedule_demo()
  local image = fota.firmware()[1]
  local devices = {}
  for device in fota.devices() do
    if device.make == image.make and device.model == image.model and device.firmware == image.fromVersion then
      devices[#devices + 1] = device.deviceId
      if #devices == 4 then break end
    end
  end
  local upgrade = fota.schedule{
    firmwareName = image.firmwareName, firmwareTo = image.toVersion, startDate = os.date("!%Y-%m-%d"), devices = devices,
  }
  print(string.format("Demo: scheduled upgrade %s (%s) for %d devices", upgrade.id, image.firmwareName, #devices))
end

if demo then
  if fota.mode ~= "live" then usage_error("--demo schedules an upgrade: it cannot run with --" .. fota.mode) end
  schedule_demo()
end

-- Counts per status, and the first upgrade seen (statuses in the order above).
local counts, first = {}, nil
for _, status in ipairs(STATUSES) do
  local n = 0
  for upgrade in fota.upgrades(status) do
    n = n + 1
    first = first or upgrade
  end
  counts[status] = n
end

print("Upgrades by status:")
local total = 0
for _, status in ipairs(STATUSES) do
  print(string.format("  %-15s %6d", status, counts[status]))
  total = total + counts[status]
end
print(string.format("  %-15s %6d", "total", total))

local upgrade
if wanted_id then
  local ok, details = pcall(fota.upgrade, wanted_id)
  if not ok then error(string.format("cannot read upgrade %s: %s", wanted_id, tostring(details)), 0) end
  upgrade = details
elseif first then
  upgrade = fota.upgrade(first.id) -- the report list may be shorter than the details
else
  print("No upgrade in the account: no device report written.")
  return
end

local rows = {{"deviceId", "status", "reason"}}
for _, device in ipairs(upgrade.deviceList) do
  rows[#rows + 1] = {device.deviceId, device.status or "", device.reason or ""}
end
-- A later run refreshes the same upgrade's report: say so, or an existing file is kept.
local path = files.writecsv("upgrade-" .. upgrade.id .. ".csv", rows, {overwrite = true})
print(string.format("Upgrade %s (%s, %s): %d devices written to %s",
  upgrade.id, tostring(upgrade.firmwareName), tostring(upgrade.status), #upgrade.deviceList, path))
