#!/usr/bin/env -S fota run
-- hello.lua: shows how a script receives its arguments.
-- Run: fota run examples/hello.lua a b --flag
-- Everything after the script path is the script's: arg[1..n] and `...`.
print("script: " .. arg[0])
print("arguments: " .. select("#", ...))
for i, value in ipairs(arg) do
  print(string.format("  arg[%d] = %s", i, value))
end
