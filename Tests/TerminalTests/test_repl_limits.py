"""fota repl gives every chunk the limits of fota run (Lua-host hardening)."""
import subprocess
import time


def run(fota, text, state_home, *args):
    return subprocess.run([fota, "repl", *args], input=text, capture_output=True, text=True, timeout=60,
                          env={"XDG_STATE_HOME": state_home, "PATH": "/usr/bin:/bin"})


def test_attack_repl_chunk_gets_the_timeout(fota, state_home):
    result = run(fota, "while true do end\nprint('next chunk runs')\n", state_home,
                 "--cpu-limit", "0", "--timeout", "1")
    assert result.returncode == 1
    assert "time limit exceeded" in result.stderr
    assert "next chunk runs" in result.stdout


def test_attack_repl_chunk_stuck_in_c_ends_the_process_at_its_cpu_limit(fota, state_home):
    started = time.monotonic()
    pattern = "print(string.find(string.rep('a', 3000), string.rep('a*', 12) .. 'b'))\nprint('not reached')\n"
    result = run(fota, pattern, state_home, "--cpu-limit", "1")
    assert result.returncode == 3
    assert "did not stop" in result.stderr
    assert "not reached" not in result.stdout
    assert time.monotonic() - started < 30  # 1 s of CPU and a 0.5 s grace; the bound only catches a hang


def test_attack_repl_coroutine_killed_by_a_limit_cannot_be_closed_next_chunk(fota, state_home):
    chunks = (
        "co = coroutine.create(function() local x <close> = setmetatable({}, {__close = function() "
        "while true do end end}) while true do end end)\n"
        "coroutine.resume(co)\n"
        "print(coroutine.close(co))\n"
        "print('alive')\n"
    )
    result = run(fota, chunks, state_home, "--cpu-limit", "0.5")
    assert result.returncode == 1
    assert "CPU time limit exceeded" in result.stderr
    assert "false\tcannot close a coroutine that a limit, Ctrl-C or os.exit stopped" in result.stdout
    assert "alive" in result.stdout
