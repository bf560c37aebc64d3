#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, on the loopback address only.
#
#   bash scripts/postgres.sh start   # initdb + start in a temp dir; prints the DATABASE_URL
#   bash scripts/postgres.sh url     # prints it again (fails if not running)
#   bash scripts/postgres.sh stop    # stops the server and removes the dir
#
# The cluster lives in a fresh `mktemp -d` directory (data, log, unix socket),
# listens on 127.0.0.1:${TWOSTEP_PG_PORT:-55432}, trusts local connections (it
# holds test data only) and is owned by an unprivileged user: initdb refuses
# to run as root, so as root the server runs as `postgres` (Debian's package
# creates it) via runuser. Under CI=true a missing PostgreSQL is installed
# with apt-get. Every wait is bounded.
set -euo pipefail

port=${TWOSTEP_PG_PORT:-55432}
# Where `start` notes the temp dir, for `url` and `stop`.
pointer="${TMPDIR:-/tmp}/twostep-postgres-$port.dir"
db=twostep
role=twostep

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# The directory with initdb and pg_ctl: the newest Debian cluster version,
# else whatever PATH has.
bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$d" ] && [ -x "$d/initdb" ]; then
    echo "$d"
  elif command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    dirname "$(command -v initdb)"
  fi
}

install_if_missing() {
  if [ -n "$(bindir)" ]; then
    return
  fi
  if [ "${CI:-}" = true ] && [ "$(id -u)" = 0 ]; then
    log "PostgreSQL missing: installing it (apt-get install -y postgresql)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    # No default cluster: the package would otherwise create one and may
    # start it on port 5432, a server nobody stops.
    apt-get install -y -qq postgresql-common >&2
    sed -ri 's/^#?[[:space:]]*create_main_cluster[[:space:]]*=.*/create_main_cluster = false/' \
      /etc/postgresql-common/createcluster.conf
    apt-get install -y -qq postgresql >&2
    [ -n "$(bindir)" ] || die "postgresql installed, but no initdb found"
  else
    die "PostgreSQL not found (apt-get install postgresql; CI=true installs it)"
  fi
}

# Runs a command as the cluster's owner: ourselves, or `postgres` for root.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' user to own the cluster"
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

url() { echo "postgres://$role@127.0.0.1:$port/$db"; }

running() {
  [ -f "$pointer" ] && [ -d "$(cat "$pointer")/data" ] &&
    as_owner "$(bindir)/pg_ctl" -D "$(cat "$pointer")/data" status >/dev/null 2>&1
}

start() {
  install_if_missing
  if running; then
    log "already running in $(cat "$pointer")"
    url
    return
  fi
  local bin dir
  bin=$(bindir)
  dir=$(mktemp -d "${TMPDIR:-/tmp}/twostep-postgres.XXXXXX")
  echo "$dir" >"$pointer"
  mkdir "$dir/sock"
  chmod 700 "$dir" "$dir/sock"
  if [ "$(id -u)" = 0 ]; then
    chown -R postgres: "$dir"
  fi
  log "initdb in $dir (port $port)"
  as_owner "$bin/initdb" -D "$dir/data" -U "$role" --auth=trust --encoding=UTF8 \
    --locale=C --no-sync >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  # -w -t: wait for the server to accept connections, at most 60 s.
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/sock -c max_connections=100" start >&2 ||
    { cat "$dir/server.log" >&2; stop; die "the server did not start"; }
  local tries=0
  until as_owner "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -t 2; do
    tries=$((tries + 1))
    [ "$tries" -lt 30 ] || { stop; die "the server is not ready after 30 tries"; }
    sleep 1
  done
  as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U "$role" "$db"
  log "ready"
  url
}

stop() {
  [ -f "$pointer" ] || { log "not running"; return 0; }
  local dir
  dir=$(cat "$pointer")
  if [ -d "$dir/data" ] && [ -n "$(bindir)" ]; then
    as_owner "$(bindir)/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >&2 ||
      log "pg_ctl stop failed (already stopped?)"
  fi
  # Only ever the directory this script made.
  case "$dir" in
  "${TMPDIR:-/tmp}"/twostep-postgres.*) rm -rf -- "$dir" ;;
  *) log "not removing unexpected directory $dir" ;;
  esac
  rm -f -- "$pointer"
  log "stopped"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
url) running || die "not running (bash scripts/postgres.sh start)"; url ;;
*) die "usage: $0 start|stop|url" ;;
esac
