"""fota repl details an operator meets first: module listings, help(module),
completion through indexes, the exit status and the --simulate banner."""
import subprocess

import pexpect

from conftest import Repl


def piped(fota, text, state_home, *args):
    return subprocess.run([fota, "repl", *args], input=text, capture_output=True, text=True, timeout=60,
                          env={"XDG_STATE_HOME": state_home, "PATH": "/usr/bin:/bin"})


def test_typing_a_module_name_shows_its_functions(repl):
    out = repl.line("fota")
    assert "  append = function: #" in out
    assert "  schedule = function: #" in out
    assert "__" not in out
    assert "  encode = function: #" in repl.line("json")
    assert "  writecsv = function: #" in repl.line("files")


def test_help_of_a_module_lists_its_functions(fota, state_home):
    result = piped(fota, "help(fota)\nhelp(json)\n", state_home)
    assert result.returncode == 0, result.stderr
    assert "fota.append(upgradeId, devices [, opts]) -> result" in result.stdout
    assert "fota.devices([opts]) -> iterator" in result.stdout
    assert "json.encode(value) -> string" in result.stdout
    assert "no help" not in result.stdout


def test_help_describes_functions_written_in_lua(fota, state_home):
    calls = ["fota.time.parse", "fota.time.format", "json.object", "json.array", "fota.args", "fota.rollout",
             "fota.wait", "fota.devices", "fota.append"]
    result = piped(fota, "".join(f"help({c})\n" for c in calls), state_home)
    assert result.returncode == 0, result.stderr
    for signature in ["fota.time.parse(text) -> seconds", "fota.time.format(seconds [, fmt]) -> text",
                      "json.object([t]) -> t", "json.array([t]) -> t", "fota.args(spec [, argv])",
                      "fota.rollout{name=", "fota.wait(upgradeId", "fota.devices([opts])", "fota.append(upgradeId"]:
        assert signature in result.stdout, signature
    assert "no help" not in result.stdout


def test_an_interactive_session_that_had_an_error_exits_zero(fota, state_home):
    session = Repl(fota, state_home)
    assert "stdin:1: boom" in session.line('error("boom")')
    assert session.close() == 0


def test_simulate_banner_says_changes_go_to_the_simulator(fota, state_home):
    session = Repl(fota, state_home, args=("--simulate", "--sim-devices", "20"))
    assert "sent to ThingSpace" not in session.banner
    assert "changes go to the built-in simulator" in session.banner
    session.close()


def test_tab_completes_fields_reached_by_indexing(repl):
    repl.line('fw = {{firmwareName = "FW1"}} t = {k = {xray = 7}} a = {b = {1, {method = function() return "m" end}}}')
    repl.child.send("fw[1].firm\t")
    repl.child.expect("wareName")
    repl.child.send("\r")
    repl.child.expect(Repl.PROMPT)
    assert '"FW1"' in repl.child.before
    repl.wait_for_editor()
    repl.child.send('t["k"].xr\t')
    repl.child.expect("ay")
    repl.child.send("\r")
    repl.child.expect(Repl.PROMPT)
    assert "7" in repl.child.before
    repl.wait_for_editor()
    repl.child.send("a.b[2]:me\t")
    repl.child.expect("thod")
    repl.child.send("()\r")
    repl.child.expect(Repl.PROMPT)
    assert '"m"' in repl.child.before


def test_completion_runs_no_metamethod(repl):
    repl.line("calls = 0 lazy = setmetatable({}, {__index = function() calls = calls + 1 return {zeta = 1} end})")
    repl.child.send("lazy.x.ze\t")
    repl.child.sendcontrol("c")  # clears the line once the Tab has been handled
    repl.child.expect(Repl.PROMPT)
    repl.wait_for_editor()
    assert repl.line("calls").strip() == "0"


def test_help_runs_no_metamethod_and_knows_functions_only_by_identity(fota, state_home):
    """S37: help(x) looks x up by identity: a table whose metamethods count their calls, or a
    script's own table named like the fota module, runs nothing and gets no fota text."""
    script = "\n".join([
        "calls = 0",
        "local function count() calls = calls + 1 return true end",
        "t = setmetatable({}, {__index = count, __eq = count, __len = count, __tostring = count, __pairs = count})",
        "help(t)",
        "lookalike = setmetatable({append = function() end}, {__name = 'fota', __index = count})",
        "help(lookalike.append)",
        "help(lookalike)",
        "print('calls', calls)",
    ]) + "\n"
    result = piped(fota, script, state_home)
    assert result.returncode == 0, result.stderr
    assert "calls\t0" in result.stdout, result.stdout
    assert "no help for this table" in result.stdout, result.stdout
    assert "no help for this function" in result.stdout, result.stdout
    assert "fota.append(upgradeId" not in result.stdout, result.stdout
    assert "functions (help(" not in result.stdout, result.stdout
