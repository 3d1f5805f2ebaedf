#!/usr/bin/env python3
"""Bulk-append baseline with the official Python SDK (sdksio-verizon-apis-sdk, module `verizon`).

Appends N devices to one upgrade in 1,000-device batches with
FirmwareV1Controller.update_firmware_upgrade_devices, against any ThingSpace endpoint (normally
the simulator), and prints its wall time: one request after another (a plain loop), or with
--threads N from a pool of N threads (one SDK client each, the same session), the SDK's fair
peer for fota's N requests in flight. Credentials come from the environment
(THINGSPACE_CLIENT_ID, THINGSPACE_CLIENT_SECRET, THINGSPACE_USERNAME, THINGSPACE_PASSWORD), so
they never appear in `ps`.

    sdk_bulk.py --endpoint http://127.0.0.1:8787 --account 0000000001-00001 --upgrade-id UUID \
                [--devices 100000] [--batch 1000] [--threads 1] [--devices-file PATH]

Output lines: `sdk.wall_seconds=…`, `sdk.succeeded=…`, `sdk.failed=…`.
"""
import argparse
import concurrent.futures
import os
import threading
import sys
import time

from imeis import imei

from verizon.configuration import Configuration, Environment
from verizon.http.auth.thingspace_oauth import ThingspaceOauthCredentials
from verizon.http.auth.vz_m2m_token import VZM2mTokenCredentials
from verizon.models.firmware_upgrade_change_request import FirmwareUpgradeChangeRequest
from verizon.models.log_in_request import LogInRequest
from verizon.verizon_client import VerizonClient

PRODUCTION_HOST = "https://thingspace.verizon.com"


def imeis(count, prefix="44", offset=0):
    """Distinct Luhn-valid IMEIs: prefix + 12-digit serial + check digit (as the Swift bench)."""
    return [imei(prefix, n) for n in range(offset, offset + count)]


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
    parser.add_argument("--threads", type=int, default=1, help="requests in flight (1: a plain loop)")
    parser.add_argument("--devices-file", help="IMEIs one per line, instead of generating --devices of them")
    args = parser.parse_args()

    point_sdk_at(args.endpoint)
    oauth = ThingspaceOauthCredentials(oauth_client_id=need("THINGSPACE_CLIENT_ID"),
                                       oauth_client_secret=need("THINGSPACE_CLIENT_SECRET"))
    login_client = VerizonClient(thingspace_oauth_credentials=oauth, timeout=120)
    login = login_client.session_management.start_connectivity_management_session(
        body=LogInRequest(username=need("THINGSPACE_USERNAME"), password=need("THINGSPACE_PASSWORD")))
    if login.is_error() or not getattr(login.body, "session_token", None):
        sys.exit(f"sdk_bulk.py: login failed with HTTP {login.status_code}")
    token = login.body.session_token
    local = threading.local()

    def firmware():
        # One client per thread: the SDK does not promise that a client may be shared.
        if not hasattr(local, "firmware"):
            local.firmware = VerizonClient(
                thingspace_oauth_credentials=oauth, timeout=120,
                vz_m2m_token_credentials=VZM2mTokenCredentials(vz_m2m_token=token)).firmware_v1
        return local.firmware

    firmware()  # the main thread's client (the only one of a plain loop) exists before the clock starts
    if args.devices_file:
        with open(args.devices_file) as handle:
            devices = [line.strip() for line in handle if line.strip()]
    else:
        devices = imeis(args.devices, prefix=args.prefix)

    def send(start):
        body = FirmwareUpgradeChangeRequest(mtype="append", device_list=devices[start:start + args.batch])
        response = firmware().update_firmware_upgrade_devices(args.account, args.upgrade_id, body)
        if response.is_error():
            sys.exit(f"sdk_bulk.py: batch at {start} failed with HTTP {response.status_code}: {response.text[:200]}")
        ok = bad = 0
        for item in response.body.device_list or []:
            if str(getattr(item, "status", "")).endswith("Succeed"):
                ok += 1
            else:
                bad += 1
        return ok, bad

    succeeded = failed = 0
    starts = range(0, len(devices), args.batch)
    started = time.perf_counter()
    if args.threads <= 1:
        counts = [send(start) for start in starts]
    else:
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.threads) as pool:
            counts = list(pool.map(send, starts))
    for ok, bad in counts:
        succeeded += ok
        failed += bad
    wall = time.perf_counter() - started
    how = "a plain loop" if args.threads <= 1 else f"{args.threads} threads"
    print(f"sdk: {len(devices)} devices in {wall:.3f} s, batch {args.batch}, {how}")
    print(f"sdk.wall_seconds={wall:.4f}")
    print(f"sdk.succeeded={succeeded}")
    print(f"sdk.failed={failed}")


if __name__ == "__main__":
    main()
