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
        local fota, error, type, select = fota, error, type, select

        -- Walks a paged report: `fetch(cursor)` returns {items, hasMore, cursor}.
        local function pages(fetch, field)
          local page, index, exhausted = nil, 0, false
          local cursor = "0"
          return function()
            while true do
              if page and index < #page[field] then
                index = index + 1
                return page[field][index]
              end
              if exhausted then return nil end
              page, index = fetch(cursor), 0
              cursor = page.cursor
              exhausted = not page.hasMore
            end
          end
        end

        local devicesPage, upgradesPage = fota.devicesPage, fota.upgradesPage

        function fota.devices(opts)
          if opts ~= nil and type(opts) ~= "table" then
            error("bad argument #1 to 'devices' (options table expected, got " .. type(opts) .. ")", 2)
          end
          return pages(function(cursor) return devicesPage(cursor, opts) end, "devices")
        end

        local statuses = {RequestPending = true, Queued = true, RequestFailed = true, InProgress = true,
                          Finished = true, UpgradeFailed = true}

        function fota.upgrades(status, opts)
          if type(status) ~= "string" then
            error("bad argument #1 to 'upgrades' (status string expected, got " .. type(status) .. ")", 2)
          end
          if not statuses[status] then
            error("bad argument #1 to 'upgrades' (status '" .. status .. "' is not one of RequestPending, " ..
                  "Queued, RequestFailed, InProgress, Finished, UpgradeFailed)", 2)
          end
          -- checked now, so a bad status fails at the call, not at the first loop step
          local first = upgradesPage(status, "0", opts)
          local served = false
          return pages(function(cursor)
            if not served then served = true return first end
            return upgradesPage(status, cursor, opts)
          end, "upgrades")
        end
        """
}
