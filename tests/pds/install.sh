#!/usr/bin/env bash
# Install the real Bluesky PDS the tests run (@atproto/dev-env, pinned in package.json and
# package-lock.json beside this script) into a cache folder outside the checkout, once.
#
#   bash tests/pds/install.sh           install unless already there; print the folder
#   bash tests/pds/install.sh --where   print the folder only
#
# The folder is $PDS_TEST_DIR when set, else
#   ${XDG_CACHE_HOME:-$HOME/.cache}/campaign-test/pds/dev-env-<version>-node<ABI>-<digest>
# keyed by the dev-env version, Node's module ABI (better-sqlite3 is compiled for it) and a
# digest of package.json + package-lock.json, so a changed pin installs afresh beside the old.
# The install itself is tests/npm-install.sh's.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

. "$here/../npm-install.sh"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "node and npm are needed for the real-PDS test (Node 20: apt-get install nodejs npm)" >&2
  exit 1
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 18 ]; then
  echo "the real-PDS test needs Node 18 or later (20 is what it is run with); found $(node --version)" >&2
  exit 1
fi

if [ -n "${PDS_TEST_DIR:-}" ]; then
  dir="$PDS_TEST_DIR"
else
  version="$(node -p "require('$here/package.json').dependencies['@atproto/dev-env']")"
  abi="$(node -p 'process.versions.modules')"
  dir="${XDG_CACHE_HOME:-$HOME/.cache}/campaign-test/pds/dev-env-$version-node$abi-$(npm_pin_digest "$here")"
fi

if [ "${1:-}" = "--where" ]; then
  echo "$dir"
  exit 0
fi

# better-sqlite3 is compiled on install: check it loads before the folder is kept.
sqlite_loads() {
  node -e "require('$1/node_modules/better-sqlite3')(':memory:').close()" \
    || { echo "better-sqlite3 did not build for $(node --version)" >&2; return 1; }
}
npm_install_once "$here" "$dir" node_modules/@atproto/dev-env/package.json sqlite_loads
