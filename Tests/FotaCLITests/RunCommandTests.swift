import Foundation
import Testing

@Suite("fota run")
struct RunCommandTests {
    @Test("the binary is built and found")
    func binary() {
        #expect(FileManager.default.isExecutableFile(atPath: fotaBinary), "no fota at \(fotaBinary)")
    }

    @Test("script arguments pass through, flags after the script included; arg[0] is the script")
    func arguments() throws {
        let result = try fotaRun("""
            print(arg[0], #arg)
            for i = 1, #arg do print(i, arg[i]) end
            print(select('#', ...), ...)
            """, name: "args.lua", arguments: ["--count", "5", "--debug", "-x", ""])
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(result.stdout == """
            args.lua\t5
            1\t--count
            2\t5
            3\t--debug
            4\t-x
            5\t
            5\t--count\t5\t--debug\t-x\t

            """)
    }

    @Test("exit status 0 on success, with the script's output on stdout")
    func success() throws {
        let result = try fotaRun("print('hello', 1 + 1)\nreturn 'ignored'")
        #expect(result.status == 0)
        #expect(result.stdout == "hello\t2\n")
        #expect(result.stderr == "")
    }

    @Test("exit status 1 on a script error, reported as script.lua:LINE: message after the output so far")
    func scriptError() throws {
        let result = try fotaRun("print('before')\nlocal devices = nil\nerror('no devices: ' .. tostring(devices))\n", name: "deploy.lua")
        #expect(result.status == 1)
        #expect(result.stdout == "before\n")
        #expect(result.stderr == "fota: deploy.lua:3: no devices: nil\n")
        let runtime = try fotaRun("local t = nil\nreturn t.x", name: "oops.lua")
        #expect(runtime.status == 1)
        #expect(runtime.stderr == "fota: oops.lua:2: attempt to index a nil value (local 't')\n")
        let syntax = try fotaRun("local x = = 1", name: "syntax.lua")
        #expect(syntax.status == 1)
        #expect(syntax.stderr == "fota: syntax.lua:1: unexpected symbol near '='\n")
        let noPosition = try fotaRun("\n\nerror('bare', 0)", name: "bare.lua")
        #expect(noPosition.stderr == "fota: bare.lua:3: bare\n")
    }

    @Test("--debug prints the traceback after the error; without it there is none")
    func debugTraceback() throws {
        let source = "local function inner()\n  error('deep')\nend\ninner()\n"
        let plain = try fotaRun(source, name: "tb.lua")
        #expect(plain.status == 1)
        #expect(!plain.stderr.contains("stack traceback"))
        let debug = try fotaRun(source, name: "tb.lua", options: ["--debug"])
        #expect(debug.status == 1)
        #expect(debug.stderr.hasPrefix("fota: tb.lua:2: deep\nstack traceback:\n"))
        #expect(debug.stderr.contains("tb.lua:2: in "))
        #expect(debug.stderr.contains("tb.lua:4: in "))
        #expect(!debug.stderr.contains("0x"))
    }

    @Test("a control sequence in an error message is escaped on stderr")
    func escapedError() throws {
        let result = try fotaRun("error('\\27[2J\\27[31mred\\7', 0)", name: "esc.lua")
        #expect(result.status == 1)
        #expect(result.stderr == "fota: esc.lua:1: \\027[2J\\027[31mred\\007\n")
    }

    @Test("os.exit(n) exits with n, also inside pcall; os.exit(true/false) gives 0/1")
    func osExit() throws {
        let exit42 = try fotaRun("print('bye')\nos.exit(42)\nprint('not reached')")
        #expect(exit42.status == 42)
        #expect(exit42.stdout == "bye\n")
        #expect(exit42.stderr == "")
        #expect(try fotaRun("pcall(os.exit, 7) print('not reached')").status == 7)
        #expect(try fotaRun("return pcall(os.exit, 9)").status == 9)
        #expect(try fotaRun("os.exit(true)").status == 0)
        #expect(try fotaRun("os.exit(false)").status == 1)
        #expect(try fotaRun("os.exit(3)").status == 3)
    }

