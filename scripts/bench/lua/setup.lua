-- Benchmark setup: schedules a new upgrade holding one device of the fleet and prints its id,
-- for the end-to-end benchmarks to append to. Tries the fleet's devices in order with every
-- image that fits them; a device already held by an earlier upgrade is refused, so each run
-- gets the next free one (same seed, same upgrades).
local images = fota.firmware()
for d in fota.devices() do
  for _, f in ipairs(images) do
    if f.make == d.make and f.model == d.model and f.fromVersion == d.firmware then
      local ok, upgrade = pcall(fota.schedule, {
        firmwareName = f.firmwareName, firmwareTo = f.toVersion, startDate = "2026-12-01", devices = { d.deviceId },
      })
      if ok then
        print(upgrade.id)
        return
      end
    end
  end
end
error("no device of the fleet could start a new upgrade")
