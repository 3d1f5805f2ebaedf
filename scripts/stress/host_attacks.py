#!/usr/bin/env python3
"""Runs the Lua-host attacks as `fota run` / `fota repl` processes and checks
that each ends with the expected status, never by a signal, within about
2 x --memory-limit plus a fixed overhead of resident memory, and no more than
one second past --cpu-limit / --timeout.

Usage: FOTA_BIN=.build/debug/fota python3 scripts/stress/host_attacks.py
Prints one line per attack and exits non-zero if any check fails.
"""
import os
import resource
import subprocess
import sys
import tempfile
import time

FOTA = os.environ.get("FOTA_BIN", ".build/debug/fota")
# Resident memory of `fota run` beyond its Lua budget: the Swift runtime,
# Foundation, libcurl/TLS and the host's own code and buffers.
FIXED_OVERHEAD_MIB = 64

HUGE_BORDER = """
local parts = {}
for i = 0, 40 do parts[#parts + 1] = '[' .. (1 << i) .. ']=true' end
local t = load('return {a=1,b=2,c=3,' .. table.concat(parts, ',') .. '}')()
assert(#t >= 1 << 40)
assert(#json.encode(t) > 0)
log.info(t)
print('border', #t)
"""

CLOSE_CHAIN = """
local coro = false
for i = 1, 100000 do
  local previous = coro
  coro = coroutine.create(function()
    local cc <close> = setmetatable({}, {__close = function()
      if previous then assert(coroutine.close(previous)) end
    end})
    coroutine.yield()
  end)
  coroutine.resume(coro)
end
print(coroutine.close(coro))
"""

SHARED_DAG = """
local t = {'leaf'}
for i = 1, 30 do t = {t, t} end
print(#json.encode(t))
"""

SHARED_STRING = """
local s = string.rep('x', 1 << 20)
local t = {}
for i = 1, 100 do t[i] = s end
log.info(t)
"""

BIG_LOG = """
log.info(string.rep('x', 64 << 20))
"""

BIG_JSON = """
local parts = {}
for i = 1, 200000 do parts[i] = '{"id":"device-' .. i .. '","tags":["a","b","c"],"n":' .. i .. '}' end
local text = '[' .. table.concat(parts, ',') .. ']'
parts = nil
assert(#text > 10e6)
local v = json.decode(text)
print(#v)
"""

PLAIN_FIND = """
local s = string.rep('a', 1 << 24)
local p = string.rep('a', 1 << 23) .. 'b'
print(string.find(s, p, 1, true))
"""

SORT = """
local t = {}
for i = 1, 8000000 do t[i] = (i * 7919) % 1000003 end
table.sort(t)
"""

SORT_LAST = """
local t = {}
for i = 1, 3000000 do t[i] = (i * 7919) % 1000003 end
local s = table.concat(t, ',')
"""

CATASTROPHIC = """
print(string.find(string.rep('a', 3000), string.rep('a*', 12) .. 'b'))
"""

LOOP = "while true do end\n"

REPL_CLOSE_AFTER_KILL = """co = coroutine.create(function() local x <close> = setmetatable({}, {__close = function() while true do end end}) while true do end end)
coroutine.resume(co)
print(coroutine.close(co))
print('alive')
"""

