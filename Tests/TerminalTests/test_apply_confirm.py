"""fota apply on a terminal: it shows the plan and applies only when the operator types yes."""
import json
import os
import subprocess
import tempfile
import urllib.request

import pexpect
import pytest

SCRIPT = """
local img = fota.firmware()[1]
local picked = {}
for d in fota.devices() do
  if #picked < 2 and d.fotaEligible and d.licenseAssigned and d.make == img.make and d.model == img.model
     and d.firmware == img.fromVersion then
    picked[#picked + 1] = d.deviceId
  end
end
assert(#picked == 2, "no two devices for " .. img.firmwareName)
fota.schedule{firmwareName = img.firmwareName, firmwareTo = img.toVersion, startDate = "2026-04-01", devices = picked}
"""


@pytest.fixture
def sim(fota):
    process = subprocess.Popen([fota, "sim", "--port", "0", "--devices", "300"], stdout=subprocess.PIPE, text=True)
    try:
        credentials = json.loads(process.stdout.readline())
        yield credentials
    finally:
        process.terminate()
        process.wait(timeout=10)


def mutating_requests(sim):
    with urllib.request.urlopen(sim["endpoint"] + "/_sim/requests/counts", timeout=10) as answer:
        return json.load(answer)["fotaMutating"]


def test_apply_asks_and_applies_only_on_yes(fota, sim):
    folder = tempfile.mkdtemp(prefix="fota-apply-")
    env = dict(os.environ, TERM="xterm", XDG_CONFIG_HOME="/nonexistent", XDG_STATE_HOME=folder,
               THINGSPACE_CLIENT_ID=sim["clientId"], THINGSPACE_CLIENT_SECRET=sim["clientSecret"],
               THINGSPACE_USERNAME=sim["username"], THINGSPACE_PASSWORD=sim["password"])
    connection = ["--endpoint", sim["endpoint"], "--account", sim["account"], "--journal", folder + "/journal.jsonl"]
    with open(os.path.join(folder, "canary.lua"), "w") as script:
        script.write(SCRIPT)
    planned = subprocess.run([fota, "plan", *connection, "canary.lua", "-o", "canary.plan.json"], cwd=folder, env=env,
                             capture_output=True, text=True, timeout=60)
    assert planned.returncode == 0, planned.stderr
    assert "1 upgrade to schedule" in planned.stderr

    declined = pexpect.spawn(fota, ["apply", *connection, "canary.plan.json"], cwd=folder, env=env, encoding="utf-8",
                             timeout=30)
    declined.expect("1 upgrade to schedule")
    declined.expect("Apply these changes\\? Only 'yes' applies: ")
    declined.send("no\r")
    declined.expect("not applied")
    declined.expect(pexpect.EOF)
    declined.close()
    assert declined.exitstatus == 1
    assert mutating_requests(sim) == 0

    accepted = pexpect.spawn(fota, ["apply", *connection, "canary.plan.json"], cwd=folder, env=env, encoding="utf-8",
                             timeout=30)
    accepted.expect("Apply these changes\\? Only 'yes' applies: ")
    accepted.send("yes\r")
    accepted.expect("Apply complete: 0 added, 0 removed, 1 scheduled, 0 cancelled.")
    accepted.expect(pexpect.EOF)
    accepted.close()
    assert accepted.exitstatus == 0
    assert mutating_requests(sim) == 1
