"""fota repl without a terminal: chunks from a pipe, no prompt or banner."""
import subprocess


def run(fota, text, state_home, *args):
    return subprocess.run([fota, "repl", *args], input=text, capture_output=True, text=True, timeout=30,
                          env={"XDG_STATE_HOME": state_home, "PATH": "/usr/bin:/bin"})


def test_piped_chunks_run_without_prompt_or_banner(fota, state_home):
    result = run(fota, "x = 2\nx * 21\n", state_home)
    assert result.returncode == 0
    assert result.stdout == "42\n"
    assert result.stderr == ""


def test_piped_multi_line_chunk(fota, state_home):
    result = run(fota, "function f(n)\n  return n + 1\nend\nprint(f(1))\n", state_home)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "2\n"


def test_piped_failure_makes_exit_status_non_zero_and_continues(fota, state_home):
    result = run(fota, 'error("first")\nprint("still running")\n', state_home)
    assert result.returncode == 1
    assert "stdin:1: first" in result.stderr
    assert "still running" in result.stdout


def test_piped_unfinished_chunk_is_an_error(fota, state_home):
    result = run(fota, "for i = 1, 3 do\n", state_home)
    assert result.returncode == 1
    assert "unfinished chunk" in result.stderr


def test_piped_cpu_limit_applies_per_chunk(fota, state_home):
    result = run(fota, "while true do end\nprint('next chunk runs')\n", state_home, "--cpu-limit", "0.5")
    assert result.returncode == 1
    assert "CPU time limit exceeded" in result.stderr
    assert "next chunk runs" in result.stdout


def test_piped_os_exit_sets_the_status(fota, state_home):
    result = run(fota, "os.exit(9)\nprint('not reached')\n", state_home)
    assert result.returncode == 9
    assert "not reached" not in result.stdout