# name, command words after `fota`, script, stdin, expected status,
# memory limit MiB, and at most how long the run may take (limit + 1 s):
# ("cpu", s) for CPU time against --cpu-limit, ("wall", s) against --timeout
# (wall time also counts start-up and a loaded machine's waits)
ATTACKS = [
    ("huge border read by json.encode and log.info", ["run"], HUGE_BORDER, None, 0, 256, None),
    ("100,000 nested coroutine.close", ["run"], CLOSE_CHAIN, None, 0, 256, None),
    ("2^30 leaves through shared references", ["run", "--memory-limit", "16"], SHARED_DAG, None, 3, 16, None),
    ("1 MiB string referenced 100 times to log.info", ["run", "--memory-limit", "16"], SHARED_STRING, None, 3, 16, None),
    # log.* streams a string argument to stderr escaped in place: no copy of it is made, so the
    # default limit is enough; a 128 MiB limit cannot even hold the string and its rep buffer.
    ("log.info of one 64 MiB string", ["run"], BIG_LOG, None, 0, 256, None),
    ("log.info of one 64 MiB string, no room for it", ["run", "--memory-limit", "128"], BIG_LOG, None, 3, 128, None),
    ("json.decode of 19 MB of JSON", ["run", "--memory-limit", "64"], BIG_JSON, None, 3, 64, None),
    ("json.decode of 19 MB of JSON, room for it", ["run", "--memory-limit", "1024"], BIG_JSON, None, 0, 1024, None),
    ("plain string.find, 16 MiB subject, 8 MiB needle", ["run", "--cpu-limit", "2"], PLAIN_FIND, None, 0, 256, ("cpu", 3)),
    ("table.sort of 8M numbers", ["run", "--cpu-limit", "1", "--memory-limit", "512"], SORT, None, 3, 512, ("cpu", 2)),
    ("long C call right before the end", ["run", "--cpu-limit", "0.3", "--memory-limit", "512"], SORT_LAST, None, 3, 512, ("cpu", 1.3)),
    ("catastrophic pattern stuck in C", ["run", "--cpu-limit", "2"], CATASTROPHIC, None, 3, 256, ("cpu", 3)),
    ("catastrophic pattern, wall clock", ["run", "--cpu-limit", "0", "--timeout", "2"], CATASTROPHIC, None, 3, 256, ("wall", 3)),
    # piped, the prompt goes on after a failed chunk and ends with 1
    ("repl: --timeout per chunk", ["repl", "--cpu-limit", "0", "--timeout", "1"], None, LOOP + "print('alive')\n", 1, 256, ("wall", 2)),
    ("repl: catastrophic pattern stuck in C", ["repl", "--cpu-limit", "1"], None, CATASTROPHIC, 3, 256, ("cpu", 2)),
    ("repl: closing a coroutine a limit killed", ["repl", "--cpu-limit", "0.5"], None, REPL_CLOSE_AFTER_KILL, 1, 256, ("cpu", 1.5)),
]


def run(words, script, stdin):
    with tempfile.TemporaryDirectory() as folder:
        args = [FOTA] + words
        if script is not None:
            path = os.path.join(folder, "attack.lua")
            with open(path, "w") as f:
                f.write(script)
            args += ["--dry-run", path] if words[0] == "run" else [path]
        env = dict(os.environ, HOME=folder)
        streams = [open(os.path.join(folder, name), "w+b") for name in ("in", "out", "err")]
        streams[0].write((stdin or "").encode())
        streams[0].seek(0)
        start = time.monotonic()
        proc = subprocess.Popen(args, stdin=streams[0], stdout=streams[1], stderr=streams[2], env=env, cwd=folder)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        out, err = [(s.seek(0), s.read(1 << 16).decode(errors="replace"))[1] for s in streams[1:]]
        for s in streams:
            s.close()
        return os.waitstatus_to_exitcode(status), usage, wall, out, err


def main():
    failures = 0
    _, usage, _, _, _ = run(["run"], "print('empty')\n", None)
    print(f"fota run of an empty script: RSS {usage.ru_maxrss / 1024:.0f} MiB (allowed overhead {FIXED_OVERHEAD_MIB} MiB)")
    print(f"{'attack':52} {'status':>6} {'RSS MiB':>8} {'max MiB':>8} {'CPU s':>6} {'wall s':>6}")
    for name, words, script, stdin, expected, memory, seconds in ATTACKS:
        code, usage, wall, out, err = run(words, script, stdin)
        rss = usage.ru_maxrss / 1024
        cpu = usage.ru_utime + usage.ru_stime
        allowed = 2 * memory + FIXED_OVERHEAD_MIB
        problems = []
        if code < 0:
            problems.append(f"killed by signal {-code}")
        elif code != expected:
            problems.append(f"status {code}, expected {expected}")
        if rss > allowed:
            problems.append(f"RSS {rss:.0f} MiB > {allowed} MiB")
        if seconds is not None:
            kind, most = seconds
            took = cpu if kind == "cpu" else wall
            if took > most:
                problems.append(f"took {took:.1f} s of {kind} time > {most} s")
        if stdin and "alive" in stdin and "alive" not in out:
            problems.append("the prompt did not go on after the attack")
        mark = "ok" if not problems else "FAIL: " + "; ".join(problems)
        print(f"{name:52} {code:>6} {rss:>8.0f} {allowed:>8} {cpu:>6.1f} {wall:>6.1f}  {mark}")
        if problems:
            failures += 1
            print("    stderr:", err.strip()[-400:].replace("\n", "\n    "))
    print(f"{len(ATTACKS) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
