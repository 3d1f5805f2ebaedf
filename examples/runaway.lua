-- runaway.lua: a script with a bug that never ends. The sandbox stops it when
-- it has used its CPU budget (--cpu-limit, 60 s by default) and says which
-- limit tripped. Run: fota run --cpu-limit 1 examples/runaway.lua
local n = 0
while true do n = n + 1 end
