#!/usr/bin/env -S fota run
-- remove-unfit.lua: removes from a scheduled upgrade the devices that would not
-- upgrade, and says why for each one. A device is unfit when
--   * it is not in the account,
--   * it is not FOTA-eligible,
--   * it is not the make and model the image is for, or does not run the image's from-version,
--   * its history (fota.history, last six months) holds a failed upgrade.
--
-- Run:
--   fota run examples/remove-unfit.lua <upgradeId>
--   fota run --dry-run examples/remove-unfit.lua <upgradeId>      list what would be removed
--   fota run --simulate examples/remove-unfit.lua --demo          schedules an upgrade with some
--                                                                 unfit devices first, then cleans it
--
-- The history is read only for devices that pass the other checks, one call per device.

local USAGE = "usage: fota run remove-unfit.lua <upgradeId> | --demo"

local function usage_error(message)
  log.error("remove-unfit: " .. message)
  log.info(USAGE)
  os.exit(64)
end

if #arg ~= 1 then usage_error("expected one argument, got " .. #arg) end
local demo = arg[1] == "--demo"
if not demo and not arg[1]:match("^%x+%-%x+%-%x+%-%x+%-%x+$") then
  usage_error("'" .. arg[1] .. "' is not an upgrade id (a UUID) or --demo")
end

-- Every device of the account by IMEI.
local function all_devices()
  local by_imei = {}
  for device in fota.devices() do by_imei[device.deviceId] = device end
  return by_imei
end

local function find_image(firmware_name)
  for _, image in ipairs(fota.firmware()) do
    if image.firmwareName == firmware_name then return image end
  end
  return nil
end

-- The first devices (in IMEI order) that satisfy `wanted`, up to `n`.
local function first_devices(devices, n, wanted)
  local imeis = {}
  for imei in pairs(devices) do imeis[#imeis + 1] = imei end
  table.sort(imeis)
  local found = {}
  for _, imei in ipairs(imeis) do
    if #found == n then break end
    if wanted(devices[imei]) then found[#found + 1] = imei end
  end
  return found
end

-- --demo: an upgrade of the first image, with three fit devices and three unfit ones.
local function schedule_demo(devices)
  local image = fota.firmware()[1]
  local function of_image(d) return d.make == image.make and d.model == image.model end
  local fit = first_devices(devices, 3, function(d)
    return of_image(d) and d.fotaEligible and d.licenseAssigned and d.firmware == image.fromVersion
  end)
  local not_eligible = first_devices(devices, 1, function(d) return of_image(d) and not d.fotaEligible end)
  local other_version = first_devices(devices, 1, function(d) return of_image(d) and d.fotaEligible and d.firmware ~= image.fromVersion end)
  local other_model = first_devices(devices, 1, function(d) return not of_image(d) and d.fotaEligible end)
  local list = {}
  for _, group in ipairs{fit, not_eligible, other_version, other_model} do table.move(group, 1, #group, #list + 1, list) end
  local upgrade = fota.schedule{
    firmwareName = image.firmwareName, firmwareTo = image.toVersion, startDate = os.date("!%Y-%m-%d"), devices = list,
  }
  print(string.format("Demo: scheduled upgrade %s (%s) for %d devices", upgrade.id, image.firmwareName, #list))
  return upgrade.id
end

-- Why a device is unfit for `image`, or nil when it is fit.
local function unfit_reason(imei, device, image)
  if not device then return "not in the account" end
  if not device.fotaEligible then return "not FOTA-eligible" end
  if device.make ~= image.make or device.model ~= image.model then
    return string.format("is a %s %s; the image is for %s %s", tostring(device.make), tostring(device.model), image.make, image.model)
  end
  if device.firmware ~= image.fromVersion then
    return string.format("runs %s; the image upgrades %s", tostring(device.firmware), image.fromVersion)
  end
  for _, entry in ipairs(fota.history(imei)) do
    if entry.status and entry.status:find("Failed") then
      return string.format("upgrade %s -> %s failed on %s (%s)", tostring(entry.firmwareFrom), tostring(entry.firmwareTo),
        tostring(entry.startDate), entry.reason or entry.status)
    end
  end
  return nil
end

local devices = all_devices()
local upgrade_id = demo and schedule_demo(devices) or arg[1]
if demo and fota.mode == "dry-run" then
  print("Dry run: the demo upgrade was not scheduled, so there is nothing to clean.")
  return
end

-- An API error is a table {call, code, message, status, summary}; say which upgrade it was about.
local ok, upgrade = pcall(fota.upgrade, upgrade_id)
if not ok then
  local problem = type(upgrade) == "table" and upgrade.code == "INVALID_PARAMETER"
    and "no such upgrade in the account (" .. upgrade.message .. ")" or tostring(upgrade)
  error(string.format("cannot read upgrade %s: %s", upgrade_id, problem), 0)
end
if upgrade.status ~= "RequestPending" and upgrade.status ~= "Queued" then
  error(string.format("upgrade %s is %s: devices can be removed only before it starts (RequestPending or Queued)",
    upgrade.id, tostring(upgrade.status)), 0)
end
local image = find_image(upgrade.firmwareName)
if not image then error("upgrade " .. upgrade_id .. " uses firmware " .. tostring(upgrade.firmwareName) .. ", which fota.firmware() does not list", 0) end
print(string.format("Upgrade %s: %s (%s -> %s), status %s, %d devices",
  upgrade.id, image.firmwareName, image.fromVersion, image.toVersion, tostring(upgrade.status), #upgrade.deviceList))

local unfit, reasons = {}, {}
for _, entry in ipairs(upgrade.deviceList) do
  local reason = unfit_reason(entry.deviceId, devices[entry.deviceId], image)
  if reason then
    unfit[#unfit + 1] = entry.deviceId
    reasons[entry.deviceId] = reason
  end
end

if #unfit == 0 then
  print("Every device is fit; nothing to remove.")
  return
end
if fota.mode == "read-only" then
  print(string.format("Read-only run: %d unfit devices were not removed:", #unfit))
  for _, imei in ipairs(unfit) do print(string.format("  %s  %s", imei, reasons[imei])) end
  return
end

local result = fota.remove(upgrade.id, unfit)
print(string.format("%s %d of %d unfit devices%s:", result.dryRun and "Would remove" or "Removed", #result.succeeded, #unfit,
  result.dryRun and " (dry run: nothing sent)" or ""))
for _, outcome in ipairs(result.devices) do
  local removed = outcome.status == "RemoveDeviceSucceed"
  print(string.format("  %s  %s%s", outcome.deviceId, reasons[outcome.deviceId],
    removed and "" or string.format("  [not removed: %s, %s]", tostring(outcome.status), tostring(outcome.reason))))
end
if not result.dryRun and #result.succeeded == #upgrade.deviceList then
  log.warn("every device of upgrade " .. upgrade.id .. " was unfit; it has none left (fota.cancel can remove it)")
end
if #result.failed > 0 then os.exit(1) end
