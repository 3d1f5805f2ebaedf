import Foundation
import LuaHost
import Testing

/// The bugs published for Lua 5.4.4 (Debian's liblua5.4 5.4.4 is what fota
/// links), one test each, named after the bug. Each says whether a script
/// can reach it and what guards it: a host wrapper, Debian's patch, or the
/// sandbox leaving the path out.
@Suite("Lua 5.4.4 bugs")
struct LuaBugTests {
    @Test("5.4.4 bug 'C-stack overflow with deep nesting of coroutine.close': 100,000 chained closes fail cleanly (host limit)")
    func nestedCoroutineClose() throws {
        let outcome = try runScript("""
            local coro, count = false, 0
            for i = 1, 100000 do
              local previous = coro
              coro = coroutine.create(function()
                local cc <close> = setmetatable({}, {__close = function()
                  count = count + 1
                  if previous then assert(coroutine.close(previous)) end
                end})
                coroutine.yield()
              end)
              coroutine.resume(coro)
            end
            local ok, msg = coroutine.close(coro)
            -- a short chain still closes
            local short = false
            for i = 1, 50 do
              local previous = short
              short = coroutine.create(function()
                local cc <close> = setmetatable({}, {__close = function()
                  if previous then assert(coroutine.close(previous)) end
                end})
                coroutine.yield()
              end)
              coroutine.resume(short)
            end
            return ok, msg, count, coroutine.close(short)
            """, limits: LuaLimits(memoryBytes: 1 << 30))
        let values = try #require(outcome.values, "\(outcome)")
        try #require(values.count == 4)
        #expect(values[0] == .boolean(false))
        #expect(text(values[1]).contains("C stack overflow"))
        #expect(values[2] == .integer(100))
        #expect(values[3] == .boolean(true))
    }

    @Test("5.4.4 bug 'C-stack overflow with deep nesting of coroutine.close' through coroutine.wrap errors (host limit)")
    func nestedWrapErrors() throws {
        let outcome = try runScript("""
            local f = false
            for i = 1, 20000 do
              local previous = f
              f = coroutine.wrap(function()
                local cc <close> = setmetatable({}, {__close = function()
                  if previous then previous() end
                end})
                coroutine.yield()
                error('boom')
              end)
              f()
            end
            return pcall(f)
            """, limits: LuaLimits(memoryBytes: 1 << 30))
        let values = try #require(outcome.values, "\(outcome)")
        #expect(values.first == .boolean(false))
    }

