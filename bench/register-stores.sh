#!/usr/bin/env bash
# Registration as the issue 25 bench times it: FILES files with replicas (POST /replicas, batches of 250) on a
# catalogue-only RSE (no protocol, so nothing is read back from storage), one dataset, and the files attached to it
# (POST /dids/{scope}/{name}/dids, batches of 250), through `ferry server` over HTTP, on the embedded SQLite and on
# PostgreSQL in the same run (the reference for each other). Prints the two phases and their sum per run and store.
# Needs scripts/services/postgres.sh (started here). With FLOOR=1 it also times, per PostgreSQL run, a bare binary COPY
# of the same DIDs, replicas and attachments into a copy of the same tables (psql \copy, a transaction per batch).
# Usage: bench/register-stores.sh [files] [runs] [stores]   (defaults 10000 3 "sqlite postgres")
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
files=${1:-10000}; runs=${2:-3}; stores=${3:-sqlite postgres}
work=$(mktemp -d /tmp/ferry-register-bench.XXXXXX)
server_pid=
trap '[ -n "$server_pid" ] && kill $server_pid 2>/dev/null; rm -rf "$work"' EXIT
pg=$(bash "$here/scripts/services/postgres.sh" | sed -n 's/^FERRY_DATABASE=//p')
pg=${BENCH_PG:-$pg}
pgsock=${FERRY_SERVICES_DIR:-/tmp/ferry-test-services}/postgres
source "$here/bench/server.sh"
psql_admin() { runuser -u postgres -- psql -h "$pgsock" -p "${FERRY_PG_PORT:-54331}" -U postgres -d "$(basename "${pg%%\?*}")" -qAt "$@"; }

for run in $(seq "$runs"); do
  for store in $stores; do
    home="$work/$store-$run"; mkdir -p "$home"
    schema="bench_register_${run}_$$"
    if [ "$store" = postgres ]; then export FERRY_DATABASE="$pg?schema=$schema"; else unset FERRY_DATABASE; fi
    start_server "$home" --no-daemons
    echo -n "run $run $store (load $(cut -d' ' -f1 /proc/loadavg)): "
    # CPU seconds of the server and, on PostgreSQL, of the backends connected to the bench's database, during the run.
    cpu() { awk -v t="$(getconf CLK_TCK)" '{ s += ($14 + $15) / t } END { printf "%.2f", s }' "$@" 2>/dev/null; }
    backends() { [ "$store" = postgres ] && for p in $(psql_admin -c "SELECT pid FROM pg_stat_activity WHERE datname=current_database() AND pid<>pg_backend_pid()"); do echo /proc/$p/stat; done; return 0; }
    s0=$(cpu /proc/$server_pid/stat); before=$(backends); b0=$(cpu $before /dev/null)
    python3 "$here/bench/register.py" "$FERRY_URL" "$files"
    # WARM=1: the same again on the same server (other names), after the first run warmed its code up.
    if [ "${WARM:-0}" = 1 ]; then echo -n "  again, warm: "; python3 "$here/bench/register.py" "$FERRY_URL" "$files" warm_; fi
    after=$(backends); new=$(comm -13 <(echo "$before" | sort) <(echo "$after" | sort))
    echo "  cpu during the run: server $(echo "$(cpu /proc/$server_pid/stat) - $s0" | bc) s${after:+, postgres backends $(echo "$(cpu $after /dev/null) - $b0" | bc) s ($(echo "$new" | grep -c . ) new)}"
    [ -n "${KEEPLOG:-}" ] && cp "$home/server.log" "$KEEPLOG-$store.log"
    kill $server_pid; wait $server_pid 2>/dev/null || true; server_pid=
    if [ "$store" = postgres ]; then
      if [ "${FLOOR:-0}" = 1 ]; then
        echo -n "run $run floor (bare COPY into the same tables): "
        rse_id=$(psql_admin -c "SELECT id FROM $schema.rses WHERE name='MOCK'")
        python3 "$here/bench/register.py" --floor "$schema" "$rse_id" "$files" > "$work/floor.sql"
        s=$(date +%s.%N); psql_admin < "$work/floor.sql" > /dev/null; e=$(date +%s.%N)
        echo -n "$(echo "$e - $s" | bc) s; SERIALIZABLE: "
        python3 "$here/bench/register.py" --floor "$schema" "$rse_id" "$files" "BEGIN ISOLATION LEVEL SERIALIZABLE" floor2 > "$work/floor.sql"
        s=$(date +%s.%N); psql_admin < "$work/floor.sql" > /dev/null; e=$(date +%s.%N)
        echo "$(echo "$e - $s" | bc) s"
      fi
      psql_admin -c "DROP SCHEMA $schema CASCADE" > /dev/null 2>&1 || true
    fi
  done
done
