#!/usr/bin/env bash
# A throwaway PostgreSQL 15 (Debian's package) on 127.0.0.1 for the catalogue tests and benchmarks. Idempotent.
# Data lives under $FERRY_SERVICES_DIR/postgres; durability is switched off (fsync, synchronous_commit) because the
# data is disposable. The role "ferry" may create databases: the test fixture gives every server its own.
# Prints the FERRY_DATABASE URL last.
set -euo pipefail
. "$(dirname "$0")/common.sh"
PG_PORT=${FERRY_PG_PORT:-54331}
R="$FERRY_SERVICES_DIR/postgres"
PGBIN=/usr/lib/postgresql/15/bin
[ -x "$PGBIN/initdb" ] && command -v psql >/dev/null || install postgresql-15 postgresql-client-15
mkdir -p "$R"; chown postgres:postgres "$R"
if [ ! -f "$R/data/PG_VERSION" ]; then
  runuser -u postgres -- "$PGBIN/initdb" -D "$R/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 > "$R/initdb.log"
fi
if ! runuser -u postgres -- "$PGBIN/pg_ctl" -D "$R/data" status >/dev/null 2>&1; then
  # Stale pid file from a killed machine: pg_ctl status says "not running", start would refuse.
  rm -f "$R/data/postmaster.pid"
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$R/data" -l "$R/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $R -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=128MB" \
    start > /dev/null
fi
psql_admin() { runuser -u postgres -- psql -h "$R" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
psql_admin -c "DO \$\$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname='ferry') THEN CREATE ROLE ferry LOGIN CREATEDB PASSWORD 'ferrypw'; END IF; END\$\$;"
psql_admin -c "SELECT 1 FROM pg_database WHERE datname='ferry'" | grep -q 1 || psql_admin -c "CREATE DATABASE ferry OWNER ferry"
echo "postgres on 127.0.0.1:$PG_PORT (pid $(head -1 "$R/data/postmaster.pid"))"
echo "FERRY_DATABASE=postgres://ferry:ferrypw@127.0.0.1:$PG_PORT/ferry"
