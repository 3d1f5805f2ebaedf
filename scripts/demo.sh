#!/usr/bin/env bash
# Installs what is missing, builds fota, and runs the example scripts.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
ensure_packages "${FOTA_BUILD_PACKAGES[@]}"

echo "== building fota (a cold build takes about 5 minutes on 2 cores)"
log="$(mktemp)"
if ! swift build --product fota >"$log" 2>&1; then
    grep -E "error:" "$log" | head -50 || tail -50 "$log"
    echo "build failed (full log: $log)" >&2
    exit 1
fi
fota="$(swift build --show-bin-path)/fota"

echo
echo "== fota run examples/hello.lua canary --count 5"
"$fota" run examples/hello.lua canary --count 5

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo
echo "== fota run --simulate examples/canary.lua --count 5   (a seeded canary on the built-in simulator)"
"$fota" run --simulate --journal "$work/journal.jsonl" examples/canary.lua --count 5 --seed 1
echo "-- the journal: one intent and one outcome line per change"
cat "$work/journal.jsonl"

echo
echo "== fota run --simulate --dry-run examples/canary.lua   (the same, nothing sent: the plan is on stderr)"
"$fota" run --simulate --dry-run --journal "$work/journal.jsonl" examples/canary.lua --count 5 --seed 1 >/dev/null

echo
echo "== fota run --simulate --out DIR examples/report.lua --demo   (upgrades per status, devices CSV)"
"$fota" run --simulate --journal "$work/journal.jsonl" --out "$work/out" examples/report.lua --demo
for csv in "$work"/out/*.csv; do
    echo "-- first lines of $(basename "$csv")"
    head -n 4 "$csv"
done

echo
echo "== fota run --simulate --timeline waves.csv examples/waves.lua --model T10 --count 200"
echo "   (a canary, then waves, each gated on the one before; a month passes in seconds)"
"$fota" run --simulate --journal "$work/journal.jsonl" --timeline "$work/waves.csv" examples/waves.lua --model T10 --count 200

echo
echo "== the same with a bad image: 30 % of devices fail, so the canary halts the rollout (exit status 2)"
set +e
"$fota" run --simulate --sim-failure-rate 0.3 --journal "$work/journal.jsonl" examples/waves.lua --model T10 --count 200
echo "exit status: $?"
set -e

echo
echo "== a script that runs away is stopped by the sandbox (exit status 3)"
set +e
"$fota" run --cpu-limit 1 examples/runaway.lua
echo "exit status: $?"
