#!/usr/bin/env bash
# Head to head with the real Rucio (issue 25): the same Rucio-dialect requests, from the same C# client
# (`Ferry.Bench vs-rucio`), to the Rucio server at $RUCIO_URL and to `ferry server` on the embedded SQLite and on
# PostgreSQL (scripts/services/postgres.sh, a fresh schema per invocation), the servers alternating run by run.
# The Ferry servers run with --no-daemons: the Rucio server runs none either, and every step is answered by the
# server itself. Rucio is not started here (docs/benchmarks.md says how it was); its login is RUCIO_LOGIN
# (account:username:password, default root:ddmlab:secret).
# VS_RUCIO_STORAGE=mock (default): the RSE's protocol is Rucio's mock one; both servers build PFNs and neither looks at
# storage. VS_RUCIO_STORAGE=posix: a "file" protocol, and the bench writes every file (untimed) first, because Ferry
# reads the bytes of each replica registered AVAILABLE on storage it can reach (Rucio never does).
# Usage: RUCIO_URL=http://127.0.0.1:18080 bench/vs-rucio.sh [files,files...] [runs] [stores]
#   defaults: 10000,100000 3 sqlite,postgres; RUCIO_URL=none runs Ferry alone; stores "" runs Rucio alone.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
files=${1:-10000,100000}; runs=${2:-3}; stores=${3-sqlite,postgres}
: "${RUCIO_URL:?set RUCIO_URL to the Rucio server (or none for Ferry alone)}"
work=$(mktemp -d /tmp/ferry-vs-rucio.XXXXXX)
schema="vs_rucio_$$"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if [[ ",$stores," == *,postgres,* ]]; then
    runuser -u postgres -- psql -h "${FERRY_SERVICES_DIR:-/tmp/ferry-test-services}/postgres" -p "${FERRY_PG_PORT:-54331}" \
      -U postgres -d ferry -qAt -c "DROP SCHEMA IF EXISTS $schema CASCADE" > /dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# The CLI first: ./ferry rebuilds when anything under src/ is newer than its build, the bench build's obj/ files too.
[ -n "$stores" ] && source "$here/bench/server.sh"
dotnet build "$here/bench/Ferry.Bench/Ferry.Bench.csproj" -c Release -nologo -v quiet -o "$work/bench-build" > "$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; exit 1; }
ferry_urls=()
for store in ${stores//,/ }; do
  case "$store" in
    sqlite) unset FERRY_DATABASE ;;
    postgres) pg=$(bash "$here/scripts/services/postgres.sh" | sed -n 's/^FERRY_DATABASE=//p')
              export FERRY_DATABASE="$pg?schema=$schema" ;;
    *) echo "unknown store $store (sqlite or postgres)" >&2; exit 2 ;;
  esac
  mkdir -p "$work/$store"
  start_server "$work/$store" --no-daemons
  pids+=("$server_pid")
  ferry_urls+=("$store=$FERRY_URL")
  echo "ferry server on $store: $FERRY_URL (pid $server_pid, log $work/$store/server.log)"
done
unset FERRY_DATABASE

args=(--files "$files" --runs "$runs" --ferry-login "root:root:bench" --storage "${VS_RUCIO_STORAGE:-mock}" --prefix "$work/storage/")
[ "$RUCIO_URL" != none ] && args+=(--rucio "$RUCIO_URL" --rucio-login "${RUCIO_LOGIN:-root:ddmlab:secret}")
[ ${#ferry_urls[@]} -gt 0 ] && args+=(--ferry "$(IFS=,; echo "${ferry_urls[*]}")")
echo "machine: $(nproc) cores, $(awk '{print "load", $1, $2, $3}' /proc/loadavg), $(date -u '+%F %T') UTC"
dotnet "$work/bench-build/Ferry.Bench.dll" vs-rucio "${args[@]}"
echo "machine at the end: $(awk '{print "load", $1, $2, $3}' /proc/loadavg), $(date -u '+%F %T') UTC"
