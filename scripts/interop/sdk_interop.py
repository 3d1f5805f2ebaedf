"""Drive the ThingSpace simulator with the official Verizon Python SDK (sdksio-verizon-apis-sdk).

Usage: sdk_interop.py '<first JSON line printed by `fota sim`>'
Prints one line per check and a final "N passed, M failed"; exits non-zero on any failure.
"""
import datetime
import json
import sys
import urllib.request

from verizon.configuration import Configuration, Environment, Server
from verizon.verizon_client import VerizonClient
from verizon.http.auth.thingspace_oauth import ThingspaceOauthCredentials
from verizon.http.auth.vz_m2m_token import VZM2mTokenCredentials
from verizon.models.log_in_request import LogInRequest
from verizon.models.firmware_upgrade_request import FirmwareUpgradeRequest
from verizon.models.firmware_upgrade_change_request import FirmwareUpgradeChangeRequest
from verizon.exceptions.fota_v1_result_exception import FotaV1ResultException
from verizon.exceptions.connectivity_management_result_exception import ConnectivityManagementResultException

CREDS = json.loads(sys.argv[1])
ENDPOINT = CREDS["endpoint"]
ACCOUNT = CREDS["account"]
RESULTS = {"passed": 0, "failed": 0}


def make_client(session_token=None):
    """An SDK client whose OAuth, M2M and FOTA v1 servers all point at the simulator."""
    config = Configuration(
        environment=Environment.PRODUCTION,
        thingspace_oauth_credentials=ThingspaceOauthCredentials(
            oauth_client_id=CREDS["clientId"], oauth_client_secret=CREDS["clientSecret"]),
        vz_m2m_token_credentials=VZM2mTokenCredentials(vz_m2m_token=session_token) if session_token else None,
    )
    # The SDK resolves base URLs through this (class-level) table; an instance copy redirects it.
    servers = dict(Configuration.environments[Environment.PRODUCTION])
    servers[Server.THINGSPACE] = ENDPOINT + "/api"
    servers[Server.OAUTH_SERVER] = ENDPOINT + "/api/ts/v1"
    servers[Server.M2M] = ENDPOINT + "/api/m2m"
    servers[Server.SOFTWARE_MANAGEMENT_V1] = ENDPOINT + "/api/fota/v1"
    config.environments = {Environment.PRODUCTION: servers}
    return VerizonClient(config=config)


