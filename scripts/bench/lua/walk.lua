-- Benchmark: walks the whole fleet with `for d in fota.devices()`, reading two fields of each
-- device as a script that picks devices would; prints the count.
local count, eligible = 0, 0
for d in fota.devices() do
  count = count + 1
  if d.fotaEligible and d.model then eligible = eligible + 1 end
end
print(count, eligible)
