# Shared by tests/pds/install.sh and tests/axe/install.sh (source it): install a pinned
# package.json + package-lock.json into a cache folder outside the checkout, once. The install
# goes to a temporary folder renamed into place when complete, so an interrupted install is
# never mistaken for a finished one. Only the npm registry is used.

# The digest that keys a cache folder: a changed pin installs afresh beside the old one.
npm_pin_digest() {
  cat "$1/package.json" "$1/package-lock.json" | sha256sum | cut -c1-12
}

# npm_install_once HERE DIR MARKER [CHECK ...]: unless DIR/MARKER exists, `npm ci` HERE's pins
# into DIR, then run CHECK (if given) with the fresh folder as its last argument. Prints DIR.
npm_install_once() {
  local here="$1" dir="$2" marker="$3"
  shift 3
  if [ -f "$dir/$marker" ]; then
    echo "$dir"
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "npm is needed to install $(basename "$here")'s test tools (apt-get install nodejs npm)" >&2
    return 1
  fi
  local parent
  parent="$(dirname "$dir")"
  mkdir -p "$parent"
  _npm_tmp="$(mktemp -d "$parent/.installing-XXXXXX")"
  trap 'rm -rf "$_npm_tmp"' EXIT
  cp "$here/package.json" "$here/package-lock.json" "$_npm_tmp/"
  local start=$SECONDS
  (cd "$_npm_tmp" && npm ci --no-audit --no-fund --loglevel=error >&2)
  test -f "$_npm_tmp/$marker"
  if [ $# -gt 0 ]; then
    "$@" "$_npm_tmp"
  fi
  if mv -T "$_npm_tmp" "$dir" 2>/dev/null; then
    trap - EXIT
    echo "installed $(basename "$dir") in $((SECONDS - start)) s" >&2
  fi  # else another install finished first: keep it, drop ours
  echo "$dir"
}
