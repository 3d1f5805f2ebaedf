/// fota.rollout, written in Lua on the public API only (fota.state, fota.busy, fota.schedule with
/// a key, fota.wait, fota.sleep, fota.cancel), so it reads as an example of that API.
/// docs/lua-api.md describes it; this text is what runs.
extension Prelude {
    static let rollout = #"""
        local fota, log, error, type, pairs, ipairs, tostring, pcall = fota, log, error, type, pairs, ipairs, tostring, pcall
        local floor, ceil, min, huge, mathtype, format, date, move = math.floor, math.ceil, math.min, math.huge, math.type,
                                                                    string.format, os.date, table.move
        local schedule, wait, busy, cancel, now, sleep = fota.schedule, fota.wait, fota.busy, fota.cancel, fota.now, fota.sleep
        local get, put, note = fota.state.get, fota.state.put, fota.__note
        fota.__note = nil

        local function bad(message) error("bad argument #1 to 'rollout' (" .. message .. ")", 4) end

        -- Checks the table fota.rollout was given; returns its settings with defaults filled in.
        local function settings(spec)
          if type(spec) ~= "table" then error("bad argument #1 to 'rollout' (table expected, got " .. type(spec) .. ")", 3) end
          local known = {name = true, firmwareName = true, firmwareTo = true, devices = true, waves = true, gate = true,
                         soak = true, onHalt = true, days = true, account = true}
          for key in pairs(spec) do
            if not known[key] then
              bad("unknown field '" .. tostring(key) .. "' (expected name, firmwareName, firmwareTo, devices, waves, " ..
                  "gate, soak, onHalt, days, account)")
            end
          end
          for _, field in ipairs({"name", "firmwareName", "firmwareTo"}) do
            if type(spec[field]) ~= "string" or spec[field] == "" then bad("field '" .. field .. "' must be a non-empty string") end
          end
          if not spec.name:match("^[%w_%-][%w._%-]*$") then
            bad("name '" .. spec.name .. "' must be letters, digits, '.', '_', '-' (it names the state)")
          end
          if type(spec.devices) ~= "table" or #spec.devices == 0 then bad("field 'devices' must be a non-empty array of IMEIs") end
          local seen = {}
          for i, imei in ipairs(spec.devices) do
            if type(imei) ~= "string" or not imei:match("^%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d$") then
              bad(format("devices[%d] is not an IMEI (15 digits)", i))
            end
            if seen[imei] then bad(format("devices[%d] %s is listed twice", i, imei)) end
            seen[imei] = true
          end
          if type(spec.waves) ~= "table" or #spec.waves == 0 then bad("field 'waves' must be a non-empty array of shares or counts") end
          for i, w in ipairs(spec.waves) do
            if mathtype(w) == "integer" then
              if w < 1 then bad(format("waves[%d] is a count of devices and must be at least 1, got %d", i, w)) end
            elseif mathtype(w) ~= "float" or not (w > 0 and w <= 1) then
              bad(format("waves[%d] must be a share (0 < share <= 1.0) or a whole count, got %s", i, tostring(w)))
            end
          end
          if spec.gate ~= nil and type(spec.gate) ~= "function" then bad("field 'gate' must be a function, got " .. type(spec.gate)) end
          local soak = spec.soak or 0
          if type(soak) ~= "number" or not (soak >= 0 and soak < huge) then bad("field 'soak' must be seconds (>= 0)") end
          local onHalt = spec.onHalt or "cancel-pending"
          if onHalt ~= "cancel-pending" and onHalt ~= "keep" then
            bad("field 'onHalt' must be \"cancel-pending\" or \"keep\", got " .. tostring(spec.onHalt))
          end
          local days = spec.days or 14
          if mathtype(days) ~= "integer" or days < 1 then bad("field 'days' must be a whole number of days, at least 1") end
          if spec.account ~= nil and type(spec.account) ~= "string" then bad("field 'account' must be a string") end
          return {name = spec.name, firmwareName = spec.firmwareName, firmwareTo = spec.firmwareTo, gate = spec.gate,
                  soak = soak, onHalt = onHalt, days = days, opts = spec.account and {account = spec.account} or nil}
        end

