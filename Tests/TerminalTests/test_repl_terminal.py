"""fota repl at a terminal: what an operator types and sees."""
import os
import time

import pexpect

from conftest import Repl


def test_expression_prints_its_value(repl):
    assert "42" in repl.line("6 * 7")


def test_statement_then_expression_keeps_state(repl):
    repl.line("x = 20")
    assert "21" in repl.line("x + 1")


def test_underscore_holds_the_last_result(repl):
    repl.line("{a = 1}")
    assert "1" in repl.line("_.a")


def test_multi_line_input_uses_continuation_prompt(repl):
    repl.child.send("function double(n)\r")
    repl.child.expect(">> ")
    repl.child.send("  return n * 2\r")
    repl.child.expect(">> ")
    repl.child.send("end\r")
    repl.child.expect(Repl.PROMPT)
    assert "84" in repl.line("double(42)")


def test_tables_are_pretty_printed_with_sorted_keys(repl):
    out = repl.line('{zeta = 1, alpha = {2, 3}, ["two words"] = true}')
    assert out.index("alpha") < out.index("zeta")
    assert '["two words"] = true' in out
    assert "  alpha = {" in out


def test_cycles_are_marked(repl):
    repl.line("t = {} t.self = t")
    assert "<cycle: table: #" in repl.line("t")


def test_long_tables_are_cut_with_a_note(repl):
    out = repl.line("local t = {} for i = 1, 500 do t[i] = i end return t")
    assert "-- 450 more items" in out


def test_errors_are_shown_and_the_prompt_survives(repl):
    out = repl.line('error("boom")')
    assert "stdin:1: boom" in out
    assert "3" in repl.line("1 + 2")


def test_tab_completes_a_dotted_path(repl):
    repl.child.send("string.fo\t")
    repl.child.expect("rmat")
    repl.child.send('("%d", 5)\r')
    repl.child.expect(Repl.PROMPT)
    assert '"5"' in repl.child.before


def test_double_tab_lists_the_fields(repl):
    repl.child.send("string.\t\t")
    repl.child.expect("string.upper")
    assert "string.gsub" in repl.child.before + repl.child.after
    repl.child.sendcontrol("c")
    repl.child.expect(Repl.PROMPT)


def test_tab_completes_globals_defined_in_the_session(repl):
    repl.line("campaign_devices = {1, 2}")
    repl.child.send("campaign_d\t")
    repl.child.expect("evices")
    repl.child.send("[2]\r")
    repl.child.expect(Repl.PROMPT)
    assert "2" in repl.child.before


def test_ctrl_c_at_the_prompt_clears_the_line(repl):
    repl.child.send("this is not lua")
    repl.child.sendcontrol("c")
    repl.child.expect(Repl.PROMPT)
    assert "7" in repl.line("3 + 4")


def test_ctrl_c_interrupts_an_endless_loop(repl):
    repl.line("before = 1")
    # the marker says the chunk is running: Ctrl-C must reach the loop, not the line editor
    repl.child.send("print('looping') while true do end\r")
    repl.child.expect("\r\nlooping\r\n")
    repl.child.sendcontrol("c")
    repl.child.expect("interrupted")
    repl.child.expect(Repl.PROMPT)
    assert "2" in repl.line("before + 1")


def test_ctrl_c_interrupts_a_loop_inside_a_coroutine(repl):
    repl.child.send("coroutine.wrap(function() print('looping') while true do end end)()\r")
    repl.child.expect("\r\nlooping\r\n")
    repl.child.sendcontrol("c")
    repl.child.expect("interrupted")
    repl.child.expect(Repl.PROMPT)
    assert "ok" in repl.line('"ok"')


def test_help_lists_how_to_use_the_prompt(repl):
    out = repl.line("help()")
    assert "Tab completes" in out
    assert "help([f])" in out


def test_help_of_a_host_function_prints_its_signature(repl):
    out = repl.line("help(help)")
    assert "no help" in out or "help([f])" in out


def test_ctrl_d_exits_with_status_zero(fota, state_home):
    session = Repl(fota, state_home)
    assert session.close() == 0


def test_history_is_kept_across_sessions(fota, state_home):
    first = Repl(fota, state_home)
    first.line("remembered_value = 1234")
    first.close()
    history = os.path.join(state_home, "fota", "history")
    assert os.path.exists(history)
    second = Repl(fota, state_home)
    second.child.send("\x1b[A")  # up arrow recalls the last line
    second.child.expect("remembered_value = 1234")
    second.child.send("\r")
    second.child.expect(Repl.PROMPT)
    assert "1234" in second.line("remembered_value")
    second.close()


def test_sandbox_applies_at_the_prompt(repl):
    out = repl.line("io")
    assert "nil" in out
    out = repl.line('os.execute("true")')
    assert "attempt to call a nil value" in out


def test_banner_names_the_endpoint_account_and_mode(fota, state_home):
    session = Repl(fota, state_home, args=("--simulate", "--sim-devices", "200", "--dry-run"))
    banner = session.banner
    assert "built-in simulator" in banner
    assert "account 0000000001-00001" in banner
    assert "DRY RUN" in banner
    session.close()


def test_fota_functions_complete_and_list(fota, state_home):
    session = Repl(fota, state_home, args=("--simulate", "--sim-devices", "200"))
    session.child.send("fota.ap\t")
    session.child.expect("pend")
    session.child.sendcontrol("c")
    session.child.expect(Repl.PROMPT)
    session.child.send("fota.\t\t")
    session.child.expect("fota.schedule")
    assert "fota.remove" in session.child.before + session.child.after
    session.child.sendcontrol("c")
    session.child.expect(Repl.PROMPT)
    session.close()


def test_help_of_fota_append_prints_its_signature(fota, state_home):
    session = Repl(fota, state_home, args=("--simulate", "--sim-devices", "200"))
    out = session.line("help(fota.append)")
    assert "fota.append(upgradeId, devices [, opts]) -> result" in out
    session.close()


def test_ctrl_c_cancels_a_slow_api_call_and_keeps_the_session(fota, state_home):
    session = Repl(fota, state_home, args=("--simulate", "--sim-devices", "200", "--sim-latency-ms", "10000"))
    session.line("kept = 41")
    started = time.time()
    session.child.send("print('calling') fota.firmware()\r")
    session.child.expect("\r\ncalling\r\n")
    session.child.sendcontrol("c")
    session.child.expect("interrupted")
    session.child.expect(Repl.PROMPT)
    assert time.time() - started < 6  # the call itself would take 10 s
    assert "42" in session.line("kept + 1")
    session.close(timeout=60)  # leaving logs out, and every request waits the 10 s latency
