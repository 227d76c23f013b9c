#!/usr/bin/env bash
# Local tool, never run by CI: judges Ferry's Rucio dialect by Rucio itself (docs/rucio-compatibility.md).
# Needs the real Rucio 41 set up by the workplace's shared/rucio/setup.sh (server, client and tests in /tmp/rucio-server).
#
#   conformance.sh serve PORT            start `ferry server` from this checkout (or FERRY_DLL=path/ferry.dll) on 127.0.0.1:PORT with a fresh FERRY_HOME
#                                        (/tmp/ferry-conf-PORT) and seed it as Rucio's CI seeds its own
#   conformance.sh seed PORT             seed an already running Ferry server (idempotent)
#   conformance.sh stop PORT             stop the server `serve` started
#   conformance.sh tests PORT|real [MODULE|NODEID...] [pytest args]
#                                        Rucio's client-mode tests against Ferry (or the real server); JUnit XML in
#                                        /tmp/ferry-conf-PORT/junit.xml (real: /tmp/ferry-conf-real/junit.xml)
#   conformance.sh compare REAL.xml FERRY.xml
#                                        per module: tests that pass on the real server, and how many of those pass on Ferry;
#                                        then the ids that pass on the real server and not on Ferry
#   conformance.sh all PORT              serve, seed, run the default modules on both servers, compare
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
RS=/tmp/rucio-server
PY=/usr/bin/python3
MODULES=(test_clients.py test_bin_rucio.py test_did.py test_replica.py test_rse.py test_scope.py test_account.py
  test_account_limits.py test_upload.py test_download.py test_meta_did.py test_subscription.py test_dataset_replicas.py
  test_config.py test_redirect.py test_rule.py test_ping.py test_authentication.py test_import_export.py test_identity.py
  test_lifetime.py test_request.py test_bad_replica.py test_pfns.py test_replica_sorting.py test_rse_lfn2path.py)

[ -d "$RS/lib/rucio" ] || { echo "the real Rucio is not set up in $RS: run shared/rucio/setup.sh first" >&2; exit 2; }
rucio_env() { export PYTHONPATH="$RS/stubs:$RS/vendor-root/usr/lib/python3/dist-packages:$RS/lib"; }

client_cfg() {  # $1 = port: a copy of Rucio's test client config pointed at Ferry
  local dir=/tmp/ferry-conf-$1; mkdir -p "$dir"
  sed -e "s#^rucio_host = .*#rucio_host = http://127.0.0.1:$1#" -e "s#^auth_host = .*#auth_host = http://127.0.0.1:$1#" \
      -e "s#^auth_token_file_path = .*#auth_token_file_path = $dir/token#" "$RS/etc/rucio-tests-client.cfg" > "$dir/rucio.cfg"
  echo "$dir/rucio.cfg"
}

serve() {
  local port=$1 dir=/tmp/ferry-conf-$1
  rm -rf "$dir/home"; mkdir -p "$dir/home"
  local run=(./ferry); [ -n "${FERRY_DLL:-}" ] && run=(dotnet "$FERRY_DLL")
  (cd "$repo" && FERRY_HOME="$dir/home" FERRY_ROOT_PASSWORD=ferry-conformance setsid nohup "${run[@]}" server --listen "127.0.0.1:$port" < /dev/null > "$dir/server.log" 2>&1 & echo $! > "$dir/server.pid")
  for _ in $(seq 1 1200); do curl -sf "http://127.0.0.1:$port/ping" > /dev/null && break; sleep 0.5; done
  curl -sf "http://127.0.0.1:$port/ping" > /dev/null || { echo "ferry server did not start: $dir/server.log" >&2; exit 1; }
  echo "ferry server PID $(cat "$dir/server.pid") on 127.0.0.1:$port (home $dir/home)"
  seed "$port"
}

seed() {
  local port=$1 cfg; cfg=$(client_cfg "$port")
  # Rucio's tests log in as root with the userpass identity ddmlab/secret.
  echo secret | (cd "$repo" && FERRY_URL="http://127.0.0.1:$port" FERRY_ACCOUNT=root FERRY_PASSWORD=ferry-conformance \
    ./ferry account identity add root --type USERPASS --username ddmlab) > /dev/null 2>&1 || true
  rucio_env
  (cd "$RS" && RUCIO_CONFIG="$cfg" "$PY" "$here/seed_ferry.py" && RUCIO_CONFIG="$cfg" "$PY" tools/sync_rses.py > /tmp/ferry-conf-$port/sync_rses.log 2>&1 \
     && RUCIO_CONFIG="$cfg" "$PY" tools/sync_meta.py > /tmp/ferry-conf-$port/sync_meta.log 2>&1) || echo "seeding reported errors (see /tmp/ferry-conf-$port/*.log)"
}

stop() {  # the process listening on the port is the server (./ferry execs dotnet, but a wrapper may sit in between)
  local pid; pid=$(ss -ltnp "sport = :$1" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
  [ -n "$pid" ] && kill "$pid"; rm -f "/tmp/ferry-conf-$1/server.pid"
}

tests() {
  local target=$1; shift; [ $# -gt 0 ] || set -- "${MODULES[@]}"
  local dir=/tmp/ferry-conf-$target; mkdir -p "$dir"
  local cfg
  # A private copy of Rucio's test client config and token file per target: setup.sh's RUCIO_TEST_HOST mode writes one
  # shared file, so two runs at once could talk to each other's server.
  if [ "$target" = real ]; then cfg="$dir/rucio.cfg"; client_cfg 18080 > /dev/null; cp /tmp/ferry-conf-18080/rucio.cfg "$cfg"
  else cfg=$(client_cfg "$target"); fi
  local args=()
  for m in "$@"; do case "$m" in -*|tests/*) args+=("$m");; *) args+=("tests/$m");; esac; done
  rucio_env
  (cd "$RS" && env SUITE=client RDBMS=sqlite RUCIO_CONFIG="$cfg" PATH="$RS/testbin:$PATH" PYTEST_DISABLE_PLUGIN_AUTOLOAD=True COLUMNS=200 \
    "$PY" -m pytest --rootdir=. -c tools/pytest.ini -p no:cacheprovider -q -rfEs --tb=line "${args[@]}" --junitxml="$dir/junit.xml") || true
}

compare() { "$PY" "$here/compare_junit.py" "$1" "$2"; }

cmd=${1:-}; shift || true
case "$cmd" in
  serve) serve "$1" ;;
  seed) seed "$1" ;;
  stop) stop "$1" ;;
  tests) tests "$@" ;;
  compare) compare "$@" ;;
  all) port=$1; serve "$port"; tests real; tests "$port"; compare /tmp/ferry-conf-real/junit.xml "/tmp/ferry-conf-$port/junit.xml" ;;
  *) sed -n '2,20p' "$0"; exit 2 ;;
esac
