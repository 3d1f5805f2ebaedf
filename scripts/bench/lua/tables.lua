-- Benchmark baseline for walk.lua, run by plain lua5.4: builds arg[1] device tables shaped like
-- fota.devices()'s (two distinct strings per device, six shared values) and reads the same two
-- fields. The cost of the tables alone, with no JSON, network or bridge.
local n = tonumber(arg[1])
local count, eligible = 0, 0
for i = 1, n do
  local d = {
    deviceId = string.format("35%013d", i), mdn = string.format("1%09d", i), make = "QUECTEL", model = "BG96",
    firmware = "BG96MAR02A07M1G", fotaEligible = true, licenseAssigned = i % 10 < 7, upgradeTime = "01/01/1900 0:0:0",
  }
  count = count + 1
  if d.fotaEligible and d.model then eligible = eligible + 1 end
end
print(count, eligible)
