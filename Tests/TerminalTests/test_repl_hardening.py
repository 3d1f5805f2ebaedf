"""fota repl attacks: os.exit at the prompt skipping teardown, and terminal
controls (ESC, U+009B, a one-character CSI) reaching the operator's terminal."""
import subprocess

import pexpect

from conftest import Repl

CSI = "\u009b"


def test_os_exit_at_the_prompt_still_prints_the_dry_run_plan(fota, state_home):
    # Attack: os.exit at an interactive prompt left at once: no plan, no logout.
    session = Repl(fota, state_home, args=("--simulate", "--sim-devices", "50", "--dry-run"))
    session.line('d = {} for x in fota.devices() do d[#d + 1] = x.deviceId if #d == 2 then break end end')
    session.line('fota.schedule{firmwareName = "fw-planned", firmwareTo = "2.0", startDate = "2030-01-01", devices = d}')
    session.child.send("os.exit(3)\r")
    session.child.expect("Dry run: nothing was sent to ThingSpace. The plan:")
    session.child.expect("schedule fw-planned")
    session.child.expect(pexpect.EOF)
    session.child.close()
    assert session.child.exitstatus == 3


def test_os_exit_true_at_the_prompt_exits_zero_through_teardown(fota, state_home):
    session = Repl(fota, state_home, args=("--simulate", "--sim-devices", "50", "--dry-run"))
    session.child.send("os.exit(true)\r")
    session.child.expect("No changes\\.")
    session.child.expect(pexpect.EOF)
    session.child.close()
    assert session.child.exitstatus == 0


def test_esc_and_csi_in_results_print_and_errors_are_escaped_at_the_prompt(repl):
    # Attack: a value, a print or an error carrying ESC or U+009B drives the terminal.
    shown = repl.line('"\\27[31m" .. utf8.char(0x9b) .. "2J"')
    assert '"\\27[31m\\194\\1552J"' in shown
    printed = repl.line('print("\\27]0;owned\\7" .. utf8.char(0x9b) .. "8m")')
    assert "\\027]0;owned\\007\\194\\1558m" in printed
    failed = repl.line('error("\\27[8m" .. utf8.char(0x9b) .. "8m", 0)')
    assert "\\027[8m\\194\\1558m" in failed
    logged = repl.line('log.warn("\\27[2J" .. utf8.char(0x9b) .. "2J")')
    assert "[warn] \\027[2J\\194\\1552J" in logged
    for out in (shown, printed, failed, logged):
        assert CSI not in out and "\x1b[31m" not in out and "\x1b]0" not in out and "\x1b[8m" not in out


def test_esc_and_csi_are_escaped_in_piped_repl_output_and_errors(fota, state_home):
    chunks = 'print("\\27[2J" .. utf8.char(0x9b))\n"\\27" .. utf8.char(0x9b)\nerror("\\27[8m" .. utf8.char(0x9b), 0)\n'
    result = subprocess.run([fota, "repl"], input=chunks.encode(), capture_output=True, timeout=30,
                            env={"XDG_STATE_HOME": state_home, "PATH": "/usr/bin:/bin"})
    assert result.returncode == 1
    assert result.stdout == b'\\027[2J\\194\\155\n"\\27\\194\\155"\n'
    assert result.stderr == b"\\027[8m\\194\\155\n"
