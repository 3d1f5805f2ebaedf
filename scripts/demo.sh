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

echo
echo "== fota run examples/waves.lua 23   (plan a staged rollout)"
"$fota" run examples/waves.lua 23

echo
echo "== a script that runs away is stopped by the sandbox (exit status 3)"
set +e
"$fota" run --cpu-limit 1 examples/runaway.lua
echo "exit status: $?"
