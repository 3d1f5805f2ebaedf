import Foundation
import LuaHost
import Testing

@Suite("Errors raised by Lua")
struct LuaErrorTests {
    @Test("a runtime error has its message, file:line location and a traceback")
    func runtimeError() throws {
        let state = try LuaState()
        let error = #expect(throws: LuaScriptError.self) {
            try state.run("""
                local function check(n)
                  if n > 2 then
                    error('too many devices: ' .. n)
                  end
                end
                check(1)
                check(3)
                """, chunkName: "@deploy.lua")
        }
        #expect(error?.message == "deploy.lua:3: too many devices: 3")
        #expect(error?.location == "deploy.lua:3")
        #expect(error?.description == "deploy.lua:3: too many devices: 3")
        let traceback = try #require(error?.traceback)
        #expect(traceback.hasPrefix("stack traceback:"))
        #expect(traceback.contains("deploy.lua:3: in "))
        #expect(traceback.contains("deploy.lua:7: in "))
    }

    @Test("errors Lua itself raises name the variable and the position")
    func builtInErrors() throws {
        let state = try LuaState()
        let index = #expect(throws: LuaScriptError.self) {
            try state.run("local device = nil\nreturn device.id", chunkName: "@a.lua")
        }
        #expect(index?.message == "a.lua:2: attempt to index a nil value (local 'device')")
        let call = #expect(throws: LuaScriptError.self) { try state.run("undefined_function()", chunkName: "@b.lua") }
        #expect(call?.message == "b.lua:1: attempt to call a nil value (global 'undefined_function')")
        let arith = #expect(throws: LuaScriptError.self) { try state.run("return {} + 1", chunkName: "@c.lua") }
        #expect(arith?.message == "c.lua:1: attempt to perform arithmetic on a table value")
    }

    @Test("an error without position gets the location in its description; a table error uses its message field")
    func errorValues() throws {
        let state = try LuaState()
        let plain = #expect(throws: LuaScriptError.self) { try state.run("\nerror('plain', 0)", chunkName: "@d.lua") }
        #expect(plain?.message == "plain")
        #expect(plain?.location == "d.lua:2")
        #expect(plain?.description == "d.lua:2: plain")
        let table = #expect(throws: LuaScriptError.self) { try state.run("error({message = 'structured', code = 3})") }
        #expect(table?.message == "structured")
        let opaque = #expect(throws: LuaScriptError.self) { try state.run("error({code = 3})") }
        #expect(opaque?.message == "(error object is a table value)")
        let none = #expect(throws: LuaScriptError.self) { try state.run("error()") }
        #expect(none?.message == "nil")
    }

    @Test("a syntax error is reported with the chunk name and line, and the state stays usable")
    func syntaxError() throws {
        let state = try LuaState()
        let error = #expect(throws: LuaScriptError.self) {
            try state.run("local a = 1\nlocal b = = 2\nreturn a", chunkName: "@config.lua")
        }
        #expect(error?.message == "config.lua:2: unexpected symbol near '='")
        let unfinished = #expect(throws: LuaScriptError.self) {
            try state.run("if true then\n  x = 1\n", chunkName: "=stdin")
        }
        #expect(unfinished?.message == "stdin:3: 'end' expected (to close 'if' at line 1) near <eof>")
        expectValues(try state.run("return 'ok'"), [.string("ok")])
    }

    @Test("ScriptRunner reports a syntax error in the script with its path and line")
    func scriptSyntaxError() throws {
        let outcome = try runScript("print('a')\nlocal x = )\n")
        let error = try #require(outcome.error)
        #expect(error.message.hasSuffix("script.lua:2: unexpected symbol near ')'"))
    }

    @Test("a control sequence in an error message is escaped when shown")
    func escapedDescription() throws {
        let state = try LuaState()
        let error = #expect(throws: LuaScriptError.self) {
            try state.run("error('\\27[2J\\27]0;pwned\\7 done\\tok', 0)", chunkName: "@e.lua")
        }
        #expect(error?.message == "\u{1B}[2J\u{1B}]0;pwned\u{07} done\tok")
        #expect(error?.description == "e.lua:1: \\027[2J\\027]0;pwned\\007 done\tok")
        let named = #expect(throws: LuaScriptError.self) {
            try state.run("load('error(\"x\")', '=\\27[31mevil')()", chunkName: "@f.lua")
        }
        #expect(named?.traceback?.contains("\u{1B}") == false)
        #expect(named?.description == "\\027[31mevil:1: x")
    }

    @Test("xpcall: the handler's result, arguments, yields across it and a failing handler behave as in Lua")
    func xpcallBehaviour() throws {
        let state = try LuaState()
        let results = try state.run("""
            local r = {}
            r[#r + 1] = select(2, xpcall(function() error('x') end, function(e) return 'handled ' .. e end))
            r[#r + 1] = select(2, xpcall(function() error({code = 1}) end, function(e) return e.code end))
            r[#r + 1] = select(2, xpcall(function(a, b) return a + b end, print, 2, 3))
            r[#r + 1] = select(2, xpcall(function() error('x') end, function() error('again') end))
            r[#r + 1] = select(2, xpcall(function() local s = string.rep('x', 1 << 40) end, function() return 'ran' end))
            local co = coroutine.wrap(function()
              local ok, v = xpcall(function() return coroutine.yield('paused') * 2 end, print)
              return v
            end)
            r[#r + 1] = co()
            r[#r + 1] = co(21)
            return table.unpack(r)
            """, chunkName: "@x.lua")
        expectValues(results, [
            .string("handled x.lua:2: x"), .integer(1), .integer(5), .string("error in error handling"), .string("ran"),
            .string("paused"), .integer(42),
        ])
    }
}
