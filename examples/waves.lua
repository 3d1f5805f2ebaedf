#!/usr/bin/env -S fota run
-- waves.lua: upgrades devices in waves: a canary first, then bigger waves, each
-- started only when the wave before it has ended with few enough failed devices.
--
-- Run:
--   fota run --simulate examples/waves.lua --model T10               rehearse: weeks pass in seconds
--   fota run --simulate --sim-failure-rate 0.5 examples/waves.lua    rehearse a bad image: it halts
--   fota run --simulate --timeline waves.csv examples/waves.lua      and see when each device ended
--   fota run --timeout 60d examples/waves.lua --model BG96 --from BG96MAR02A08M1G      for real
--
-- Options (all optional):
--   --make NAME, --model NAME, --from VERSION
--                      the devices to upgrade (default: the make/model/version with the most
--                      eligible, licensed devices that a firmware image upgrades)
--   --count N          upgrade at most N of them (default: all)
--   --canary N         devices in the canary, the first wave (default 5)
--   --waves LIST       where each later wave ends, as shares of the devices, e.g. 0.25,1
--                      (default 0.25,1: up to a quarter, then the rest)
--   --max-failure R    the largest share of failed devices (0..1) a wave may have for the next
--                      one to start (default 0.1)
--   --days N           days each wave is given: its endDate is its start + N days (default 14)
--
-- Exit status: 0 every wave ended well; 2 halted (a wave failed too often or did not end),
-- or the last wave failed too often; 64 usage error.
--
-- A device counts as failed when ThingSpace reports UpgradeFailed for it, also when it was not
-- reached before the wave's endDate; devices ThingSpace rejected at validation (no licence,
-- wrong firmware …) did not take part and are left out of the share.

local options = fota.args{
  {"make", value = "NAME", help = "device make (default: the largest group of eligible, licensed devices)"},
  {"model", value = "NAME", help = "device model (same default)"},
  {"from", value = "VERSION", help = "firmware the devices run now (same default)"},
  {"count", type = "number", help = "upgrade at most N of the devices (default: all)"},
  {"canary", type = "number", default = 5, help = "devices in the canary, the first wave"},
  {"waves", value = "LIST", default = "0.25,1", help = "where each later wave ends, as shares of the devices"},
  {"max-failure", value = "R", default = "0.1", help = "largest share of failed devices a wave may have for the next to start"},
  {"days", type = "number", default = 14, help = "days each wave is given"},
}

-- What fota.args cannot know: the ranges. Same status (64) as its own refusals.
local function usage_error(message)
  log.error("waves: " .. message .. " (see --help)")
  os.exit(64)
end

local function whole(name, least)
  if options[name] == nil then return nil end
  local n = math.tointeger(options[name])
  if not n or n < least then
    usage_error(string.format("--%s must be a whole number of at least %d, got '%s'", name, least, options[name]))
  end
  return n
end

local function share(text, what)
  local r = tonumber(text)
  if not r or r < 0 or r > 1 then usage_error(what .. " must be a share from 0 to 1, got '" .. text .. "'") end
  return r
end

