# shellcheck shell=bash
# A Python virtual environment with exactly the packages in scripts/requirements.txt
# (pytest and pexpect for the terminal tests, the official Verizon SDK for the interop
# check and the bulk benchmark). Source it, then call python_env; it prints the path of
# the environment's python and reinstalls when the requirements file changes.
python_env() {
    local root venv stamp
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    venv="$root/.build/venv-python"
    stamp="$venv/requirements.txt"
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv" >&2
    if ! cmp -s "$root/scripts/requirements.txt" "$stamp"; then
        "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/scripts/requirements.txt" >&2
        cp "$root/scripts/requirements.txt" "$stamp"
    fi
    echo "$venv/bin/python"
}
