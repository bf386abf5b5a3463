#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for the tests (tests/pg/tests.cmake: the fixture `pg`).
#   pg_server.sh start DIR SOCKDIR   initdb into DIR/data, listen on a Unix socket in SOCKDIR only
#                                    (no TCP), wait until it accepts connections
#   pg_server.sh stop  DIR SOCKDIR   stop it (fast shutdown) and remove its data
#   pg_server.sh standby DIR SOCKDIR PRIMARY_SOCKDIR
#                                    a streaming hot standby of the server on PRIMARY_SOCKDIR
#                                    (pg_basebackup -R: a copy of its data that follows its WAL),
#                                    on its own socket in SOCKDIR; `stop` stops it as any other
# The superuser is `custodian`, local connections are trusted (the socket's folder is the
# fence), fsync is off (a test server: its data is thrown away). initdb and the server refuse
# to run as root: as root they run as `nobody` (setpriv), which owns DIR/data and SOCKDIR.
# The server binaries: $PGBIN, else /usr/lib/postgresql/15/bin (Debian's postgresql-15).
set -euo pipefail

usage="usage: pg_server.sh start|stop DIR SOCKDIR | standby DIR SOCKDIR PRIMARY_SOCKDIR"
cmd=${1:?$usage}
dir=${2:?$usage}
sock=${3:?$usage}
pgbin=${PGBIN:-/usr/lib/postgresql/15/bin}

if [ ! -x "$pgbin/pg_ctl" ]; then
  echo "pg_server: no PostgreSQL 15 server binaries in $pgbin (scripts/bootstrap installs postgresql-15)" >&2
  exit 1
fi

as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  if ! setpriv --reuid=nobody --regid=nogroup --clear-groups true 2>/dev/null; then
    echo "pg_server: running as root and cannot become 'nobody' (setpriv failed): the PostgreSQL tests are skipped" >&2
    exit 77
  fi
  as_owner=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi

# As root, the data and the socket live in a folder of their own under /tmp (DIR/data and
# SOCKDIR are links to it): `nobody` may not be able to reach the build tree (a clone under
# /root, say), while the tests, as root, reach anything.
stop() {
  local data
  data=$(readlink -f "$dir/data" 2>/dev/null || true)
  if [ -n "$data" ] && [ -f "$data/postmaster.pid" ]; then
    (cd / && "${as_owner[@]}" "$pgbin/pg_ctl" -D "$data" -m fast -w -t 60 stop) >/dev/null ||
      (cd / && "${as_owner[@]}" "$pgbin/pg_ctl" -D "$data" -m immediate -w stop) >/dev/null || true
  fi
  case $data in
  /tmp/custodian-pg.*/data) rm -rf "${data%/data}" ;;
  esac
  rm -rf "$dir/data" "$sock"
}

# The folders of a new server: DIR/data, SOCKDIR and DIR/log, or (as root) a folder of its own
# under /tmp owned by `nobody` that they link to. Sets data, sockdir and log.
make_dirs() {
  mkdir -p "$dir"
  stop # a server left by a run that was killed
  mkdir -p "$dir/log"
  data="$dir/data" sockdir="$sock" log="$dir/log"
  if [ ${#as_owner[@]} -gt 0 ]; then
    home=$(mktemp -d /tmp/custodian-pg.XXXXXX)
    chmod 755 "$home"
    data="$home/data" sockdir="$home/sock" log="$home/log"
    mkdir -p "$data" "$sockdir" "$log"
    chown nobody:nogroup "$data" "$sockdir" "$log"
    ln -sfn "$data" "$dir/data"
    rm -rf "$sock"
    ln -sfn "$sockdir" "$sock"
  else
    mkdir -p "$data" "$sockdir"
  fi
  chmod 700 "$data"
}

# Start the server on $data: no TCP (listen_addresses empty), only the socket in $sockdir.
start_server() {
  if ! (cd / && "${as_owner[@]}" "$pgbin/pg_ctl" -D "$data" -l "$log/server.log" -w -t 60 \
    -o "-c listen_addresses= -k $sockdir -c fsync=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null); then
    cat "$log/server.log" >&2
    exit 1
  fi
}

case "$cmd" in
start)
  make_dirs
  cd /
  "${as_owner[@]}" "$pgbin/initdb" -D "$data" -U custodian -A trust -E UTF8 --locale=C \
    --no-sync >"$dir/log/initdb.log" 2>&1 || {
    cat "$dir/log/initdb.log" >&2
    exit 1
  }
  start_server
  echo "pg_server: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on $sock"
  ;;
standby)
  primary=${4:?$usage}
  primary=$(readlink -f "$primary")
  make_dirs
  cd /
  # a copy of the primary's data, the WAL written meanwhile streamed with it (-X stream), and
  # -R: standby.signal plus primary_conninfo (the primary's socket), so it follows the primary
  "${as_owner[@]}" "$pgbin/pg_basebackup" -D "$data" -h "$primary" -U custodian -R -X stream \
    -c fast --no-sync >"$dir/log/basebackup.log" 2>&1 || {
    cat "$dir/log/basebackup.log" >&2
    exit 1
  }
  chmod 700 "$data"
  start_server
  echo "pg_server: standby of $primary on $sock"
  ;;
stop)
  stop
  echo "pg_server: stopped"
  ;;
*)
  echo "$usage" >&2
  exit 2
  ;;
esac
