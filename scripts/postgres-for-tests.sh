#!/usr/bin/env bash
# Prints a PostgreSQL connection string for the tests, starting a throwaway server when needed.
#
#   export TEST_POSTGRES_CONNECTION="$(scripts/postgres-for-tests.sh)"
#   scripts/postgres-for-tests.sh --stop      # stops the server this script started (and deletes its files)
#
# When TEST_POSTGRES_CONNECTION is already set it is printed unchanged. Otherwise: installs Debian's `postgresql`
# with apt when running as root (else says what to install), creates a cluster in a temporary directory with the
# server binaries under /usr/lib/postgresql/*/bin (run as the `postgres` user when we are root: the server refuses
# to run as root), starts it on a free port on 127.0.0.1 and creates a database. The server keeps running for
# later test runs; its directory is remembered in ${TMPDIR:-/tmp}/streaming-test-postgres.
# Only the connection string goes to stdout; progress goes to stderr.
set -euo pipefail

state="${TMPDIR:-/tmp}/streaming-test-postgres"

if [ "${1:-}" = "--stop" ]; then
  if [ -f "$state/dir" ]; then
    dir="$(cat "$state/dir")"
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$(cat "$state/bin")/pg_ctl" -D "$dir/data" -m fast stop >&2 || true
    else "$(cat "$state/bin")/pg_ctl" -D "$dir/data" -m fast stop >&2 || true; fi
    rm -rf "$dir" "$state"
  fi
  exit 0
fi

if [ -n "${TEST_POSTGRES_CONNECTION:-}" ]; then
  echo "$TEST_POSTGRES_CONNECTION"
  exit 0
fi

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

bin="$(find_bin)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "Installing the OS package postgresql..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    bin="$(find_bin)"
  else
    echo "error: PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin." >&2
    echo "       install them with: sudo apt-get install -y postgresql   (or set TEST_POSTGRES_CONNECTION)" >&2
    exit 1
  fi
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Reuse the server a previous run started, if it still answers.
if [ -f "$state/connection" ] && [ -f "$state/port" ] && "$bin/pg_isready" -q -h 127.0.0.1 -p "$(cat "$state/port")" 2>/dev/null; then
  cat "$state/connection"
  exit 0
fi

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
dir="$(mktemp -d "${TMPDIR:-/tmp}/streaming-pg.XXXXXX")"
chmod 755 "$dir"
if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
password="test-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$password" > "$dir/pwfile"
if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir/pwfile"; fi
user="$(if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi)"

echo "Creating a throwaway PostgreSQL cluster in $dir (port $port)..." >&2
as_owner "$bin/initdb" -D "$dir/data" -U "$user" --pwfile="$dir/pwfile" -A scram-sha-256 -E UTF8 --locale=C >/dev/null
as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >&2
PGPASSWORD="$password" "$bin/psql" -h 127.0.0.1 -p "$port" -U "$user" -d postgres -q -c "CREATE DATABASE status_tests" >&2

connection="Host=127.0.0.1;Port=$port;Database=status_tests;Username=$user;Password=$password"
mkdir -p "$state"
echo "$dir" > "$state/dir"
echo "$bin" > "$state/bin"
echo "$port" > "$state/port"
echo "$connection" > "$state/connection"
echo "$connection"