def sim(method, path, body=None):
    """A call to the simulator's /_sim control API (not part of ThingSpace)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(ENDPOINT + "/_sim" + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"null")


def check(name, function):
    try:
        function()
    except Exception as error:  # any failure, including assertion errors, counts against the check
        RESULTS["failed"] += 1
        print(f"FAIL {name}: {type(error).__name__}: {error}")
    else:
        RESULTS["passed"] += 1
        print(f"ok   {name}")


STATE = {}


def oauth_token():
    client = make_client()
    token = client.auth_managers["thingspace_oauth"].fetch_token()
    assert token.access_token, "no access token"
    assert token.token_type == "Bearer", token.token_type
    assert 3500 < token.expires_in <= 3600, token.expires_in


def session_login():
    client = make_client()
    result = client.session_management.start_connectivity_management_session(
        LogInRequest(username=CREDS["username"], password=CREDS["password"])).body
    assert len(result.session_token) == 36, result.session_token
    STATE["session"] = result.session_token
    STATE["fota"] = make_client(result.session_token)


def session_login_wrong_password():
    client = make_client()
    try:
        client.session_management.start_connectivity_management_session(
            LogInRequest(username=CREDS["username"], password="wrong"))
    except ConnectivityManagementResultException as error:
        assert error.error_code.endswith("InvalidCredentials"), error.error_code
    else:
        raise AssertionError("wrong password was accepted")


def firmware_list():
    images = STATE["fota"].firmware_v1.list_available_firmware(ACCOUNT).body
    assert len(images) >= 5, len(images)
    assert all(image.firmware_name and image.make and image.model and image.from_version and image.to_version
               for image in images)
    STATE["images"] = images


def device_list():
    reports = STATE["fota"].software_management_reports_v1
    page = reports.list_account_devices(ACCOUNT, "0").body
    assert page.account_name == ACCOUNT, page.account_name
    assert page.has_more_data is True
    assert len(page.device_list) == 1000, len(page.device_list)
    assert isinstance(page.last_seen_device_id, int), type(page.last_seen_device_id)
    # The SDK reads the cursor as an integer, so an IMEI with a leading zero (the seeded
    # fleet has some) loses it: fota pads it back to 15 digits; the simulator takes both forms.
    assert str(page.last_seen_device_id).zfill(15) == page.device_list[-1].device_id
    second = reports.list_account_devices(ACCOUNT, str(page.last_seen_device_id)).body
    assert second.device_list[0].device_id > page.device_list[-1].device_id
    padded = reports.list_account_devices(ACCOUNT, str(page.last_seen_device_id).zfill(15)).body
    assert [d.device_id for d in padded.device_list] == [d.device_id for d in second.device_list]
    STATE["devices"] = page.device_list


def pick(count):
    """Devices that will be accepted for the image with the most candidates."""
    best = None
    for image in STATE["images"]:
        matching = [d.device_id for d in STATE["devices"]
                    if d.fota_eligible and d.license_assigned and d.make == image.make
                    and d.model == image.model and d.firmware == image.from_version
                    and d.device_id not in STATE.setdefault("used", set())]
        if best is None or len(matching) > len(best[1]):
            best = (image, matching)
    image, devices = best
    chosen = devices[:count]
    STATE["used"].update(chosen)
    return image, chosen


def schedule(image, devices, start=datetime.date(2026, 3, 10)):
    request = FirmwareUpgradeRequest(account_name=ACCOUNT, firmware_name=image.firmware_name,
                                     firmware_to=image.to_version, start_date=start, end_date=start,
                                     device_list=devices)
    return STATE["fota"].firmware_v1.schedule_firmware_upgrade(request).body


def schedule_upgrade():
    image, devices = pick(3)
    upgrade = schedule(image, devices)
    assert upgrade.status == "RequestPending", upgrade.status
    assert upgrade.account_name == ACCOUNT
    assert [d.device_id for d in upgrade.device_list] == devices
    assert all(d.status == "RequestPending" and not hasattr(d, "result_reason") for d in upgrade.device_list)
    STATE["upgrade"] = upgrade.id
    STATE["upgrade_devices"] = devices


def upgrade_details_queued():
    sim("POST", "/clock/advance", {"seconds": 120})
    upgrade = STATE["fota"].firmware_v1.list_firmware_upgrade_details(ACCOUNT, STATE["upgrade"]).body
    assert upgrade.status == "Queued", upgrade.status
    assert all(d.status == "Device Accepted" and d.result_reason == "success" for d in upgrade.device_list)


def append_device():
    _, [extra] = pick(1)
    body = FirmwareUpgradeChangeRequest(mtype="append", device_list=[extra])
    result = STATE["fota"].firmware_v1.update_firmware_upgrade_devices(ACCOUNT, STATE["upgrade"], body).body
    assert result.id == STATE["upgrade"]
    assert result.device_list[0].status == "AddDeviceSucceed", result.device_list[0].status
    assert result.device_list[0].reason == "Device added Successfully", result.device_list[0].reason
    STATE["extra"] = extra


def remove_device():
    body = FirmwareUpgradeChangeRequest(mtype="remove", device_list=[STATE["extra"]])
    result = STATE["fota"].firmware_v1.update_firmware_upgrade_devices(ACCOUNT, STATE["upgrade"], body).body
    assert result.device_list[0].status == "RemoveDeviceSucceed", result.device_list[0].status
    details = STATE["fota"].firmware_v1.list_firmware_upgrade_details(ACCOUNT, STATE["upgrade"]).body
    assert STATE["extra"] not in [d.device_id for d in details.device_list]


def upgrades_by_status():
    listed = STATE["fota"].software_management_reports_v1.list_upgrades_for_specified_status(ACCOUNT, "Queued", "0").body
    assert listed.has_more_flag is False
    assert STATE["upgrade"] in [u.id for u in listed.report_list]


def cancel_upgrade():
    result = STATE["fota"].firmware_v1.cancel_scheduled_firmware_upgrade(ACCOUNT, STATE["upgrade"]).body
    assert result.success is True
    try:
        STATE["fota"].firmware_v1.list_firmware_upgrade_details(ACCOUNT, STATE["upgrade"])
    except FotaV1ResultException as error:
        assert error.error_code == "INVALID_PARAMETER", error.error_code
        assert error.error_message == "Invalid upgradeId", error.error_message
    else:
        raise AssertionError("cancelled upgrade is still visible")


def device_history():
    image, devices = pick(1)
    upgrade = schedule(image, devices)
    sim("POST", "/clock/advance", {"seconds": 30 * 86400})
    history = STATE["fota"].software_management_reports_v1.get_device_firmware_upgrade_history(ACCOUNT, devices[0]).body
    assert len(history) == 1, len(history)
    entry = history[0]
    assert entry.id == upgrade.id
    assert entry.status == "UpgradeSuccess" and entry.reason == "success", (entry.status, entry.reason)
    assert entry.firmware_from == image.from_version and entry.firmware_to == image.to_version
    finished = STATE["fota"].software_management_reports_v1.list_upgrades_for_specified_status(ACCOUNT, "Finished", "0").body
    assert upgrade.id in [u.id for u in finished.report_list]


def error_400_has_error_code():
    image, _ = pick(0)
    try:
        schedule(image, [])
    except FotaV1ResultException as error:
        assert error.response_code == 400, error.response_code
        assert error.error_code == "INVALID_PARAMETER", error.error_code
        assert error.error_message == "Device list is empty", error.error_message
    else:
        raise AssertionError("empty device list was accepted")


def session_logout():
    result = STATE["fota"].session_management.end_connectivity_management_session().body
    assert result.session_token == STATE["session"]
    try:
        STATE["fota"].firmware_v1.list_available_firmware(ACCOUNT)
    except FotaV1ResultException as error:
        assert error.error_code.endswith("SessionToken.Expired"), error.error_code
    else:
        raise AssertionError("logged-out session still works")


for name, function in [
    ("OAuth token through the SDK", oauth_token),
    ("session login through the SDK", session_login),
    ("session login with a wrong password", session_login_wrong_password),
    ("list available firmware", firmware_list),
    ("list account devices, two pages", device_list),
    ("schedule a firmware upgrade", schedule_upgrade),
    ("upgrade details after validation", upgrade_details_queued),
    ("append a device", append_device),
    ("remove a device", remove_device),
    ("upgrades by status", upgrades_by_status),
    ("cancel the upgrade", cancel_upgrade),
    ("device upgrade history", device_history),
    ("400 parsed as FotaV1ResultException", error_400_has_error_code),
    ("session logout through the SDK", session_logout),
]:
    check(name, function)

print(f"{RESULTS['passed']} passed, {RESULTS['failed']} failed")
sys.exit(1 if RESULTS["failed"] else 0)
