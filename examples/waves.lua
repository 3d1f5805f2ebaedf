-- waves.lua: splits a fleet into rollout waves (1 %, 10 %, the rest), the way a
-- campaign script stages an upgrade. Runs without an API: the fleet is made up.
-- Run: fota run examples/waves.lua [fleet size, default 20]
local size = tonumber(arg[1] or "20")
if not size or size < 1 or size ~= math.floor(size) then
  error("fleet size must be a positive whole number, got " .. tostring(arg[1]), 0)
end

-- A Luhn check digit makes each made-up IMEI valid.
local function luhn_digit(body)
  local sum = 0
  for i = #body, 1, -1 do
    local d = tonumber(body:sub(i, i))
    if (#body - i) % 2 == 0 then
      d = d * 2
      if d > 9 then d = d - 9 end
    end
    sum = sum + d
  end
  return (10 - sum % 10) % 10
end

local fleet = {}
for i = 1, size do
  local body = string.format("35%012d", 4000000 + i * 7919)
  fleet[i] = body .. luhn_digit(body)
end

local waves = {{name = "canary", share = 0.01}, {name = "early", share = 0.10}, {name = "rest", share = 1.0}}
local start = 1
for _, wave in ipairs(waves) do
  local last = math.max(start, math.min(size, math.ceil(size * wave.share)))
  if start > size then break end
  print(string.format("%-7s %3d devices: %s%s", wave.name, last - start + 1, fleet[start],
    last > start and (" .. " .. fleet[last]) or ""))
  start = last + 1
end
