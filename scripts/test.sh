#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, runs the Swift test suites
# and the simulator interop check with the official Python SDK.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
ensure_packages "${FOTA_BUILD_PACKAGES[@]}" python3-venv

echo "== building (a cold build takes about 5 minutes on 2 cores)"
log="$(mktemp)"
if ! swift build --build-tests >"$log" 2>&1; then
    grep -E "error:" "$log" | head -50 || tail -50 "$log"
    echo "build failed (full log: $log)" >&2
    exit 1
fi

echo "== swift test"
swift test --skip-build

if [ -x scripts/sim-interop.sh ]; then
    echo "== simulator interop with the official Verizon Python SDK"
    scripts/sim-interop.sh "$(swift build --show-bin-path)/fota"
fi
