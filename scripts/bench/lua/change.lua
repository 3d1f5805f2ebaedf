-- Benchmark: fota.append or fota.remove (arg[1]) of every IMEI in the file arg[3] (one a line,
-- read with files.lines) to the upgrade arg[2], as an operator's script would; prints the counts.
local call, id, path = arg[1], arg[2], arg[3]
assert(call == "append" or call == "remove", "arg[1] must be append or remove")
local result = fota[call](id, files.lines(path))
print(#result.devices, #result.succeeded, #result.failed)