        -- The waves as ranges of the device list: a float is the share of all devices done once the
        -- wave ends, an integer the number of devices in the wave.
        local function plan(waves, n)
          local ranges, done = {}, 0
          for _, w in ipairs(waves) do
            local last = mathtype(w) == "integer" and min(n, done + w) or min(n, ceil(n * w - 1e-9))
            if last > done then
              ranges[#ranges + 1] = {first = done + 1, last = last}
              done = last
            end
          end
          if done < n then
            bad(format("waves cover %d of the %d devices: end with 1.0 (the rest)", done, n))
          end
          return ranges
        end

        -- Counts per device status, failed share and reasons of an ended upgrade. A device
        -- counts as failed when it ends UpgradeFailed; devices ThingSpace rejected (never
        -- reached UpgradeSuccess or UpgradeFailed) are `rejected` and left out of the share;
        -- failureRate is 1 when no device took part (nothing shows the image is healthy).
        local function statsOf(upgrade)
          local stats = {total = 0, succeeded = 0, failed = 0, rejected = 0, counts = {}, reasons = {}}
          for _, d in ipairs(upgrade.deviceList or {}) do
            local status = d.status or "Unknown"
            stats.total = stats.total + 1
            stats.counts[status] = (stats.counts[status] or 0) + 1
            if status == "UpgradeSuccess" then stats.succeeded = stats.succeeded + 1
            elseif status == "UpgradeFailed" then stats.failed = stats.failed + 1
            else stats.rejected = stats.rejected + 1 end
            if status ~= "UpgradeSuccess" and d.reason then stats.reasons[d.reason] = (stats.reasons[d.reason] or 0) + 1 end
          end
          local tried = stats.succeeded + stats.failed
          stats.failureRate = tried > 0 and stats.failed / tried or 1.0
          return stats
        end

        local function report(st)
          local waves = {}
          for i, w in ipairs(st.waves) do
            waves[i] = {wave = i, devices = w.devices, skipped = w.skipped, upgradeId = w.upgradeId,
                        upgradeStatus = w.upgradeStatus, stats = w.stats, decision = w.decision, reason = w.reason}
          end
          return {name = st.name, firmwareName = st.firmwareName, firmwareTo = st.firmwareTo, devices = #st.devices,
                  planned = #st.plan, status = st.status, waves = waves}
        end

        local function day(t) return date("!%Y-%m-%d", floor(t)) end

        function fota.rollout(spec)
          local s = settings(spec)
          local name = s.name
          local function say(...) log.info("rollout " .. name .. ": " .. format(...)) end
          local st = get(name)
          -- Every step is saved before the next one starts: a re-run continues from the last saved step.
          local function save() put(name, st) end
          if st == nil then
            st = {version = 1, name = name, firmwareName = s.firmwareName, firmwareTo = s.firmwareTo,
                  devices = move(spec.devices, 1, #spec.devices, 1, {}), plan = plan(spec.waves, #spec.devices),
                  waves = {}, status = "running"}
            save()
            say("%d devices in %d waves, %s -> %s", #st.devices, #st.plan, s.firmwareName, s.firmwareTo)
          else
            if st.firmwareName ~= s.firmwareName or st.firmwareTo ~= s.firmwareTo then
              error(format("fota.rollout: rollout '%s' was started for %s -> %s, not %s -> %s; give this one another name",
                           name, tostring(st.firmwareName), tostring(st.firmwareTo), s.firmwareName, s.firmwareTo), 2)
            end
            local same = #spec.devices == #st.devices
            if same then
              local frozen = {}
              for _, imei in ipairs(st.devices) do frozen[imei] = true end
              for _, imei in ipairs(spec.devices) do if not frozen[imei] then same = false break end end
            end
            if not same then
              say("the devices given differ from the %d frozen at the first run; the frozen list is used", #st.devices)
            end
            if st.status == "finished" or st.status == "halted" and st.final then
              say("already %s; nothing to do", st.status)
              return report(st), true
            end
            if st.status == "halted" then
              -- onHalt = "keep": the gate that said no is asked again.
              for _, w in ipairs(st.waves) do if w.decision == "halt" then w.decision, w.reason = nil, nil end end
              st.status = "running"
            end
            say("resuming at wave %d of %d", #st.waves > 0 and #st.waves or 1, #st.plan)
          end

          for i, range in ipairs(st.plan) do
            local w = st.waves[i]
            if w == nil then
              -- The wave's devices, fixed now: those held by another active upgrade are skipped.
              local held = busy(s.opts)
              w = {devices = {}, skipped = {}}
              for k = range.first, range.last do
                local imei = st.devices[k]
                if held[imei] then
                  w.skipped[#w.skipped + 1] = {deviceId = imei, reason = "held by upgrade " .. held[imei]}
                else
                  w.devices[#w.devices + 1] = imei
                end
              end
              st.waves[i] = w
              save()
              say("wave %d: %d devices%s", i, #w.devices,
                  #w.skipped > 0 and format(", %d skipped (held by other upgrades)", #w.skipped) or "")
            end
            if #w.devices == 0 and w.decision == nil then
              w.stats, w.decision, w.reason = statsOf({}), "continue", "no device left to upgrade in this wave"
              save()
            end
            if w.upgradeId == nil and #w.devices > 0 then
              local start = now()
              local u = schedule{firmwareName = s.firmwareName, firmwareTo = s.firmwareTo, devices = w.devices,
                                 startDate = day(start), endDate = day(start + s.days * 86400),
                                 key = name .. "/wave-" .. i, account = s.opts and s.opts.account}
              if u.dryRun then
                say("wave %d: dry run: planned, not scheduled; later waves depend on its outcome", i)
                st.status = "dry-run"
                return report(st)
              end
              say("wave %d: upgrade %s %s", i, u.id, u.existing and "was already scheduled" or "scheduled")
              w.upgradeId = u.id
              save()
            end
            if w.stats == nil then
              if fota.mode == "dry-run" then
                say("wave %d: dry run: upgrade %s is not waited for", i, w.upgradeId)
                st.status = "dry-run"
                return report(st)
              end
              local ok, u = pcall(wait, w.upgradeId, {timeout = (s.days + 1) * 86400}, s.opts)
              if ok then
                w.upgradeStatus, w.stats = u.status, statsOf(u)
                say("wave %d: %s: %d succeeded, %d failed, %d rejected (failure rate %.3g)", i, u.status,
                    w.stats.succeeded, w.stats.failed, w.stats.rejected, w.stats.failureRate)
              elseif type(u) == "table" and u.code == "TIMEOUT" then
                w.upgradeStatus, w.decision = "NotEnded", "halt"
                w.reason = format("upgrade %s did not end within %d days", w.upgradeId, s.days + 1)
              else
                error(u, 0)
              end
              save()
            end
            if w.decision == nil then
              local go, why = true, nil
              if s.gate then
                local view = {wave = i, upgradeId = w.upgradeId, devices = #w.devices, upgradeStatus = w.upgradeStatus}
                go, why = s.gate(view, w.stats)
              end
              w.decision = go and "continue" or "halt"
              w.reason = why ~= nil and tostring(why) or nil
              save()
              note{rollout = name, wave = i, upgradeId = w.upgradeId, decision = w.decision, reason = w.reason}
              say("wave %d: gate: %s%s", i, w.decision, w.reason and (" (" .. w.reason .. ")") or "")
            end
            if w.decision == "halt" then
              st.status, st.final = "halted", s.onHalt == "cancel-pending"
              if st.final and w.upgradeStatus == "NotEnded" then
                -- The halted wave's upgrade has not ended: cancel it if it has not started.
                local ok, err = pcall(cancel, w.upgradeId, s.opts)
                w.cancelled = ok
                if not ok then say("wave %d: upgrade %s not cancelled: %s", i, w.upgradeId, tostring(err)) end
              end
              save()
              note{rollout = name, wave = i, decision = "halted", onHalt = s.onHalt, notStarted = #st.plan - i}
              say("halted at wave %d; %d waves not started (%s)", i, #st.plan - i,
                  st.final and "cancelled" or "kept: a re-run asks the gate again")
              return report(st)
            end
            if i < #st.plan and s.soak > 0 then
              if w.soakUntil == nil then
                w.soakUntil = now() + s.soak
                save()
              end
              local left = w.soakUntil - now()
              if left > 0 then
                say("wave %d: soaking %.0f s", i, left)
                sleep(left)
              end
            end
          end
          st.status = "finished"
          save()
          note{rollout = name, decision = "finished", waves = #st.plan}
          say("finished: %d devices in %d waves", #st.devices, #st.plan)
          return report(st)
        end
        """#
}
