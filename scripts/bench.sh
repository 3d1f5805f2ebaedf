#!/usr/bin/env bash
# Runs every benchmark on a release build. Each prints fota's figure, a
# baseline measured in the same run, and their ratio. BENCHMARKS.md records
# the results with the machine they came from.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
ensure_packages "${FOTA_BUILD_PACKAGES[@]}" lua5.4 hyperfine python3-venv

source scripts/lib/release.sh
echo "== release build in $RELEASE_SCRATCH (a cold one takes 5-10 minutes)"
release_build fota-bench fota
bin="$(release_bin)"

echo "== bridge: 1,000,000 strings each way, against the raw C API"
"$bin/fota-bench" bridge

echo "== call overhead: 10,000,000 calls, against a C function"
"$bin/fota-bench" calls

echo "== start-up: fota run empty.lua against lua5.4 empty.lua"
empty="$(mktemp --suffix .lua)"
json="$(mktemp --suffix .json)"
hyperfine -N --warmup 20 --runs 200 --export-json "$json" \
    "$bin/fota run $empty" "lua5.4 $empty" >/dev/null
python3 - "$json" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["results"]
fota, lua = runs[0]["mean"], runs[1]["mean"]
ratio = fota / lua
print(f"start-up: fota {fota*1000:.2f} ms, lua5.4 {lua*1000:.2f} ms, ratio {ratio:.2f}x "
      f"(target <= 4.0x: {'meets' if ratio <= 4.0 else 'MISSES'})")
PY
rm -f "$empty" "$json"

echo "== simulator throughput: 100-device add/remove batches at concurrency 8"
"$bin/fota-bench" simulator

echo "== bulk append: 100,000 devices at 20 ms latency, against the official Python SDK; 1,000,000-device peak memory"
source scripts/lib/python.sh
BIN="$bin" PYTHON="$(python_env)" scripts/bench/bulk.sh --devices 100000 --latency-ms 20

echo "== end to end: fota run scripts against fota sim (append/remove at 20 and 100 ms, 1,000,000-device memory and journal, fota.devices() CPU, Python SDK loop and pool)"
"$(python_env)" scripts/bench/e2e.py --bin "$bin"
