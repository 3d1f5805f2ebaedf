"""fota run's device limit by default: 1,000 devices when someone runs it from a terminal, none in a pipe."""
import json
import os
import subprocess
import tempfile

import pexpect
import pytest

# 1,001 devices in one schedule: above the terminal default, refused before anything is sent.
SCRIPT = """
local fw = fota.firmware()[1]
local devices = {}
for i = 1, 1001 do devices[i] = string.format("35%013d", i) end
local ok, e = pcall(fota.schedule, {firmwareName = fw.firmwareName, firmwareTo = fw.toVersion,
  startDate = "2026-03-10", devices = devices})
print("refused:", e and e.code or "no")
"""


@pytest.fixture
def sim(fota):
    """A `fota sim` process and the environment that points `fota run` at it."""
    process = subprocess.Popen([fota, "sim", "--port", "0", "--devices", "50"], stdout=subprocess.PIPE, text=True)
    try:
        credentials = json.loads(process.stdout.readline())
        environment = dict(os.environ)
        environment.update({
            "FOTA_ENDPOINT": credentials["endpoint"], "FOTA_ACCOUNT": credentials["account"],
            "THINGSPACE_CLIENT_ID": credentials["clientId"], "THINGSPACE_CLIENT_SECRET": credentials["clientSecret"],
            "THINGSPACE_USERNAME": credentials["username"], "THINGSPACE_PASSWORD": credentials["password"],
            "XDG_CONFIG_HOME": "/nonexistent",
        })
        environment.pop("FOTA_MAX_DEVICES", None)
        yield environment
    finally:
        process.terminate()
        process.wait(timeout=30)


def script_folder():
    folder = tempfile.mkdtemp(prefix="fota-limit-")
    with open(os.path.join(folder, "many.lua"), "w") as f:
        f.write(SCRIPT)
    return folder


def test_terminal_run_has_a_default_device_limit(fota, sim):
    folder = script_folder()
    args = ["run", "--journal", os.path.join(folder, "j.jsonl"), "many.lua"]
    child = pexpect.spawn(fota, args, cwd=folder, env=sim, encoding="utf-8", timeout=60, dimensions=(24, 200))
    child.expect("refused:\tMAX_DEVICES")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    # FOTA_MAX_DEVICES=0 lifts it on a terminal too.
    lifted = dict(sim, FOTA_MAX_DEVICES="0")
    child = pexpect.spawn(fota, args, cwd=folder, env=lifted, encoding="utf-8", timeout=60, dimensions=(24, 200))
    child.expect("refused:\t")
    rest = child.readline()
    child.expect(pexpect.EOF)
    assert "MAX_DEVICES" not in rest


def test_piped_run_has_no_default_device_limit(fota, sim):
    folder = script_folder()
    result = subprocess.run([fota, "run", "--journal", os.path.join(folder, "j.jsonl"), "many.lua"], cwd=folder, env=sim,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "MAX_DEVICES" not in result.stdout
    assert result.stdout.startswith("refused:\t")
