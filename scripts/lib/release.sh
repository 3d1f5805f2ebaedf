# shellcheck shell=bash
# The one release build of fota, shared by bench.sh and install.sh so both
# reuse one build folder: static Swift standard library and Foundation, and a
# build stamp (commit, compiler) for `fota --version`. Source it, then call
# release_build PRODUCT…; the binaries land in "$(release_bin)".

RELEASE_SCRATCH="${RELEASE_SCRATCH:-.build-release}"

# The compiler flags of a release build; the same on every call, so the build
# folder is reused (a new commit changes the stamp header, not the flags).
release_flags() {
    local stamp_dir
    stamp_dir="$(pwd)/$RELEASE_SCRATCH/build-stamp"
    RELEASE_FLAGS=(-c release --static-swift-stdlib --scratch-path "$RELEASE_SCRATCH" -Xcc "-I$stamp_dir")
}

# Writes the stamp header that Sources/CFotaBuildInfo includes, only when it
# changes (an unchanged header keeps the build incremental).
release_stamp() {
    local stamp_dir="$RELEASE_SCRATCH/build-stamp"
    local commit swift_version tmp
    commit="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
    if [ "$commit" != unknown ] && ! git diff --quiet HEAD -- Package.swift Sources 2>/dev/null; then
        commit="$commit+modified" # built from a tree with uncommitted source changes
    fi
    swift_version="$(swift --version 2>/dev/null | grep -m1 'Swift version' || true)"
    mkdir -p "$stamp_dir"
    tmp="$(mktemp)"
    {
        echo "/* Written by scripts/lib/release.sh for one release build. */"
        printf '#define FOTA_BUILD_COMMIT "%s"\n' "${commit//\"/}"
        printf '#define FOTA_BUILD_SWIFT "%s"\n' "${swift_version//\"/}"
    } >"$tmp"
    if cmp -s "$tmp" "$stamp_dir/fota_build_stamp.h"; then rm -f "$tmp"; else mv "$tmp" "$stamp_dir/fota_build_stamp.h"; fi
}

release_build() {
    release_flags
    release_stamp
    local product
    for product in "$@"; do
        swift build "${RELEASE_FLAGS[@]}" --product "$product" >/dev/null
    done
}

release_bin() {
    echo "$RELEASE_SCRATCH/release"
}