local canarySize = whole("canary", 1)
local count = whole("count", 1)
local days = whole("days", 1)
local maxFailure = share(options["max-failure"], "--max-failure")
local shares = {}
for text in options.waves:gmatch("[^,]+") do
  local s = share(text, "--waves")
  if #shares > 0 and s <= shares[#shares] then usage_error("--waves must grow, each share above the one before") end
  shares[#shares + 1] = s
end
if #shares == 0 or shares[#shares] ~= 1 then usage_error("--waves must end with 1 (the rest of the devices)") end

-- The firmware images, by make, model and the version they upgrade.
local function key(make, model, version) return make .. "\0" .. model .. "\0" .. version end
local images = {}
for _, image in ipairs(fota.firmware()) do
  if image.make and image.model and image.fromVersion then images[key(image.make, image.model, image.fromVersion)] = image end
end

-- Eligible, licensed devices with an image for their firmware, grouped; the largest group wins.
local groups = {}
for d in fota.devices() do
  local k = d.make and d.model and d.firmware and key(d.make, d.model, d.firmware)
  if k and images[k] and d.fotaEligible and d.licenseAssigned
     and (options.make == nil or d.make == options.make) and (options.model == nil or d.model == options.model)
     and (options.from == nil or d.firmware == options.from) then
    groups[k] = groups[k] or {image = images[k], devices = {}}
    table.insert(groups[k].devices, d.deviceId)
  end
end
local group
local keys = {}
for k in pairs(groups) do keys[#keys + 1] = k end
table.sort(keys)
for _, k in ipairs(keys) do
  if not group or #groups[k].devices > #group.devices then group = groups[k] end
end
if not group then error("no eligible, licensed device matches, with a firmware image to upgrade it", 0) end
local image = group.image
local devices = group.devices
table.sort(devices) -- the same devices in the same waves on every run
if count and count < #devices then devices = table.move(devices, 1, count, 1, {}) end
if canarySize >= #devices then usage_error(string.format("--canary %d leaves no device for a later wave (%d devices)", canarySize, #devices)) end

-- The waves: the canary, then up to each share of the devices.
local waves = {{name = "canary", first = 1, last = canarySize}}
for _, s in ipairs(shares) do
  local last = math.max(waves[#waves].last, math.ceil(#devices * s))
  if last > waves[#waves].last then
    waves[#waves + 1] = {name = "wave " .. #waves, first = waves[#waves].last + 1, last = last}
  end
end

print(string.format("Firmware %s (%s %s, %s -> %s): %d devices in %d waves, halting above %.0f%% failed",
  image.firmwareName, image.make, image.model, image.fromVersion, image.toVersion, #devices, #waves, maxFailure * 100))

if fota.mode == "read-only" then
  for _, wave in ipairs(waves) do
    print(string.format("%s: %d devices, %s .. %s", wave.name, wave.last - wave.first + 1, devices[wave.first], devices[wave.last]))
  end
  print("Read-only run: nothing was scheduled.")
  return
end

local function day(t) return os.date("!%Y-%m-%d", t) end

for n, wave in ipairs(waves) do
  local list = table.move(devices, wave.first, wave.last, 1, {})
  local start = fota.now()
  local upgrade = fota.schedule{firmwareName = image.firmwareName, firmwareTo = image.toVersion,
                                startDate = day(start), endDate = day(start + days * 86400), devices = list}
  print(string.format("%s: %d devices, upgrade %s, %s to %s", wave.name, #list, upgrade.id, upgrade.startDate, upgrade.endDate))
  if upgrade.dryRun then
    print("  dry run: nothing was scheduled, so there is nothing to wait for")
  else
    -- Its end, or give up a day after its endDate.
    local ok, ended = pcall(fota.wait, upgrade.id, {timeout = (days + 1) * 86400})
    if not ok then
      if type(ended) == "table" and ended.code == "TIMEOUT" then
        print(string.format("Halted: %s has not ended %d days after it started", wave.name, days + 1))
        os.exit(2)
      end
      error(ended, 0)
    end
    local succeeded, failed, rejected = 0, 0, 0
    for _, d in ipairs(ended.deviceList) do
      if d.status == "UpgradeSuccess" then succeeded = succeeded + 1
      elseif d.status == "UpgradeFailed" then failed = failed + 1
      else rejected = rejected + 1 end
    end
    local rate = (succeeded + failed) > 0 and failed / (succeeded + failed) or 1
    print(string.format("  %s after %.1f days: %d succeeded, %d failed, %d rejected (%.0f%% failed)",
      ended.status, (fota.now() - start) / 86400, succeeded, failed, rejected, rate * 100))
    if rate > maxFailure and n == #waves then
      print(string.format("Done, but %.0f%% of %s failed, above %.0f%%", rate * 100, wave.name, maxFailure * 100))
      os.exit(2)
    elseif rate > maxFailure then
      print(string.format("Halted: %.0f%% of %s failed, above %.0f%%; %d devices were not scheduled",
        rate * 100, wave.name, maxFailure * 100, #devices - wave.last))
      os.exit(2)
    end
  end
end
print(string.format("Done: %d devices in %d waves, %s", #devices, #waves, os.date("!%Y-%m-%d %H:%M UTC")))
