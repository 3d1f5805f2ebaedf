#!/usr/bin/env bash
# Installs fota for people who keep it: a release build (static Swift standard
# library and Foundation), bin/fota, a manual page per command, bash/zsh/fish
# completions and the docs with the examples.
#
#   scripts/install.sh [--prefix DIR]      (default ~/.local)
#
# The installed tree needs only Debian's runtime packages listed in README.md
# (Installing) and may be moved or copied as a whole.
set -euo pipefail
prefix="$HOME/.local"
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a folder" >&2; exit 64; }; prefix="$2"; shift 2 ;;
        --prefix=*) prefix="${1#*=}"; shift ;;
        -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown argument '$1' (usage: scripts/install.sh [--prefix DIR])" >&2; exit 64 ;;
    esac
done
[ -n "$prefix" ] || { echo "install.sh: --prefix must not be empty" >&2; exit 64; }
prefix="$(realpath -m "$prefix")" # the build below runs from the repository's root
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
ensure_packages "${FOTA_BUILD_PACKAGES[@]}" binutils # binutils: strip
source scripts/lib/release.sh

echo "== release build in $RELEASE_SCRATCH (a cold one takes 5-10 minutes)"
release_build fota
built="$(release_bin)/fota"

echo "== manual pages (swift-argument-parser's generate-manual)"
# `--help` makes the plugin build its tool without building the package again in other
# flags; the tool then reads the release binary's own argument definitions.
swift package --scratch-path "$RELEASE_SCRATCH" plugin generate-manual --help >/dev/null
tool="$(find "$RELEASE_SCRATCH" -name generate-manual-tool -type f -perm -u+x | head -1)"
[ -n "$tool" ] || { echo "install.sh: the generate-manual tool was not built" >&2; exit 1; }
pages="$(mktemp -d)"
trap 'rm -rf "$pages"' EXIT
"$tool" "$built" --multi-page --output-directory "$pages" >/dev/null

echo "== installing into $prefix"
install -d "$prefix/bin" "$prefix/share/man/man1" "$prefix/share/doc/fota" \
    "$prefix/share/bash-completion/completions" "$prefix/share/zsh/site-functions" "$prefix/share/fish/vendor_completions.d"
# Through a temporary name: a fota that is running keeps its file.
install -m 0755 -s "$built" "$prefix/bin/.fota.new"
mv -f "$prefix/bin/.fota.new" "$prefix/bin/fota"

# generate-manual names a subcommand's page fota.run.1; man finds `man fota-run` as fota-run.1.
rm -f "$prefix"/share/man/man1/fota.1 "$prefix"/share/man/man1/fota-*.1
for page in "$pages"/*.1; do
    name="$(basename "$page" .1)"
    dashed="${name//./-}"
    sed "s/^\.Dt ${name^^} /.Dt ${dashed^^} /" "$page" >"$prefix/share/man/man1/$dashed.1"
done

"$prefix/bin/fota" --generate-completion-script bash >"$prefix/share/bash-completion/completions/fota"
"$prefix/bin/fota" --generate-completion-script zsh >"$prefix/share/zsh/site-functions/_fota"
"$prefix/bin/fota" --generate-completion-script fish >"$prefix/share/fish/vendor_completions.d/fota.fish"

docs="$prefix/share/doc/fota"
rm -rf "$docs/examples"
install -m 0644 README.md docs/*.md docs/fota.d.lua "$docs/"
cp -R examples "$docs/examples"
chmod -R a+rX "$docs"

echo "installed fota $("$prefix/bin/fota" --version | head -1 | cut -d' ' -f2) ($(ls "$prefix/share/man/man1" | grep -c '^fota') manual pages)"
case ":$PATH:" in
    *":$prefix/bin:"*) ;;
    *) echo "add $prefix/bin to PATH (man then finds $prefix/share/man by itself)" ;;
esac
