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
            error("bad argument #1 to 'devices' (options table expected, got " .. type(opts) .. ")", 2)
          end
          return pages(devices(opts))
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
          return pages(upgrades(status, opts))
        end
        """
}
