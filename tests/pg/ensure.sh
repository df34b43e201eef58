#!/usr/bin/env bash
# A real PostgreSQL for the tests; prints its URL (what scripts/test exports as PG_TEST_DSN).
#
#   bash tests/pg/ensure.sh          this machine's server at 127.0.0.1:5432 (trust auth, database
#                                    `test`) when it answers; else a private cluster, started on a
#                                    free port (Debian's `postgresql` installed first when missing)
#   bash tests/pg/ensure.sh --stop   stop the private cluster
#   PG_TEST_PRIVATE=1                always use the private cluster (what a fresh machine does)
#
# The private cluster lives outside the checkout and is kept between runs (stop it with --stop):
# ${XDG_CACHE_HOME:-$HOME/.cache}/campaign-test/pg/<major>/ (data/, log, port, run/ for its socket),
# or /var/cache/campaign-test/pg/<major>/ as root. PostgreSQL refuses to run as root: as root the
# cluster belongs to, and runs as, the `postgres` user that Debian's package creates.
# Everything but the URL goes to stderr.
set -euo pipefail

say() { echo "tests/pg: $*" >&2; }

answers() { # URL -> exit 0 when a server takes it
  python3 - "$1" <<'PY' >/dev/null 2>&1
import sys
import psycopg
psycopg.connect(sys.argv[1], connect_timeout=3).close()
PY
}

if [ "${1:-}" != "--stop" ] && [ -z "${PG_TEST_PRIVATE:-}" ]; then
  for role in postgres "$(id -un)"; do
    url="postgresql://$role@127.0.0.1:5432/test"
    if answers "$url"; then
      echo "$url"
      exit 0
    fi
  done
fi

bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  [ "${1:-}" = "--stop" ] && exit 0
  say "installing Debian's postgresql (no server at 127.0.0.1:5432, no PostgreSQL binaries)"
  if [ "$(id -u)" = 0 ]; then APT=(apt-get); else APT=(sudo apt-get); fi
  "${APT[@]}" update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y -qq postgresql >&2
  bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
fi
major="$(basename "$(dirname "$bindir")")"

if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || { say "as root the cluster runs as the user postgres, which does not exist"; exit 1; }
  base="/var/cache/campaign-test/pg/$major"
  as_owner() { (cd / && runuser -u postgres -- "$@"); }
  mkdir -p "$base"
  chown postgres: "$base"
else
  base="${XDG_CACHE_HOME:-$HOME/.cache}/campaign-test/pg/$major"
  as_owner() { (cd / && "$@"); }
  mkdir -p "$base"
fi
data="$base/data"

exec 9>"$base/.lock"  # one ensure.sh at a time per cluster
flock 9

if [ "${1:-}" = "--stop" ]; then
  if [ -f "$data/postmaster.pid" ]; then
    as_owner "$bindir/pg_ctl" -D "$data" -m fast -w stop >&2
  fi
  exit 0
fi

if [ ! -f "$data/PG_VERSION" ]; then
  say "creating a private cluster in $data"
  as_owner "$bindir/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
fi

port="$(cat "$base/port" 2>/dev/null || true)"
url="postgresql://postgres@127.0.0.1:${port:-0}/test"
if [ -z "$port" ] || ! as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  as_owner mkdir -p "$base/run"
  say "starting it on 127.0.0.1:$port (log: $base/log)"
  # fsync off: a test cluster, thrown away rather than recovered after a power cut
  # (9>&-: the server must not inherit, and so hold for ever, the lock of this script)
  as_owner "$bindir/pg_ctl" -D "$data" -l "$base/log" -w -t 60 start \
    -o "-c port=$port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$base/run -c fsync=off -c max_connections=200" \
    >&2 9>&-
  echo "$port" >"$base/port.tmp" && mv "$base/port.tmp" "$base/port"
  url="postgresql://postgres@127.0.0.1:$port/test"
fi

if ! answers "$url"; then
  as_owner "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres test >&2
fi
answers "$url" || { say "the private cluster does not answer at $url (see $base/log)"; exit 1; }
echo "$url"
