#!/usr/bin/env -S fota run
-- waves.lua: upgrades devices in waves with fota.rollout: a canary first, then bigger waves, each
-- started only when the wave before it has ended with few enough failed devices. Killed at any
-- moment, run it again: it continues where it stopped (fota.state), and schedules nothing twice
-- (each wave's schedule has an idempotency key).
--
-- Run:
--   fota run --simulate examples/waves.lua --model T10               rehearse: weeks pass in seconds
--   fota run --simulate --sim-failure-rate 0.5 examples/waves.lua    rehearse a bad image: it halts
--   fota run --simulate --timeline waves.csv examples/waves.lua      and see when each device ended
--   fota run --timeout 60d examples/waves.lua --model BG96 --from BG96MAR02A08M1G      for real
--
-- Options (all optional):
--   --name NAME        the rollout's name: its state and keys live under it (default "waves");
--                      a run with the name of a finished rollout does nothing
--   --make NAME, --model NAME, --from VERSION
--                      the devices to upgrade (default: the make/model/version with the most
--                      eligible, licensed devices that a firmware image upgrades); chosen at the
--                      first run and kept in the state, so a re-run upgrades the same devices
--   --count N          upgrade at most N of them (default: all)
--   --canary N         devices in the canary, the first wave (default 5)
--   --waves LIST       where each later wave ends, as shares of the devices, e.g. 0.25,1
--                      (default 0.25,1: up to a quarter, then the rest)
--   --max-failure R    the largest share of failed devices (0..1) a wave may have for the next
--                      one to start (default 0.1)
--   --days N           days each wave is given: its endDate is its start + N days (default 14)
--   --soak SECONDS     wait between a wave that passed and the next (default 0)
--
-- Exit status: 0 every wave ended well; 2 halted (a wave failed too often or did not end),
-- or the last wave failed too often; 64 usage error.
--
-- A device counts as failed when ThingSpace reports UpgradeFailed for it, also when it was not
-- reached before the wave's endDate; devices ThingSpace rejected at validation (no licence,
-- wrong firmware …) did not take part and are left out of the share.

local options = fota.args{
  {"name", value = "NAME", default = "waves", help = "the rollout's name: its state and keys live under it"},
  {"make", value = "NAME", help = "device make (default: the largest group of eligible, licensed devices)"},
  {"model", value = "NAME", help = "device model (same default)"},
  {"from", value = "VERSION", help = "firmware the devices run now (same default)"},
  {"count", type = "integer", min = 1, help = "upgrade at most N of the devices (default: all)"},
  {"canary", type = "integer", min = 1, default = 5, help = "devices in the canary, the first wave"},
  {"waves", value = "LIST", default = "0.25,1", help = "where each later wave ends, as shares of the devices"},
  {"max-failure", value = "R", default = "0.1", help = "largest share of failed devices a wave may have for the next to start"},
  {"days", type = "integer", min = 1, default = 14, help = "days each wave is given"},
  {"soak", type = "integer", min = 0, default = 0, help = "seconds between a finished wave and the next"},
}

-- What fota.args cannot know: shares and lists of shares. Same status (64) as its own refusals.
local function usage_error(message)
  log.error("waves: " .. message .. " (see --help)")
  os.exit(64)
end

local function share(text, what)
  local r = tonumber(text)
  if not r or r < 0 or r > 1 then usage_error(what .. " must be a share from 0 to 1, got '" .. text .. "'") end
  return r
end