    @Test("exit status 3 when a limit trips; the message names the limit, its value and the flag")
    func limits() throws {
        let memory = try fotaRun("local t = {} for i = 1, 1e8 do t[i] = i end", options: ["--memory-limit", "8"])
        #expect(memory.status == 3)
        #expect(memory.stderr == "fota: memory limit exceeded: the script needed more than 8 MiB (raise it with --memory-limit MiB)\n")
        let cpu = try fotaRun("while true do end", options: ["--cpu-limit", "0.5"])
        #expect(cpu.status == 3)
        #expect(cpu.stderr == "fota: CPU time limit exceeded: the script ran for more than 0.5 s of CPU (raise it with --cpu-limit seconds)\n")
        let hiddenCPU = try fotaRun("return pcall(function() while true do end end)", options: ["--cpu-limit", "0.5"])
        #expect(hiddenCPU.status == 3)
        let wallClock = try fotaRun("while true do end", options: ["--cpu-limit", "0", "--timeout", "1"])
        #expect(wallClock.status == 3)
        #expect(wallClock.stderr == "fota: time limit exceeded: the run took longer than 1 s (raise it with --timeout, e.g. --timeout 36h)\n")
    }

    @Test("a catastrophic pattern stuck inside C is ended by the wall clock: exit 3")
    func catastrophicPattern() throws {
        // (a*){20}b against 100 a's backtracks for longer than the universe lasts; hooks never run inside C
        let result = try fotaRun(
            "print('start')\nlocal s = string.rep('a', 100)\nreturn s:find(string.rep('a*', 20) .. 'b')",
            options: ["--timeout", "1"], limit: 30)
        #expect(result.status == 3)
        #expect(result.stdout == "start\n")
        #expect(result.stderr == "fota: time limit exceeded: the run took longer than 1 s (raise it with --timeout, e.g. --timeout 36h)\n")
    }

    @Test("usage errors exit with 64")
    func usage() throws {
        let folder = try TempFolder()
        try folder.write("ok.lua", "print('ran')")
        for arguments in [
            ["run"], ["run", "--memory-limit", "0", "ok.lua"], ["run", "--cpu-limit", "-1", "ok.lua"],
            ["run", "--timeout", "nan", "ok.lua"], ["run", "--no-such-flag", "ok.lua"], ["no-such-command"],
        ] {
            let result = try fota(arguments, in: folder.path)
            #expect(result.status == 64, "\(arguments) exited with \(result.status)")
            #expect(result.stdout == "", "\(arguments) ran the script")
        }
    }

    @Test("a script that cannot be read exits with 66")
    func unreadable() throws {
        let folder = try TempFolder()
        let missing = try fota(["run", "missing.lua"], in: folder.path)
        #expect(missing.status == 66)
        #expect(missing.stderr == "fota: cannot read script 'missing.lua': No such file or directory\n")
        try FileManager.default.createDirectory(atPath: folder.path + "/dir.lua", withIntermediateDirectories: true)
        let directory = try fota(["run", "dir.lua"], in: folder.path)
        #expect(directory.status == 66)
        #expect(directory.stderr == "fota: cannot read script 'dir.lua': it is a folder\n")
    }

    /// Waits until the process burns CPU, so the script is running, then sends SIGINT.
    func interrupt(_ source: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Finished {
        let folder = try TempFolder()
        try folder.write("spin.lua", source)
        let process = try Subprocess(fotaBinary, ["run", "spin.lua"], in: folder.path)
        let deadline = Date().addingTimeInterval(30)
        let startTicks = 50 // 0.5 s of CPU: startup takes far less, so the interpreter is looping
        while process.isRunning && process.cpuTicks < startTicks && Date() < deadline { usleep(20_000) }
        kill(process.pid, SIGINT)
        return process.wait(limit: 30, sourceLocation: sourceLocation)
    }

    @Test("Ctrl-C stops a running loop: exit 130 and \"interrupted\", also in a coroutine and behind pcall")
    func ctrlC() throws {
        for source in [
            "while true do end",
            "coroutine.wrap(function() while true do end end)()",
            "while true do pcall(function() while true do end end) end",
        ] {
            let result = try interrupt(source)
            #expect(!result.signalled, "\(source): killed by the signal instead of handling it")
            #expect(result.status == 130, "\(source)")
            #expect(result.stderr == "fota: interrupted\n", "\(source)")
        }
    }

    @Test("a second Ctrl-C ends a run stuck inside C at once with 130")
    func secondCtrlC() throws {
        let folder = try TempFolder()
        try folder.write("stuck.lua", "local s = string.rep('a', 100)\nreturn s:find(string.rep('a*', 20) .. 'b')")
        // no wall clock: only Ctrl-C can end this run
        let process = try Subprocess(fotaBinary, ["run", "--timeout", "0", "stuck.lua"], in: folder.path)
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && process.cpuTicks < 50 && Date() < deadline { usleep(20_000) }
        kill(process.pid, SIGINT)
        // the first one is noted, but no hook runs inside C to act on it
        usleep(300_000)
        #expect(process.isRunning)
        kill(process.pid, SIGINT)
        let result = process.wait(limit: 30)
        #expect(!result.signalled)
        #expect(result.status == 130)
    }

    @Test("a module that fails is reported with its own file and line")
    func moduleError() throws {
        let folder = try TempFolder()
        try folder.write("app/main.lua", "local m = require 'helper'\nprint(m)\n")
        try folder.write("app/helper.lua", "local x = 1\nreturn x.y\n")
        let result = try fota(["run", "--debug", "app/main.lua"], in: folder.path)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("fota: app/helper.lua:2: attempt to index a number value (local 'x')\nstack traceback:\n"))
        #expect(result.stderr.contains("app/main.lua:1: in main chunk"))
    }

