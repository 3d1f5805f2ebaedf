# shellcheck shell=bash
# Installs the Debian packages fota needs when they are missing, so a fresh
# machine (or CI) needs nothing done by hand. Source it, then call
# ensure_packages PKG…
ensure_packages() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "Installing missing packages: ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# What building and testing fota needs.
FOTA_BUILD_PACKAGES=(liblua5.4-dev libedit-dev pkg-config)
