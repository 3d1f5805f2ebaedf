#!/usr/bin/env bash
# Interop check: drives a running `fota sim` with the official Verizon Python SDK.
# Usage: scripts/sim-interop.sh .build/debug/fota
# Uses the pinned Python environment of scripts/lib/python.sh (the SDK version is in scripts/requirements.txt).
set -euo pipefail

fota=${1:?usage: $0 path/to/fota}
root=$(cd "$(dirname "$0")/.." && pwd)
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

source "$root/scripts/lib/python.sh"
python="$(python_env)"

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

"$python" "$root/scripts/interop/sdk_interop.py" "$credentials"
