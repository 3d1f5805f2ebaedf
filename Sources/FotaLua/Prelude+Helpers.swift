/// The helpers every script used to write for itself: fota.args (command-line options),
/// fota.time.parse/format (UTC timestamps) and json.object/json.array (markers). Lua, run after
/// `Prelude.time` (it uses os.date with a time, which keeps its meaning there).
extension Prelude {
    static let helpers = #"""
        local fota, json, error, type, pairs, ipairs, tostring, tonumber, pcall, rawset =
          fota, json, error, type, pairs, ipairs, tostring, tonumber, pcall, rawset
        local format, match, gmatch, sub, gsub, concat = string.format, string.match, string.gmatch, string.sub,
          string.gsub, table.concat
        local floor, huge, tointeger = math.floor, math.huge, math.tointeger
        local date, exit, print = os.date, os.exit, print
        local stderr = fota.__stderr
        local objectMark, arrayMark = json.__object, json.__array
        fota.__stderr, json.__object, json.__array = nil, nil, nil

        -- A script value in a message: quoted, at most 40 characters, control characters as '?'.
        local function shown(text)
          if #text > 40 then text = sub(text, 1, 40) .. "…" end
          return "'" .. gsub(text, "%c", "?") .. "'"
        end

        -- json.object(t) / json.array(t): mark t (or a new table) so json.encode writes it as an
        -- object / an array even when it is empty. The mark is the field __json.
        function json.object(t)
          if t == nil then t = {} end
          if type(t) ~= "table" then error("bad argument #1 to 'json.object' (table or nothing expected, got " .. type(t) .. ")", 2) end
          rawset(t, "__json", objectMark)
          return t
        end

        function json.array(t)
          if t == nil then t = {} end
          if type(t) ~= "table" then error("bad argument #1 to 'json.array' (table or nothing expected, got " .. type(t) .. ")", 2) end
          rawset(t, "__json", arrayMark)
          return t
        end

        -- fota.time ------------------------------------------------------------------------
        local time = {}
        local function badTime(n, name, message)
          error(format("bad argument #%d to 'fota.time.%s' (%s)", n, name, message), 3)
        end

