"""fota run's progress bar: on a terminal for long bulk calls, never in a pipe."""
import os
import subprocess
import tempfile

import pexpect

SCRIPT = """
local fw = fota.firmware()[1]
local up = fota.schedule{firmwareName = fw.firmwareName, firmwareTo = fw.toVersion, startDate = "2026-03-10",
  devices = {"350000000000018"}}
local devices = {}
for i = 1, 3000 do devices[i] = string.format("35%013d", i) end
local r = fota.append(up.id, devices)
print("sent", #r.devices)
"""


def write_script():
    folder = tempfile.mkdtemp(prefix="fota-progress-")
    path = os.path.join(folder, "bulk.lua")
    with open(path, "w") as f:
        f.write(SCRIPT)
    return folder, path


def args(folder):
    return ["run", "--simulate", "--sim-devices", "200", "--sim-latency-ms", "40", "--batch-size", "100",
            "--concurrency", "2", "--journal", os.path.join(folder, "j.jsonl"), "bulk.lua"]


def test_progress_bar_on_a_terminal(fota):
    folder, _ = write_script()
    child = pexpect.spawn(fota, args(folder), cwd=folder, encoding="utf-8", timeout=60, dimensions=(24, 160))
    child.expect(r"fota\.append \[.*\] \d+/3000 devices, \d+/s")
    child.expect("sent\t3000")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_no_progress_output_when_stderr_is_not_a_terminal(fota):
    folder, _ = write_script()
    result = subprocess.run([fota, *args(folder)], cwd=folder, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "sent\t3000\n"
    assert "devices," not in result.stderr
    assert "\r" not in result.stderr


HISTORIES = """
local devices = {}
for d in fota.devices() do devices[#devices + 1] = d.deviceId end
local found = fota.histories(devices)
local n = 0
for _ in pairs(found) do n = n + 1 end
print("read", n)
"""


def test_histories_progress_bar_on_a_terminal(fota):
    folder = tempfile.mkdtemp(prefix="fota-progress-")
    with open(os.path.join(folder, "histories.lua"), "w") as f:
        f.write(HISTORIES)
    child = pexpect.spawn(fota, ["run", "--simulate", "--sim-devices", "120", "--sim-latency-ms", "20", "--concurrency", "2",
                                 "histories.lua"], cwd=folder, encoding="utf-8", timeout=60, dimensions=(24, 160))
    child.expect(r"fota\.histories \[.*\] \d+/120 devices, \d+/s")
    child.expect("read\t120")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
