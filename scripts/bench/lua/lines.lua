-- Benchmark baseline: reads the IMEI file arg[1] with files.lines and does nothing else
-- (the memory and time of holding the input, without the change).
local devices = files.lines(arg[1])
print(#devices)