        local monthDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
        local function daysInMonth(y, m)
          if m == 2 and y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0) then return 29 end
          return monthDays[m]
        end

        -- Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar: whole 400-year
        -- eras of 146097 days, years counted from March so the leap day ends the year.
        local function daysSinceEpoch(y, m, d)
          if m <= 2 then y = y - 1 end
          local era = y // 400
          local yearOfEra = y - era * 400
          local dayOfYear = (153 * (m > 2 and m - 3 or m + 9) + 2) // 5 + d - 1
          local dayOfEra = yearOfEra * 365 + yearOfEra // 4 - yearOfEra // 100 + dayOfYear
          return era * 146097 + dayOfEra - 719468
        end

        local FORMS = "expected RFC 3339 (2026-03-10T01:00:00Z, or an offset such as +02:00 instead of Z), " ..
                      "ThingSpace's 2021-06-03 00:03:56.079 +0000 UTC, or YYYY-MM-DD"

        function time.parse(text)
          if type(text) ~= "string" then badTime(1, "parse", "timestamp string expected, got " .. type(text)) end
          -- Level 3 from here: no → parse → the script's call.
          local function no(why)
            error("bad argument #1 to 'fota.time.parse' (" .. shown(text) .. " is not a timestamp: " .. why .. ")", 3)
          end
          local y, mo, d, rest = match(text, "^(%d%d%d%d)%-(%d%d)%-(%d%d)(.*)$")
          if not y then no(FORMS) end
          y, mo, d = tointeger(tonumber(y)), tointeger(tonumber(mo)), tointeger(tonumber(d))
          if mo < 1 or mo > 12 then no(format("month %02d is not 01 to 12", mo)) end
          if d < 1 or d > daysInMonth(y, mo) then no(format("%04d-%02d has no day %02d", y, mo, d)) end
          local h, mi, s, fraction, offset = 0, 0, 0, 0, 0
          if rest ~= "" then
            local sep
            sep, h, mi, s, rest = match(rest, "^([Tt ])(%d%d):(%d%d):(%d%d)(.*)$")
            if not sep then no(FORMS) end
            h, mi, s = tointeger(tonumber(h)), tointeger(tonumber(mi)), tointeger(tonumber(s))
            if h > 23 or mi > 59 or s > 60 then no(format("%02d:%02d:%02d is not a time of day", h, mi, s)) end
            local digits, after = match(rest, "^%.(%d+)(.*)$")
            if digits then fraction, rest = tonumber("0." .. digits), after end
            if rest ~= "Z" and rest ~= "z" then
              local sign, oh, om = match(rest, "^([+-])(%d%d):(%d%d)$")
              if not sign and sep == " " then sign, oh, om = match(rest, "^ ([+-])(%d%d)(%d%d) ?%a*$") end
              if not sign then no(rest == "" and "it has no time zone (add Z or an offset such as +00:00)" or FORMS) end
              oh, om = tonumber(oh), tonumber(om)
              if oh > 23 or om > 59 then no("the offset is out of range") end
              offset = (oh * 3600 + om * 60) * (sign == "-" and -1 or 1)
            end
          end
          local epoch = daysSinceEpoch(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset
          if fraction ~= 0 then return epoch + fraction end
          return epoch
        end

        function time.format(epoch, fmt)
          if type(epoch) ~= "number" or epoch ~= epoch or epoch == huge or epoch == -huge then
            badTime(1, "format", "seconds since 1970 expected, got " ..
                    (type(epoch) == "number" and tostring(epoch) or type(epoch)))
          end
          if fmt ~= nil and type(fmt) ~= "string" then badTime(2, "format", "format string expected, got " .. type(fmt)) end
          fmt = fmt or "%Y-%m-%dT%H:%M:%SZ"
          if sub(fmt, 1, 1) == "!" then fmt = sub(fmt, 2) end
          if sub(fmt, 1, 2) == "*t" then badTime(2, "format", "'*t' makes a table, not text: use os.date('!*t', t)") end
          local ok, text = pcall(date, "!" .. fmt, floor(epoch))
          if not ok then badTime(2, "format", match(tostring(text), "%((.*)%)$") or tostring(text)) end
          return text
        end
        fota.time = time

        -- fota.args ------------------------------------------------------------------------
        local TYPES = {string = "VALUE", number = "N", integer = "N", boolean = true, list = "A,B"}

        -- Level 4: badSpec → options → fota.args → the script's call.
        local function badSpec(message) error("bad argument #1 to 'fota.args' (" .. message .. ")", 4) end

        -- The options of a spec, checked, in order.
        local function options(spec)
          local list, byName = {}, {}
          for key in pairs(spec) do
            if key ~= "usage" and key ~= "positional" and not (tointeger(key) and key >= 1 and key <= #spec) then
              badSpec("unknown field " .. shown(tostring(key)) .. " (expected option tables, usage, positional)")
            end
          end
          for i, o in ipairs(spec) do
            if type(o) ~= "table" or type(o[1]) ~= "string" or not match(o[1], "^%a[%w-]*$") then
              badSpec(format("option #%d must be a table whose first item is its name (letters, digits, hyphens)", i))
            end
            local name, kind = o[1], o.type or "string"
            if not TYPES[kind] then
              badSpec(format("option '%s': type %s is not string, number, integer, boolean or list", name, shown(tostring(kind))))
            end
            local numeric = kind == "number" or kind == "integer"
            if o.min ~= nil and (not numeric or type(o.min) ~= "number") then
              badSpec(format("option '%s': min is for number and integer options, and must be a number", name))
            end
            if byName[name] then badSpec("option '" .. name .. "' is given twice") end
            local d = o.default
            local expected = kind == "list" and "table" or numeric and "number" or kind
            if d ~= nil and (type(d) ~= expected or kind == "integer" and not tointeger(d)) then
              badSpec(format("option '%s': default must be a%s %s, got %s", name, kind == "integer" and "n" or "", kind,
                             type(d) == "number" and tostring(d) or type(d)))
            end
            byName[name] = o
            list[#list + 1] = o
          end
          return list, byName
        end

        local function usageText(spec, list, script)
          local lines = {spec.usage or ("usage: fota run " .. script .. " [options]" ..
                                         (spec.positional and " " .. spec.positional or ""))}
          lines[#lines + 1] = "options:"
          for _, o in ipairs(list) do
            local kind = o.type or "string"
            local left = "  --" .. o[1] .. (kind == "boolean" and "" or " " .. (o.value or TYPES[kind]))
            local right = o.help or ""
            if o.min then right = right .. " (at least " .. tostring(o.min) .. ")" end
            if o.required then
              right = right .. " (required)"
            elseif o.default ~= nil then
              local d = o.default
              right = right .. " (default " .. (type(d) == "table" and concat(d, ",") or tostring(d)) .. ")"
            end
            lines[#lines + 1] = format("%-26s %s", left, right)
          end
          lines[#lines + 1] = format("%-26s %s", "  --help", "show this text")
          return concat(lines, "\n") .. "\n"
        end

        function fota.args(spec, argv)
          if type(spec) ~= "table" then
            error("bad argument #1 to 'fota.args' (table of options expected, got " .. type(spec) .. ")", 2)
          end
          if argv == nil then argv = arg end
          if type(argv) ~= "table" then
            error("bad argument #2 to 'fota.args' (array of argument strings expected, got " .. type(argv) .. ")", 2)
          end
          local list, byName = options(spec)
          local script = type(argv[0]) == "string" and match(argv[0], "[^/]*$") or "script.lua"
          local usage = usageText(spec, list, script)
          local function fail(message)
            stderr(script .. ": " .. message .. "\n" .. usage)
            exit(64)
          end
          local result, positional, i = {}, {}, 1
          while i <= #argv do
            local a = tostring(argv[i])
            local name, value = match(a, "^%-%-([^=]+)=(.*)$")
            if not name then name = match(a, "^%-%-(.+)$") end
            if a == "--" then
              for j = i + 1, #argv do positional[#positional + 1] = tostring(argv[j]) end
              break
            elseif a == "--help" or a == "-h" then
              print((gsub(usage, "\n$", "")))
              exit(0)
            elseif not name then
              if sub(a, 1, 1) == "-" and a ~= "-" then fail("unknown option " .. shown(a)) end
              positional[#positional + 1] = a
            else
              local o = byName[name]
              if not o then fail("unknown option " .. shown("--" .. name)) end
              local kind = o.type or "string"
              if kind == "boolean" then
                if value == nil or value == "true" then result[name] = true
                elseif value == "false" then result[name] = false
                else fail(format("--%s is a flag: give it alone, or =true or =false, not %s", name, shown(value))) end
              else
                if value == nil then
                  value = argv[i + 1]
                  if value == nil then fail("--" .. name .. " needs a value") end
                  value, i = tostring(value), i + 1
                end
                if kind == "number" or kind == "integer" then
                  local n = tonumber(value)
                  if not n or n ~= n or n == huge or n == -huge then fail(format("--%s must be a number, got %s", name, shown(value))) end
                  if kind == "integer" then
                    n = tointeger(n)
                    if not n then fail(format("--%s must be a whole number, got %s", name, shown(value))) end
                  end
                  if o.min and n < o.min then fail(format("--%s must be at least %s, got %s", name, tostring(o.min), shown(value))) end
                  result[name] = n
                elseif kind == "list" then
                  local items = result[name] or {}
                  for item in gmatch(value, "[^,]+") do items[#items + 1] = item end
                  result[name] = items
                else
                  result[name] = value
                end
              end
            end
            i = i + 1
          end
          if #positional > 0 and not spec.positional then fail("unexpected argument " .. shown(positional[1])) end
          for _, o in ipairs(list) do
            local name, kind = o[1], o.type or "string"
            if result[name] == nil then
              if o.required then fail("--" .. name .. " is required") end
              local d = o.default
              if kind == "list" then
                local copy = {}
                for k, v in ipairs(d or {}) do copy[k] = v end
                d = copy
              elseif kind == "boolean" and d == nil then
                d = false
              end
              result[name] = d
            end
          end
          for k, v in ipairs(positional) do result[k] = v end
          return result, usage
        end
        """#
}