    @Test("5.4.4 bug ''utf8.codes' does not raise an error on spurious continuation bytes' (host utf8.codes)")
    func utf8CodesContinuationBytes() throws {
        let state = try LuaState()
        let results = try state.run(#"""
            local function codes(s, lax)
              local out = {}
              local ok, err = pcall(function()
                for p, c in utf8.codes(s, lax) do out[#out + 1] = p .. ':' .. c end
              end)
              return ok and table.concat(out, ' ') or err
            end
            return codes('in\x80valid'), codes('\xbfinvalid'), codes('αλφ\xBFα'), codes('ab\xff'),
              codes('\u{110000}'), codes('\u{110000}', true), codes('aé€😀'), codes(''), codes('\u{7FFFFFFF}', true),
              codes('\xC0\x80'), codes('\xED\xA0\x80'), codes('\xED\xA0\x80', true)
            """#)
        let invalid = "invalid UTF-8 code"
        #expect(results.count == 12)
        for i in [0, 1, 2, 3, 4, 9, 10] { #expect(text(results[i]).contains(invalid), "case \(i + 1): \(results[i])") }
        expectValues(Array(results[5...8]), [
            .string("1:1114112"), .string("1:97 2:233 4:8364 7:128512"), .string(""), .string("1:2147483647"),
        ])
        expectValues([results[11]], [.string("1:55296")])
    }

    @Test("5.4.4 bug 'Lua can generate wrong code when _ENV is <const>' (CVE-2022-28805, patched by Debian)")
    func constEnv() throws {
        let state = try LuaState()
        let results = try state.run("""
            local function foo()
              local _ENV <const> = 11
              X = 'hi'
            end
            return pcall(foo)
            """)
        #expect(results.first == .boolean(false))
        #expect(text(results[1]).contains("number"))
    }

    @Test("5.4.4 bug 'Lua-stack overflow when C stack overflows while handling an error' (CVE-2022-33099, patched by Debian)")
    func errorWhileHandlingError() throws {
        let state = try LuaState()
        let results = try state.run("""
            local function loop() return 1 + loop() end
            local r1 = select(2, xpcall(loop, loop))
            local function deep(n) if n > 0 then return deep(n - 1) + 1 end error(string.rep('x', 100)) end
            local r2 = select(2, pcall(deep, 150000))
            local function cdeep() return coroutine.wrap(cdeep)() end
            local r3 = select(2, xpcall(cdeep, function(m) return cdeep() end))
            return r1, type(r2), type(r3)
            """)
        expectValues(results, [.string("error in error handling"), .string("string"), .string("string")])
        try expectHealthy()
    }

    @Test("5.4.4 bug 'lua_settop may use a pointer to stack invalidated by luaF_close': __close handlers that grow the stack")
    func settopAfterClose() throws {
        // Not reachable from a script: the host never marks its own stack
        // slots to-be-closed, so its lua_settop calls never run a __close.
        // Scripts' own to-be-closed variables close from Lua frames; this
        // checks those paths stay sound when the handler reallocates the stack.
        let state = try LuaState()
        let results = try state.run("""
            local closed = 0
            local function loop(n) if n < 400 then return loop(n + 1) end return n end
            local function mk() return setmetatable({}, {__close = function() closed = closed + loop(0) end}) end
            do local a <close> = mk() end
            for i = 1, 3 do local b <close> = mk() if i == 2 then break end end
            pcall(function() local c <close> = mk() error('x') end)
            local co = coroutine.create(function() local d <close> = mk() coroutine.yield() end)
            coroutine.resume(co)
            coroutine.close(co)
            local function ret() local e <close> = mk() return 'r' end
            return closed, ret(), closed
            """)
        expectValues(results, [.integer(2000), .string("r"), .integer(2400)])
    }

    @Test("5.4.4 bug ''break' may not properly close variable in a 'for' loop': the value is closed by the time the function returns")
    func breakClosesForVariable() throws {
        // A compiler bug no wrapper can reach. In 5.4.4 the closing value of a
        // generic for left by 'break' in a loop that captures an upvalue may be
        // closed late (when the function returns) rather than at the break;
        // it is closed exactly once either way, and nothing unsafe happens.
        let state = try LuaState()
        let results = try state.run("""
            local count = 0
            local o1 = setmetatable({}, {__close = function() count = count + 1 end})
            local function test()
              for k, v in next, {}, nil, o1 do
                local function f() return k end
                break
              end
              return 'after'
            end
            return test(), count
            """)
        expectValues(results, [.string("after"), .integer(1)])
    }

    @Test("5.4.4 bug 'Wrong code generation for constants in bitwise operations': runs safely (results may be wrong in 5.4.4)")
    func bitwiseConstants() throws {
        // A compiler bug: with more than 256 constants, a bitwise operation on
        // a constant may use the wrong operand. It reads a wrong value, within
        // bounds; the sandbox cannot fix compiled code. This checks it neither
        // crashes nor escapes, and that plain code is unaffected.
        var code = "local x = {"
        for i in 1...257 { code += "\(i).1," }
        code += "};"
        let state = try LuaState()
        for operation in ["1 ~ (2 or 3)", "1 | (2 or 3)", "1 + (2 or 3)", "1 << (2 or 3)"] {
            let results = try state.run(code + "return math.type(\(operation))")
            expectValues(results, [.string("integer")])
        }
        expectValues(try state.run("local a, b = 1, 2 return a ~ b, a | b, a << b"), [.integer(3), .integer(3), .integer(4)])
    }

    @Test("5.4.4 bug 'Wrong line in error message for arithmetic errors': the error is raised and caught normally")
    func arithmeticErrorLine() throws {
        let state = try LuaState()
        let results = try state.run("""
            local a = 0
            local b = 1
            local ok, err = pcall(function() local c = b % a end)
            local ok2, err2 = pcall(function() local c = b // a end)
            return ok, err, ok2, err2
            """, chunkName: "@bug.lua")
        #expect(results.count == 4)
        #expect(results[0] == .boolean(false) && results[2] == .boolean(false))
        #expect(text(results[1]).hasPrefix("bug.lua:") && text(results[1]).hasSuffix("attempt to perform 'n%0'"))
        #expect(text(results[3]).hasPrefix("bug.lua:") && text(results[3]).hasSuffix("attempt to divide by zero"))
    }

    @Test("5.4.4 bug 'GC not setting a proper target ... in generational mode': generational mode cannot be chosen")
    func generationalModeUnreachable() throws {
        let state = try LuaState()
        let results = try state.run("""
            local a, b = pcall(collectgarbage, 'generational')
            local c, d = pcall(collectgarbage, 'incremental')
            return a, b, c, d
            """)
        #expect(results.count == 4)
        #expect(results[0] == .boolean(false) && results[2] == .boolean(false))
        #expect(text(results[1]).contains("not allowed in the sandbox"))
    }

    @Test("5.4.4 bug 'Loading a corrupted binary file can segfault': binary chunks never load")
    func corruptedBinaryUnreachable() throws {
        let state = try LuaState()
        // a dump whose upvalue-name list is longer than its upvalues (the bug's example shape)
        let dump: [UInt8] = [0x1B, 0x4C, 0x75, 0x61, 0x54, 0x00, 0x19, 0x93, 0x0D, 0x0A, 0x1A, 0x0A, 0x04, 0x08, 0x08, 0x78, 0x56]
            + Array(repeating: 0, count: 9) + [0x28, 0x77, 0x40, 0x00, 0x86, 0x40, 0x74, 0x65, 0x6D, 0x70, 0x81, 0x81, 0x01]
        try state.setGlobal("dump", .bytes(dump))
        expectValues(try state.run("return select(2, load(dump)), select(2, load(dump, 'd', 'b'))"), [
            .string("attempt to load a binary chunk (mode is 't')"), .string("attempt to load a binary chunk (mode is 't')"),
        ])
    }
}
