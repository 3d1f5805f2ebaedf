#!/usr/bin/env bash
# Bulk append, fota's Swift client vs the official Python SDK, against one simulator run.
#
#   scripts/bench/bulk.sh [--devices 100000] [--latency-ms 20]
#
# Starts a simulator (`fota-bench bulk --serve`, the same server as `fota sim`) with latency L on a free port, runs `fota-bench bulk` (Swift, batches of
# 1,000 at concurrency 4, plus the 1,000,000-device memory check unless BULK_SKIP_MEMORY=1) and
# `scripts/bench/sdk_bulk.py` (SDK, batches of 1,000 one after another) on fresh upgrades, then
# prints both wall times and SDK/Swift. Needs a release build (swift build -c release --product fota-bench) and the
# SDK (pip install sdksio-verizon-apis-sdk; set PYTHON to a venv's python if needed).
set -euo pipefail
cd "$(dirname "$0")/../.."

devices=100000
latency=20
while [ $# -gt 0 ]; do
  case "$1" in
    --devices) devices="$2"; shift 2 ;;
    --latency-ms) latency="$2"; shift 2 ;;
    *) echo "usage: $0 [--devices N] [--latency-ms L]" >&2; exit 64 ;;
  esac
done

bin="${BIN:-.build/release}"
python="${PYTHON:-python3}"
[ -x "$bin/fota-bench" ] || { echo "build first: swift build -c release --product fota-bench" >&2; exit 1; }
"$python" -c 'import verizon' 2>/dev/null || { echo "install the SDK: pip install sdksio-verizon-apis-sdk (or set PYTHON)" >&2; exit 1; }

sim_out=$(mktemp)
"$bin/fota-bench" bulk --serve --latency-ms "$latency" >"$sim_out" 2>/dev/null &
sim_pid=$!
trap 'kill "$sim_pid" 2>/dev/null || true; rm -f "$sim_out"' EXIT
for _ in $(seq 1 100); do [ -s "$sim_out" ] && break; sleep 0.1; done
[ -s "$sim_out" ] || { echo "the simulator did not start" >&2; exit 1; }
creds=$(head -n 1 "$sim_out")
field() { printf '%s' "$creds" | "$python" -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
endpoint=$(field endpoint)
account=$(field account)
export THINGSPACE_CLIENT_ID=$(field clientId) THINGSPACE_CLIENT_SECRET=$(field clientSecret)
export THINGSPACE_USERNAME=$(field username) THINGSPACE_PASSWORD=$(field password)

memory_flag=()
[ "${BULK_SKIP_MEMORY:-0}" = 1 ] && memory_flag=(--skip-memory)
swift_out=$("$bin/fota-bench" bulk --endpoint "$endpoint" --account "$account" --devices "$devices" \
  --latency-ms "$latency" "${memory_flag[@]}")
echo "$swift_out"

upgrade=$("$bin/fota-bench" bulk --endpoint "$endpoint" --account "$account" --schedule-only)
sdk_out=$("$python" scripts/bench/sdk_bulk.py --endpoint "$endpoint" --account "$account" --upgrade-id "$upgrade" \
  --devices "$devices")
echo "$sdk_out"

swift_s=$(printf '%s\n' "$swift_out" | sed -n 's/^bulk.wall_seconds=//p')
sdk_s=$(printf '%s\n' "$sdk_out" | sed -n 's/^sdk.wall_seconds=//p')
"$python" -c "print(f'bulk append of $devices devices at ${latency} ms: Swift {float($swift_s):.3f} s, Python SDK {float($sdk_s):.3f} s, SDK/Swift = {float($sdk_s)/float($swift_s):.1f}x')"
