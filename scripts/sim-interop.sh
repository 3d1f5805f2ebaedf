#!/usr/bin/env bash
# Interop check: drives a running `fota sim` with the official Verizon Python SDK.
# Usage: scripts/sim-interop.sh .build/debug/fota
# Creates .build/venv-sdk (ignored by git) with sdksio-verizon-apis-sdk from PyPI on first use.
set -euo pipefail

fota=${1:?usage: $0 path/to/fota}
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.build/venv-sdk"
output=$(mktemp)
sim_pid=""

cleanup() {
    if [[ -n "$sim_pid" ]] && kill -0 "$sim_pid" 2>/dev/null; then
        kill -TERM "$sim_pid" 2>/dev/null || true
        wait "$sim_pid" 2>/dev/null || true
    fi
    rm -f "$output"
}
trap cleanup EXIT INT TERM

if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import verizon" 2>/dev/null; then
    "$venv/bin/pip" install --quiet sdksio-verizon-apis-sdk
fi

"$fota" sim --port 0 >"$output" &
sim_pid=$!

# Wait (up to 30 s) for the first stdout line: the JSON credentials.
credentials=""
for _ in $(seq 1 300); do
    credentials=$(head -n 1 "$output" 2>/dev/null || true)
    [[ -n "$credentials" ]] && break
    kill -0 "$sim_pid" 2>/dev/null || { echo "fota sim exited early" >&2; exit 1; }
    sleep 0.1
done
[[ -n "$credentials" ]] || { echo "fota sim printed no credentials" >&2; exit 1; }

"$venv/bin/python" "$root/scripts/interop/sdk_interop.py" "$credentials"