    @Test("a chmod +x script starting with #!/usr/bin/env -S fota run runs from PATH, with arguments and right line numbers")
    func shebangScript() throws {
        let folder = try TempFolder()
        let script = try folder.write("canary", """
            #!/usr/bin/env -S fota run --cpu-limit 5
            print('running', select('#', ...), ...)
            if ... == 'fail' then error('asked to fail') end
            """, executable: true)
        let binFolder = (fotaBinary as NSString).deletingLastPathComponent
        let path = binFolder + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let ok = try Subprocess(script, ["--count", "5"], in: folder.path, environment: ["PATH": path]).wait()
        #expect(ok.status == 0)
        #expect(ok.stdout == "running\t2\t--count\t5\n")
        #expect(ok.stderr == "")
        let failing = try Subprocess(script, ["fail"], in: folder.path, environment: ["PATH": path]).wait()
        #expect(failing.status == 1)
        // Lua shortens a long chunk name from the front; the file name and line stay
        #expect(failing.stderr.hasPrefix("fota: "))
        #expect(failing.stderr.hasSuffix("/canary:3: asked to fail\n"), "\(failing.stderr)")
    }

    @Test("require finds modules next to the script, in --lib-path folders, then in FOTA_PATH")
    func libraryPaths() throws {
        let folder = try TempFolder()
        try folder.write("app/main.lua", """
            print(require('local_mod'), require('from_lib'), require('from_env'), require('from_env2'), require('both'))
            """)
        try folder.write("app/local_mod.lua", "return 'local'")
        try folder.write("lib/from_lib.lua", "return 'lib'")
        try folder.write("lib/both.lua", "return 'lib wins'")
        try folder.write("env1/from_env.lua", "return 'env1'")
        try folder.write("env1/both.lua", "return 'env loses'")
        try folder.write("env2/from_env2.lua", "return 'env2'")
        let result = try fota(
            ["run", "--lib-path", "lib", "app/main.lua"], in: folder.path,
            environment: ["FOTA_PATH": "\(folder.path)/env1::env2"])
        #expect(result.stderr == "")
        #expect(result.status == 0)
        #expect(result.stdout == "local\tlib\tenv1\tenv2\tlib wins\n")
        let missing = try fota(["run", "app/main.lua"], in: folder.path)
        #expect(missing.status == 1)
        #expect(missing.stderr == "fota: app/main.lua:1: module 'from_lib' not found in the script's folder or the library path\n")
    }

    @Test("the sandbox holds from the command line: no io, no os.getenv, no addresses")
    func sandbox() throws {
        let result = try fotaRun("""
            print(io, os.getenv, debug, package, string.dump)
            print(tostring({}), string.format('%s', print))
            print(pcall(string.format, '%p', {}))
            """, name: "probe.lua")
        #expect(result.status == 0)
        #expect(result.stdout == """
            nil\tnil\tnil\tnil\tnil
            table: #1\tfunction: #2
            false\tstring.format: '%p' is not allowed in the sandbox

            """)
    }
}
