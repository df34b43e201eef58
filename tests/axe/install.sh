#!/usr/bin/env bash
# Install axe-core (pinned in package.json and package-lock.json beside this script), the
# accessibility engine the studio's browser test runs, into a cache folder outside the
# checkout, once (see tests/npm-install.sh).
#
#   bash tests/axe/install.sh           install unless already there; print the folder
#   bash tests/axe/install.sh --where   print the folder only
#
# The folder is $AXE_TEST_DIR when set, else
#   ${XDG_CACHE_HOME:-$HOME/.cache}/campaign-test/axe/axe-core-<version>-<digest>
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../npm-install.sh"

if [ -n "${AXE_TEST_DIR:-}" ]; then
  dir="$AXE_TEST_DIR"
else
  version="$(sed -n 's/.*"axe-core": *"\([^"]*\)".*/\1/p' "$here/package.json" | head -1)"
  dir="${XDG_CACHE_HOME:-$HOME/.cache}/campaign-test/axe/axe-core-$version-$(npm_pin_digest "$here")"
fi
if [ "${1:-}" = "--where" ]; then
  echo "$dir"
  exit 0
fi
npm_install_once "$here" "$dir" node_modules/axe-core/axe.min.js
