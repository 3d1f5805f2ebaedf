import Foundation
import LuaHost
import Testing

@Suite("require")
struct RequireTests {
    @Test("finds modules next to the script, in sub-folders and init.lua files")
    func scriptFolder() throws {
        let outcome = try runScript("""
            local h = require 'helpers'
            local s = require 'util.strings'
            local p = require 'pkg'
            return h.greet('ops'), s.upper('x'), p.name
            """, files: [
                "helpers.lua": "return {greet = function(n) return 'hi ' .. n end}",
                "util/strings.lua": "return {upper = string.upper}",
                "pkg/init.lua": "return {name = 'pkg'}",
            ])
        expectValues(outcome.values, [.string("hi ops"), .string("X"), .string("pkg")])
    }

    @Test("finds modules in library paths, after the script's folder")
    func libraryPath() throws {
        let lib = try TempFolder()
        try lib.write("shared.lua", "return {from = 'lib'}")
        try lib.write("dup.lua", "return {from = 'lib'}")
        let other = try TempFolder()
        try other.write("extra.lua", "return {from = 'other'}")
        let outcome = try runScript("""
            return require('shared').from, require('dup').from, require('extra').from
            """, files: ["dup.lua": "return {from = 'script folder'}"], libraryPaths: [lib.path, other.path])
        expectValues(outcome.values, [.string("lib"), .string("script folder"), .string("other")])
    }

    @Test("a module runs once and is cached; it gets its name and path; returning nothing gives true")
    func caching() throws {
        let folder = try TempFolder()
        try folder.write("counted.lua", "loads = (loads or 0) + 1\nlocal name, path = ...\nreturn {name = name, path = path}")
        try folder.write("quiet.lua", "quiet_loaded = true")
        let script = try folder.write("main.lua", """
            local a = require 'counted'
            local b = require 'counted'
            return a == b, loads, a.name, a.path, require 'quiet', quiet_loaded
            """)
        let outcome = ScriptRunner.run(ScriptRun(scriptPath: script))
        expectValues(outcome.values, [
            .boolean(true), .integer(1), .string("counted"), .string(folder.path + "/counted.lua"), .boolean(true), .boolean(true),
        ])
    }

    @Test("a loop of require calls is reported")
    func loop() throws {
        let outcome = try runScript("""
            local ok, e = pcall(require, 'a')
            return ok, e
            """, files: ["a.lua": "return require 'b'", "b.lua": "return require 'a'"])
        let values = try #require(outcome.values)
        #expect(values.first == .boolean(false))
        guard case .string(let message) = values.last else { Issue.record("\(values)"); return }
        #expect(message.description.hasSuffix("module 'a' requires itself (a loop of require calls)"))
    }

    @Test("bad names cannot leave the folders: '..', '/', absolute paths, empty names")
    func badNames() throws {
        let outcome = try runScript("""
            local names = {'../secret', '/etc/passwd', 'a..b', '', '.hidden', 'trailing.', 'a/b', 'a\\\\b', '..', 'sp ace'}
            local out = {}
            for i, name in ipairs(names) do
              local ok, e = pcall(require, name)
              out[i] = (not ok and e:find('is not valid', 1, true)) and 'refused' or tostring(e)
            end
            return table.concat(out, ','), select(2, pcall(require, 'secret')), select(2, pcall(require, 42))
            """, scriptName: "app/main.lua", files: ["secret.lua": "return 'leaked'", "app/a/b.lua": "return 'sub'"])
        expectValues(outcome.values, [
            .string(Array(repeating: "refused", count: 10).joined(separator: ",")),
            .string("module 'secret' not found in the script's folder or the library path"),
            .string("module '42' not found in the script's folder or the library path"),
        ])
        let message = try runScript("require '../x'").error?.message
        #expect(message?.hasSuffix("script.lua:1: module name '../x' is not valid: use letters, digits, '_', '-' and dots") == true)
    }

    @Test("a syntax error in a module names the module file and line")
    func moduleSyntaxError() throws {
        let outcome = try runScript("require 'bad'", files: ["bad.lua": "local x = 1\nreturn {\n"])
        let message = try #require(outcome.error?.message)
        #expect(message.contains("bad.lua:3:"), "\(message)")
    }

    @Test("a module that raised is not cached: requiring it again raises its own error again, not a loop")
    func failedModule() throws {
        let outcome = try runScript("""
            local ok1, e1 = pcall(require, 'flaky')
            local ok2, e2 = pcall(require, 'flaky')
            attempts_ok = true
            local m = require 'flaky'
            return ok1, e1 == e2, e2:match('flaky.lua:%d+: .*$'), m.value
            """, files: ["flaky.lua": """
                attempts = (attempts or 0) + 1
                if not attempts_ok then error('not yet (' .. attempts .. ')', 0) end
                return {value = attempts}
                """])
        let values = try #require(outcome.values)
        expectValues(values, [.boolean(false), .boolean(false), .nil, .integer(3)])
        let again = try runScript("""
            local ok1, e1 = pcall(require, 'broken')
            local ok2, e2 = pcall(require, 'broken')
            return e1 == e2, e2:sub(-27)
            """, files: ["broken.lua": "local x = 1\nerror('broken module')"])
        expectValues(again.values, [.boolean(true), .string("broken.lua:2: broken module")])
        // the traceback still shows the module's frames
        let uncaught = try runScript("require 'broken'", files: ["broken.lua": "local x = 1\nerror('broken module')"])
        let traceback = try #require(uncaught.error?.traceback)
        #expect(traceback.contains("broken.lua:2: in main chunk"), "\(traceback)")
        #expect(traceback.contains("in global 'require'"), "\(traceback)")
    }
}
