"""fota cancel on a terminal: it shows the upgrade and asks; only a yes cancels, --yes skips the question."""
import json
import os
import subprocess
import tempfile

import pexpect
import pytest


SCHEDULE = """
for _, fw in ipairs(fota.firmware()) do
  local ds = {}
  for d in fota.devices() do
    if d.fotaEligible and d.licenseAssigned and d.model == fw.model and d.firmware == fw.fromVersion then
      ds[#ds + 1] = d.deviceId
    end
  end
  if #ds > 0 then
    print(fota.schedule{firmwareName = fw.firmwareName, firmwareTo = fw.toVersion, startDate = "2026-03-10", devices = ds}.id)
    return
  end
end
error("no schedulable devices")
"""


@pytest.fixture
def sim(fota, state_home):
    """A `fota sim` child and the environment that points fota at it."""
    process = subprocess.Popen([fota, "sim", "--port", "0", "--devices", "100"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        first = json.loads(process.stdout.readline())
        env = dict(os.environ, TERM="xterm", XDG_STATE_HOME=state_home, XDG_CONFIG_HOME="/nonexistent",
                   FOTA_ENDPOINT=first["endpoint"], FOTA_ACCOUNT=first["account"],
                   THINGSPACE_CLIENT_ID=first["clientId"], THINGSPACE_CLIENT_SECRET=first["clientSecret"],
                   THINGSPACE_USERNAME=first["username"], THINGSPACE_PASSWORD=first["password"])
        yield env
    finally:
        process.terminate()
        process.wait(timeout=20)


def schedule(fota, env):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(SCHEDULE)
    try:
        done = subprocess.run([fota, "run", script.name], env=env, capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(script.name)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def status(fota, env, upgrade_id):
    done = subprocess.run([fota, "upgrade", upgrade_id, "-o", "json"], env=env, capture_output=True, text=True, timeout=60)
    return json.loads(done.stdout)["status"] if done.returncode == 0 else None


def test_cancel_asks_and_only_yes_cancels(fota, sim):
    upgrade_id = schedule(fota, sim)
    child = pexpect.spawn(fota, ["cancel", upgrade_id, "-o", "json"], env=sim, encoding="utf-8", timeout=30)
    child.expect(r"cancel upgrade %s to .*devices.*\? \[y/N\] " % upgrade_id)
    child.sendline("n")
    child.expect("not cancelled")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert status(fota, sim, upgrade_id) == "RequestPending"

    child = pexpect.spawn(fota, ["cancel", upgrade_id, "-o", "json"], env=sim, encoding="utf-8", timeout=30)
    child.expect(r"\[y/N\] ")
    child.sendline("yes")
    child.expect('"success": true')
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert status(fota, sim, upgrade_id) != "RequestPending"


def test_cancel_yes_does_not_ask(fota, sim):
    upgrade_id = schedule(fota, sim)
    child = pexpect.spawn(fota, ["cancel", upgrade_id, "--yes", "-o", "table"], env=sim, encoding="utf-8", timeout=30)
    index = child.expect([r"\[y/N\]", r"%s\s+true" % upgrade_id])
    assert index == 1, "--yes must not ask"
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
