#!/usr/bin/env -S fota run
-- canary.lua: schedules a small canary upgrade. It picks N eligible, licensed
-- devices of one make and model that run a given firmware version, the same
-- devices for the same --seed, schedules the firmware image that upgrades
-- that version, and shows the new upgrade's details.
--
-- Run:
--   fota run --simulate examples/canary.lua                    rehearse on the simulator
--   fota run --dry-run examples/canary.lua --count 10           see the plan, send nothing
--   fota run examples/canary.lua --make Quectel --model BG96 --from BG96MAR02A08M1G
--
-- Options (all optional):
--   --count N        devices in the canary (default 5)
--   --make NAME      device make  (default: the make/model/version with the most candidates)
--   --model NAME     device model (same default)
--   --from VERSION   firmware the devices run now (same default)
--   --seed N         which devices are picked: same seed, same devices (default 1)
--   --start DATE     start date, YYYY-MM-DD (default today, UTC)
--
-- Candidates are sorted by IMEI and picked with a seeded linear congruential
-- generator written here, so the choice never depends on math.random.

local options = fota.args{
  {"count", type = "integer", min = 1, default = 5, help = "devices in the canary"},
  {"make", value = "NAME", help = "device make (default: the make/model/version with the most candidates)"},
  {"model", value = "NAME", help = "device model (same default)"},
  {"from", value = "VERSION", help = "firmware the devices run now (same default)"},
  {"seed", type = "integer", min = 0, default = 1, help = "which devices are picked: same seed, same devices"},
  {"start", value = "YYYY-MM-DD", help = "start date (default today, UTC)"},
}

-- What fota.args cannot know: that --start is a date. Same status (64) as its own refusals.
local function usage_error(message)
  log.error("canary: " .. message .. " (see --help)")
  os.exit(64)
end

local count, seed = options.count, options.seed
local start = options.start or fota.time.format(fota.now(), "%Y-%m-%d")
if not pcall(fota.time.parse, start) or #start ~= 10 then usage_error("--start must be a date (YYYY-MM-DD), got '" .. start .. "'") end

-- Firmware images by make, model and from-version.
local function image_key(make, model, version) return make .. "\0" .. model .. "\0" .. version end
local images = {}
for _, image in ipairs(fota.firmware()) do
  if image.make and image.model and image.fromVersion then
    images[image_key(image.make, image.model, image.fromVersion)] = image
  end
end

-- Eligible, licensed devices that have an image for their current firmware,
-- grouped by make, model and firmware; only groups matching the options.
local function matches(device)
  return (options.make == nil or device.make == options.make)
    and (options.model == nil or device.model == options.model)
    and (options.from == nil or device.firmware == options.from)
end

local groups, seen_makes = {}, {}
for device in fota.devices() do
  if device.make then seen_makes[device.make .. " " .. tostring(device.model)] = true end
  local key = device.make and device.model and device.firmware and image_key(device.make, device.model, device.firmware)
  if key and device.fotaEligible and device.licenseAssigned and images[key] and matches(device) then
    local group = groups[key]
    if not group then
      group = {image = images[key], make = device.make, model = device.model, firmware = device.firmware, devices = {}}
      groups[key] = group
    end
    group.devices[#group.devices + 1] = device.deviceId
  end
end

-- The group with the most candidates; ties go to the first key in sort order.
local function largest_group()
  local best
  local keys = {}
  for key in pairs(groups) do keys[#keys + 1] = key end
  table.sort(keys)
  for _, key in ipairs(keys) do
    if not best or #groups[key].devices > #best.devices then best = groups[key] end
  end
  return best
end

local group = largest_group()
if not group then
  local known = {}
  for name in pairs(seen_makes) do known[#known + 1] = name end
  table.sort(known)
  error(string.format("no eligible, licensed device matches make=%s model=%s from=%s with a firmware image to upgrade it (makes and models in the account: %s)",
    options.make or "any", options.model or "any", options.from or "any", table.concat(known, ", ")), 0)
end
if count > #group.devices then
  error(string.format("--count %d is more than the %d candidates (%s %s on %s)", count, #group.devices, group.make, group.model, group.firmware), 0)
end

-- A 32-bit LCG (Numerical Recipes constants): the same seed gives the same numbers in every Lua 5.4.
local function lcg(state)
  return function(bound)
    state = (1664525 * state + 1013904223) & 0xFFFFFFFF
    return (state >> 8) % bound
  end
end

-- Picks `n` of `list` (sorted first) with a partial Fisher-Yates shuffle; returns them sorted.
local function pick(list, n, random)
  local pool = table.move(list, 1, #list, 1, {})
  table.sort(pool)
  for i = 1, n do
    local j = i + random(#pool - i + 1)
    pool[i], pool[j] = pool[j], pool[i]
  end
  local chosen = table.move(pool, 1, n, 1, {})
  table.sort(chosen)
  return chosen
end

local devices = pick(group.devices, count, lcg(seed))
local image = group.image
print(string.format("Canary: %d of %d eligible, licensed %s %s devices on %s (seed %d)",
  count, #group.devices, group.make, group.model, group.firmware, seed))
print(string.format("Firmware: %s (%s -> %s), start %s", image.firmwareName, image.fromVersion, image.toVersion, start))
for _, imei in ipairs(devices) do print("  " .. imei) end

if fota.mode == "read-only" then
  print("Read-only run: the upgrade was not scheduled.")
  return
end

local upgrade = fota.schedule{
  firmwareName = image.firmwareName, firmwareTo = image.toVersion, startDate = start, devices = devices,
}
print(string.format("Scheduled upgrade %s%s", upgrade.id, upgrade.dryRun and " (dry run: placeholder id, nothing sent)" or ""))

-- A dry run's placeholder id does not exist in ThingSpace: show what schedule returned instead.
local details = upgrade.dryRun and upgrade or fota.upgrade(upgrade.id)
print()
print("Upgrade " .. details.id)
print("  firmware  " .. tostring(details.firmwareName) .. " -> " .. tostring(details.firmwareTo))
print("  start     " .. tostring(details.startDate))
print("  status    " .. tostring(details.status))
print(string.format("  devices   %d", #details.deviceList))
for _, device in ipairs(details.deviceList) do
  print(string.format("    %s  %s%s", device.deviceId, device.status or "?", device.reason and ("  " .. device.reason) or ""))
end
