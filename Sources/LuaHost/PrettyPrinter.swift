/// The REPL's printer, in Lua so it can show any value (functions, cycles)
/// without converting it. It captures the library functions it uses when it
/// is loaded, so a script that replaces `next` or `string.format` later
/// cannot change how results look; tables are walked raw. The chunk gets two
/// arguments: a function returning the real table behind a host read-only
/// proxy (`fota`, `json` and `files` show their fields, as `string` does,
/// instead of the empty proxy), and one returning the length of a host row
/// list (a fota.append result's `devices` shows its rows, built by the host's
/// own __index, which runs no script code).
enum PrettyPrinter {
    static let maxDepth = 4
    static let maxItems = 50
    static let maxStringBytes = 2000

    static let source = """
        local target_of, rows_of = ...
        local next, type, tostring, rawlen, rawget, select, print = next, type, tostring, rawlen, rawget, select, print
        local format, rep, sort, concat, sub = string.format, string.rep, table.sort, table.concat, string.sub
        local math_type = math.type
        local MAX_DEPTH, MAX_ITEMS, MAX_STRING = \(maxDepth), \(maxItems), \(maxStringBytes)

        local function quote(s)
          if #s > MAX_STRING then
            return format("%q", sub(s, 1, MAX_STRING)) .. format(" --[[%d more bytes]]", #s - MAX_STRING)
          end
          return format("%q", s)
        end

        local function is_identifier(k)
          return type(k) == "string" and k:match("^[%a_][%w_]*$") ~= nil
        end

        local type_order = {number = 1, string = 2, boolean = 3}
        local function key_less(a, b)
          local ta, tb = type(a), type(b)
          if ta ~= tb then return (type_order[ta] or 9) < (type_order[tb] or 9) end
          if ta == "number" or ta == "string" then return a < b end
          return tostring(a) < tostring(b)
        end

        local show
        local function show_table(t, indent, depth, on_path, out)
          t = target_of(t) or t
          if on_path[t] then out[#out + 1] = "<cycle: " .. tostring(t) .. ">" return end
          if depth >= MAX_DEPTH then out[#out + 1] = "{ --[[" .. tostring(t) .. ", nested too deep]] }" return end
          local rows = rows_of(t)
          local n = rows or rawlen(t)
          local keys, extra = {}, 0
          for k in next, t do
            if not (math_type(k) == "integer" and k >= 1 and k <= n) then
              if #keys < MAX_ITEMS then keys[#keys + 1] = k else extra = extra + 1 end
            end
          end
          if n == 0 and #keys == 0 then out[#out + 1] = "{}" return end
          sort(keys, key_less)
          on_path[t] = true
          local pad = rep("  ", indent + 1)
          out[#out + 1] = "{\\n"
          local shown = 0
          for i = 1, n do
            if shown >= MAX_ITEMS then break end
            out[#out + 1] = pad
            show(rows and t[i] or rawget(t, i), indent + 1, depth + 1, on_path, out)
            out[#out + 1] = ",\\n"
            shown = shown + 1
          end
          if n > shown then out[#out + 1] = pad .. format("-- %d more items\\n", n - shown) end
          for _, k in next, keys do
            out[#out + 1] = pad
            if is_identifier(k) then out[#out + 1] = k
            else
              out[#out + 1] = "["
              show(k, indent + 1, MAX_DEPTH, on_path, out)
              out[#out + 1] = "]"
            end
            out[#out + 1] = " = "
            show(rawget(t, k), indent + 1, depth + 1, on_path, out)
            out[#out + 1] = ",\\n"
          end
          if extra > 0 then out[#out + 1] = pad .. format("-- %d more keys\\n", extra) end
          out[#out + 1] = rep("  ", indent) .. "}"
          on_path[t] = nil
        end

        show = function(v, indent, depth, on_path, out)
          local tv = type(v)
          if tv == "string" then out[#out + 1] = quote(v)
          elseif tv == "table" then show_table(v, indent, depth, on_path, out)
          else out[#out + 1] = tostring(v) end
        end

        return function(...)
          local parts = {}
          for i = 1, select("#", ...) do
            local out = {}
            show((select(i, ...)), 0, 0, {}, out)
            parts[#parts + 1] = concat(out)
          end
          print(concat(parts, "\\t"))
        end
        """
}
