/// Lua code run when the module is installed, before the script: the error
/// metatable and the page-walking iterators. It runs in the sandbox like the
/// script, and captures what it uses so a script cannot change it later.
enum Prelude {
    static let errorMetatable = """
        __fota_error_mt = {
          __name = "fota.error",
          __metatable = "locked",
          __tostring = function(e) return e.summary end,
        }
        """

    static let iterators = """
        local fota, error, type = fota, error, type

        -- The host keeps each walk's state (cursor and the guard against a cursor that does not
        -- move, shared with the Swift pager); a loop only asks it for the next page.
        local devices, upgrades, nextPage = fota.__devicesWalk, fota.__upgradesWalk, fota.__nextPage
        fota.__devicesWalk, fota.__upgradesWalk, fota.__nextPage = nil, nil, nil

        -- Opens a walk; a bad argument the host finds is raised at the script's call, not here.
        local pcall, gsub = pcall, string.gsub
        local function open(walk, ...)
          local ok, handle = pcall(walk, ...)
          if ok then return handle end
          if type(handle) == "string" then error((gsub(handle, "^%(fota%):%d+: ", "")), 3) end
          error(handle, 0)
        end

        local function pages(handle)
          local items, index = nil, 0
          return function()
            while true do
              if items and index < #items then
                index = index + 1
                return items[index]
              end
              items, index = nextPage(handle), 0
              if items == nil then return nil end
            end
          end
        end

        function fota.devices(opts)
          if opts ~= nil and type(opts) ~= "table" then
            error("bad argument #1 to 'fota.devices' (options table expected, got " .. type(opts) .. ")", 2)
          end
          return pages(open(devices, opts))
        end

        local statuses = {RequestPending = true, Queued = true, RequestFailed = true, InProgress = true,
                          Finished = true, UpgradeFailed = true}

        function fota.upgrades(status, opts)
          if type(status) ~= "string" then
            error("bad argument #1 to 'fota.upgrades' (status string expected, got " .. type(status) .. ")", 2)
          end
          if not statuses[status] then
            error("bad argument #1 to 'fota.upgrades' (status '" .. status .. "' is not one of RequestPending, " ..
                  "Queued, RequestFailed, InProgress, Finished, UpgradeFailed)", 2)
          end
          return pages(open(upgrades, status, opts))
        end
        """

    /// fota.wait, and os.time/os.date following fota.now. fota.wait is Lua so that the script's
    /// `until` function is called from Lua, never from Swift: an error it raises crosses no Swift frame.
    static func time(minimumEvery: Double) -> String {
        let defaultEvery = max(Self.defaultEvery, minimumEvery)
        return """
        local fota, error, type, pairs, ipairs, tostring, select = fota, error, type, pairs, ipairs, tostring, select
        local floor, min, huge, format = math.floor, math.min, math.huge, string.format
        local now, sleep, upgrade = fota.now, fota.sleep, fota.upgrade
        local jump, fail = fota.__jump, fota.__fail
        fota.__jump, fota.__fail = nil, nil

        local statuses = {RequestPending = true, Queued = true, RequestFailed = true, InProgress = true,
                          Finished = true, UpgradeFailed = true}
        local terminal = {RequestFailed = true, Finished = true, UpgradeFailed = true}
        local MIN_EVERY, DEFAULT_EVERY = \(minimumEvery), \(defaultEvery)

        -- Level 3 is the caller of fota.wait when called from fota.wait; helpers pass 4.
        local function bad(message, level) error("bad argument #2 to 'fota.wait' (" .. message .. ")", level or 3) end

        -- The set of statuses fota.wait stops at, from a string or an array of strings.
        local function statusSet(value)
          if type(value) == "string" then value = {value} end
          if type(value) ~= "table" then bad("status must be a status string or an array of them, got " .. type(value), 4) end
          local set, any = {}, false
          for _, s in ipairs(value) do
            if type(s) ~= "string" or not statuses[s] then
              bad("status '" .. tostring(s) .. "' is not one of RequestPending, Queued, RequestFailed, " ..
                  "InProgress, Finished, UpgradeFailed", 4)
            end
            set[s], any = true, true
          end
          if not any then bad("status is an empty list", 4) end
          return set
        end

        local function duration(value, name, least)
          if value == nil then return nil end
          if type(value) ~= "number" or value ~= value or value < least or value == huge then
            bad(format("%s must be a number of seconds, at least %g, got %s", name, least, tostring(value)), 4)
          end
          return value
        end

        function fota.wait(upgradeId, condition, opts)
          if type(upgradeId) ~= "string" then
            error("bad argument #1 to 'fota.wait' (upgrade id string expected, got " .. type(upgradeId) .. ")", 2)
          end
          if condition ~= nil and type(condition) ~= "table" then
            error("bad argument #2 to 'fota.wait' (table {status=, until=, every=, timeout=} expected, got " ..
                  type(condition) .. ")", 2)
          end
          condition = condition or {}
          for key in pairs(condition) do
            if key ~= "status" and key ~= "until" and key ~= "every" and key ~= "timeout" then
              bad("unknown field '" .. tostring(key) .. "' (expected status, until, every, timeout)")
            end
          end
          local test = condition["until"]
          if test ~= nil and type(test) ~= "function" then bad("until must be a function, got " .. type(test)) end
          if test ~= nil and condition.status ~= nil then bad("give status or until, not both") end
          local wanted = test == nil and (condition.status and statusSet(condition.status) or terminal) or nil
          local every = duration(condition.every, "every", MIN_EVERY) or DEFAULT_EVERY
          local timeout = duration(condition.timeout, "timeout", 0)
          local start = now()
          local deadline = timeout and start + timeout or huge
          while true do
            local u = upgrade(upgradeId, opts)
            if test then
              if test(u) then return u end
            elseif wanted[u.status] then
              return u
            end
            local t = now()
            if terminal[u.status] then
              fail("wait", "UNREACHABLE", format("upgrade %s ended (%s) without meeting the condition",
                   upgradeId, tostring(u.status)))
            end
            if t >= deadline then
              fail("wait", "TIMEOUT", format("upgrade %s is still %s after %g s (timeout %g s)",
                   upgradeId, tostring(u.status), t - start, timeout))
            end
            -- Rehearsal: jump the clock to the upgrade's next change (of status, when that is all
            -- the condition looks at); live (false): look again in `every` seconds.
            local why = jump(upgradeId, deadline ~= huge and deadline or nil, test == nil)
            if why == false then
              sleep(min(every, deadline - t))
            elseif why == "never" then
              fail("wait", "UNREACHABLE", format("upgrade %s is %s and nothing more will change on its own",
                   upgradeId, tostring(u.status)))
            end
          end
        end

        -- os.time() and os.date() without a time follow fota.now(): "today" is the simulator's
        -- today in a rehearsal. With a table or a time they keep their meaning.
        -- (Not tail calls, and locals named as os's own, so their argument errors say 'time' and 'date'.)
        do
          local time, date = os.time, os.date
          os.time = function(...)
            if select("#", ...) == 0 or (...) == nil then return floor(now()) end
            local t = time(...)
            return t
          end
          os.date = function(fmt, t)
            if t == nil then t = floor(now()) end
            local text = date(fmt, t)
            return text
          end
        end
        """
    }

    /// Default polling interval of a live fota.wait, in seconds (the smallest is FotaSettings.minimumWaitEvery).
    static let defaultEvery = 60.0
}
