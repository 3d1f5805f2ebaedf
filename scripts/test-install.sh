#!/usr/bin/env bash
# Checks scripts/install.sh end to end: installs into a temporary prefix, checks that
# the binary needs no library from the Swift toolchain and only the runtime packages
# README.md names, moves the installed tree elsewhere and runs it from there
# (--version, an installed example under --simulate, a one-shot command with JSON
# output, the manual pages, the completions). Run by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
ensure_packages "${FOTA_BUILD_PACKAGES[@]}" binutils man-db jq

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0
checks=0
check() { # check DESCRIPTION COMMAND…: runs the command, reports it
    checks=$((checks + 1))
    if "${@:2}" >"$work/out" 2>&1; then
        echo "ok: $1"
    else
        echo "FAILED: $1"; sed 's/^/    /' "$work/out" | head -20
        failures=$((failures + 1))
    fi
}

echo "== install into a temporary prefix"
scripts/install.sh --prefix "$work/first" | tail -2

fota="$work/first/bin/fota"
ldd "$fota" >"$work/ldd"
libraries_outside_system() { ! grep -E -i 'swift|foundation|icu|not found|/opt/' "$work/ldd"; }
check "ldd lists no library of the Swift toolchain (Foundation and the standard library are static)" libraries_outside_system
no_toolchain_runpath() { ! readelf -d "$fota" | grep -E 'R(UN)?PATH' | grep -q -i swift; }
check "no run path into the Swift toolchain" no_toolchain_runpath
# The Debian packages of the libraries it links: README.md names them as the runtime needs.
runtime_packages_documented() {
    local lib pkg missing=0
    for lib in $(awk '/=>/ { print $3 }' "$work/ldd"); do
        pkg="$(dpkg -S "$(realpath "$lib")" 2>/dev/null | head -1 | cut -d: -f1)" || true
        [ -n "$pkg" ] || pkg="$(dpkg -S "$lib" 2>/dev/null | head -1 | cut -d: -f1)" || true
        if [ -z "$pkg" ]; then echo "$lib: no Debian package owns it"; missing=1; continue; fi
        grep -q -- "\`$pkg\`" README.md || { echo "$lib comes from $pkg, which README.md does not name"; missing=1; }
    done
    return "$missing"
}
check "every linked library comes from a runtime package README.md names" runtime_packages_documented

echo "== the installed tree, moved to another folder"
mv "$work/first" "$work/moved"
prefix="$work/moved"
fota="$prefix/bin/fota"
home="$work/home"
mkdir -p "$home"
# A clean environment: no credentials, no profile, a HOME of its own (rehearsal journal there).
run() { env -i PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 "$@"; }

version_says_all() {
    run "$fota" --version >"$work/version"
    cat "$work/version"
    grep -Eq '^fota [0-9]+\.[0-9]+\.[0-9]+$' "$work/version" &&
        grep -Eq "^commit: $(git rev-parse --short=12 HEAD)" "$work/version" &&
        grep -Eq '^lua: Lua 5\.4\.[0-9]+$' "$work/version" &&
        grep -Eq '^swift: .*Swift version [0-9]' "$work/version"
}
check "fota --version names the version, commit, Lua and Swift" version_says_all

installed_example() {
    run "$fota" run --simulate "$prefix/share/doc/fota/examples/canary.lua" --count 3 --start 2026-03-10
}
check "fota run --simulate on an installed example" installed_example

upgrades_json() {
    run "$fota" upgrades --simulate -o json | jq -e 'type == "array"'
}
check "fota upgrades --simulate -o json parses with jq" upgrades_json
devices_json() {
    run "$fota" devices --simulate --sim-devices 30 --eligible -o json |
        jq -e 'length > 0 and all(.[]; .fotaEligible == true) and (.[0] | keys == (keys | sort))'
}
check "fota devices --simulate -o json: filtered, keys sorted" devices_json

help_points_at_installed_docs() {
    run "$fota" help run | tr -s ' \n' ' ' | grep -F "$prefix/share/doc/fota/lua-api.md"
}
check "fota help run points at the installed lua-api.md (after the move)" help_points_at_installed_docs

man_pages() {
    run env MANPAGER=cat man -l "$prefix/share/man/man1/fota.1" 2>/dev/null | grep -q "fota run" &&
        run env MANPATH="$prefix/share/man" MANPAGER=cat man fota-run 2>/dev/null | grep -q -- "--simulate" &&
        run env MANPATH="$prefix/share/man" MANPAGER=cat man fota-upgrades 2>/dev/null | grep -q -- "--status"
}
check "man -l fota.1, and man fota-run / fota-upgrades through MANPATH" man_pages
man_beside_path() { # man-db looks for PREFIX/share/man beside each PATH folder
    env -i PATH="$prefix/bin:/usr/bin:/bin" HOME="$home" MANPAGER=cat man fota-cancel 2>/dev/null | grep -q -- "--dry-run"
}
check "man fota-cancel with only PREFIX/bin on PATH" man_beside_path

completions() {
    run bash -c "source '$prefix/share/bash-completion/completions/fota' && complete -p fota" &&
        grep -q "upgrades" "$prefix/share/zsh/site-functions/_fota" &&
        grep -q "upgrades" "$prefix/share/fish/vendor_completions.d/fota.fish"
}
check "bash, zsh and fish completions installed, with the subcommands" completions

docs_installed() {
    for f in README.md lua-api.md fota.d.lua simulator.md examples/canary.lua; do
        [ -s "$prefix/share/doc/fota/$f" ] || { echo "missing share/doc/fota/$f"; return 1; }
    done
}
check "the docs and examples are in share/doc/fota" docs_installed

echo "$((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