local canarySize = options.canary
local count = options.count
local days = options.days
local maxFailure = share(options["max-failure"], "--max-failure")
local soak = options.soak
local name = options.name
if not name:match("^[%w_%-][%w._%-]*$") then usage_error("--name must be letters, digits, '.', '_', '-'") end
local shares = {}
for text in options.waves:gmatch("[^,]+") do
  local s = share(text, "--waves")
  if #shares > 0 and s <= shares[#shares] then usage_error("--waves must grow, each share above the one before") end
  shares[#shares + 1] = s
end
if #shares == 0 or shares[#shares] ~= 1 then usage_error("--waves must end with 1 (the rest of the devices)") end

-- The devices and their image, chosen at the first run and kept in the state: after some waves the
-- fleet looks different (upgraded devices run another version), and a re-run must go on with the
-- same devices.
local input = fota.state.get(name .. ".input")
if input then
  print(string.format("Rollout %s: continuing with the %d devices chosen at its first run", name, #input.devices))
else
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
  local devices = group.devices
  table.sort(devices) -- the same devices in the same waves on every run
  if count and count < #devices then devices = table.move(devices, 1, count, 1, {}) end
  local image = group.image
  input = {devices = devices, firmwareName = image.firmwareName, firmwareTo = image.toVersion,
           label = string.format("%s %s, %s -> %s", image.make, image.model, image.fromVersion, image.toVersion)}
  if fota.mode ~= "read-only" then fota.state.put(name .. ".input", input) end
end
local devices = input.devices
if canarySize >= #devices then usage_error(string.format("--canary %d leaves no device for a later wave (%d devices)", canarySize, #devices)) end

-- The waves as fota.rollout takes them: a count (the canary), then shares (floats) of all devices.
local waves = {canarySize}
for _, s in ipairs(shares) do waves[#waves + 1] = s + 0.0 end
local names = {}
do -- how many waves there will be, and their names, as fota.rollout cuts them
  local done = canarySize
  names[1] = "canary"
  for _, s in ipairs(shares) do
    local last = math.min(#devices, math.ceil(#devices * s - 1e-9))
    if last > done then names[#names + 1] = "wave " .. #names; done = last end
  end
end

print(string.format("Firmware %s (%s): %d devices in %d waves, halting above %.0f%% failed",
  input.firmwareName, input.label, #devices, #names, maxFailure * 100))

if fota.mode == "read-only" then
  print("Read-only run: nothing was scheduled.")
  return
end

local report, alreadyDone = fota.rollout{
  name = name, firmwareName = input.firmwareName, firmwareTo = input.firmwareTo, devices = devices,
  waves = waves, days = days, soak = soak, onHalt = "cancel-pending",
  gate = function(wave, stats)
    local ok = stats.failureRate <= maxFailure
    return ok, string.format("%.0f%% failed, %s %.0f%%", stats.failureRate * 100, ok and "at most" or "above", maxFailure * 100)
  end,
}
if alreadyDone then print(string.format("Rollout %s had already ended (%s): nothing to do", name, report.status)) end

local scheduled = 0
for n, wave in ipairs(report.waves) do
  local label = names[n] or ("wave " .. (n - 1))
  scheduled = scheduled + #wave.devices + #wave.skipped
  if wave.upgradeId and report.status ~= "dry-run" then
    local u = fota.upgrade(wave.upgradeId)
    print(string.format("%s: %d devices, upgrade %s, %s to %s", label, #wave.devices, wave.upgradeId, u.startDate, u.endDate))
  else
    print(string.format("%s: %d devices", label, #wave.devices))
  end
  for _, skip in ipairs(wave.skipped) do print(string.format("  skipped %s: %s", skip.deviceId, skip.reason)) end
  local s = wave.stats
  if s then
    print(string.format("  %s: %d succeeded, %d failed, %d rejected (%.0f%% failed)",
      wave.upgradeStatus, s.succeeded, s.failed, s.rejected, s.failureRate * 100))
  end
end

if report.status == "dry-run" then
  print("Dry run: the first wave is planned; later waves depend on its outcome")
elseif report.status == "halted" then
  local last = report.waves[#report.waves]
  if last.upgradeStatus == "NotEnded" then
    print(string.format("Halted: %s has not ended %d days after it started", names[#report.waves], days + 1))
  elseif #report.waves == report.planned then
    print(string.format("Done, but %s: %s", names[#report.waves], last.reason))
  else
    print(string.format("Halted: %s: %s; %d devices were not scheduled", names[#report.waves], last.reason, #devices - scheduled))
  end
  os.exit(2)
else
  print(string.format("Done: %d devices in %d waves, %s", #devices, #report.waves, os.date("!%Y-%m-%d %H:%M UTC")))
end
