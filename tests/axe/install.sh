#!/usr/bin/env bash
# Install axe-core (pinned in package.json and package-lock.json beside this script), the
# accessibility engine the studio's browser test runs, into a cache folder outside the
# checkout, once. Only the npm registry is used.
#
#   bash tests/axe/install.sh           install unless already there; print the folder
#   bash tests/axe/install.sh --where   print the folder only
#
# The folder is $AXE_TEST_DIR when set, else
#   ${XDG_CACHE_HOME:-$HOME/.cache}/campaign-test/axe/axe-core-<version>-<digest>
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if [ -n "${AXE_TEST_DIR:-}" ]; then
  dir="$AXE_TEST_DIR"
else
  version="$(sed -n 's/.*"axe-core": *"\([^"]*\)".*/\1/p' "$here/package.json" | head -1)"
  digest="$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -c1-12)"
  dir="${XDG_CACHE_HOME:-$HOME/.cache}/campaign-test/axe/axe-core-$version-$digest"
fi

if [ "${1:-}" = "--where" ]; then
  echo "$dir"
  exit 0
fi
if [ -f "$dir/node_modules/axe-core/axe.min.js" ]; then
  echo "$dir"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "npm is needed to install axe-core (apt-get install npm)" >&2
  exit 1
fi

parent="$(dirname "$dir")"
mkdir -p "$parent"
tmp="$(mktemp -d "$parent/.installing-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$tmp/"
(cd "$tmp" && npm ci --no-audit --no-fund --loglevel=error >&2)
test -f "$tmp/node_modules/axe-core/axe.min.js"
if mv -T "$tmp" "$dir" 2>/dev/null; then
  trap - EXIT
fi  # else another install finished first: keep it, drop ours
echo "$dir"
