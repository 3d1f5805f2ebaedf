#!/usr/bin/env python3
"""Bulk-append baseline with the official Python SDK (sdksio-verizon-apis-sdk, module `verizon`).

Appends N devices to one upgrade in 1,000-device batches, one request after another, with
FirmwareV1Controller.update_firmware_upgrade_devices, against any ThingSpace endpoint (normally
the simulator), and prints its wall time. Credentials come from the environment
(THINGSPACE_CLIENT_ID, THINGSPACE_CLIENT_SECRET, THINGSPACE_USERNAME, THINGSPACE_PASSWORD), so
they never appear in `ps`.

    sdk_bulk.py --endpoint http://127.0.0.1:8787 --account 0000000001-00001 --upgrade-id UUID \
                [--devices 100000] [--batch 1000]

Output lines: `sdk.wall_seconds=…`, `sdk.succeeded=…`, `sdk.failed=…`.
"""
import argparse
import os
import sys
import time

from verizon.configuration import Configuration, Environment
from verizon.http.auth.thingspace_oauth import ThingspaceOauthCredentials
from verizon.http.auth.vz_m2m_token import VZM2mTokenCredentials
from verizon.models.firmware_upgrade_change_request import FirmwareUpgradeChangeRequest
from verizon.models.log_in_request import LogInRequest
from verizon.verizon_client import VerizonClient

PRODUCTION_HOST = "https://thingspace.verizon.com"


def imeis(count, prefix="44", offset=0):
    """Distinct Luhn-valid IMEIs: prefix + 12-digit serial + check digit (as the Swift bench)."""
    out = []
    for n in range(offset, offset + count):
        body = f"{prefix}{n:012d}"
        total = 0
        for index, char in enumerate(reversed(body)):
            digit = int(char)
            if index % 2 == 0:
                digit *= 2
                if digit > 9:
                    digit -= 9
            total += digit
        out.append(body + str((10 - total % 10) % 10))
    return out


def point_sdk_at(endpoint):
    """The SDK only knows fixed hosts: rewrite every production URL to the given endpoint."""
    production = Configuration.environments[Environment.PRODUCTION]
    for server, url in list(production.items()):
        if url.startswith(PRODUCTION_HOST):
            production[server] = endpoint.rstrip("/") + url[len(PRODUCTION_HOST):]


def need(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f"sdk_bulk.py: set {name}")
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--account", required=True)
    parser.add_argument("--upgrade-id", required=True)
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--prefix", default="44", help="first two IMEI digits (keep distinct from other runs)")
    args = parser.parse_args()

    point_sdk_at(args.endpoint)
    oauth = ThingspaceOauthCredentials(oauth_client_id=need("THINGSPACE_CLIENT_ID"),
                                       oauth_client_secret=need("THINGSPACE_CLIENT_SECRET"))
    login_client = VerizonClient(thingspace_oauth_credentials=oauth, timeout=120)
    login = login_client.session_management.start_connectivity_management_session(
        body=LogInRequest(username=need("THINGSPACE_USERNAME"), password=need("THINGSPACE_PASSWORD")))
    if login.is_error() or not getattr(login.body, "session_token", None):
        sys.exit(f"sdk_bulk.py: login failed with HTTP {login.status_code}")
    client = VerizonClient(thingspace_oauth_credentials=oauth, timeout=120,
                           vz_m2m_token_credentials=VZM2mTokenCredentials(vz_m2m_token=login.body.session_token))
    firmware = client.firmware_v1

    devices = imeis(args.devices, prefix=args.prefix)
    succeeded = failed = 0
    started = time.perf_counter()
    for start in range(0, len(devices), args.batch):
        body = FirmwareUpgradeChangeRequest(mtype="append", device_list=devices[start:start + args.batch])
        response = firmware.update_firmware_upgrade_devices(args.account, args.upgrade_id, body)
        if response.is_error():
            sys.exit(f"sdk_bulk.py: batch at {start} failed with HTTP {response.status_code}: {response.text[:200]}")
        for item in response.body.device_list or []:
            if str(getattr(item, "status", "")).endswith("Succeed"):
                succeeded += 1
            else:
                failed += 1
    wall = time.perf_counter() - started
    print(f"sdk: {args.devices} devices in {wall:.3f} s, batch {args.batch}, sequential")
    print(f"sdk.wall_seconds={wall:.4f}")
    print(f"sdk.succeeded={succeeded}")
    print(f"sdk.failed={failed}")


if __name__ == "__main__":
    main()
