-- Benchmark control for change.lua: the same start-up, login, file reading and logout, with one
-- small request (reading the upgrade arg[1]) instead of the change; what is left of change.lua's
-- wall time after subtracting this (plus that request's latency) is the call itself.
local devices = files.lines(arg[2])
local upgrade = fota.upgrade(arg[1])
print(#devices, upgrade.id)
