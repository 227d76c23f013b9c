#!/usr/bin/env bash
# Many small rules at once: `ferry data replicate --submit` over DATASETS datasets of FILES registered files each, on
# the embedded SQLite and on PostgreSQL in the same run (the reference for each other), against a server with no
# daemons so that only the rule creation is timed. The command plans first (every rule made and rolled back) and then
# submits, so each rule is placed twice. Needs scripts/services/postgres.sh (started here).
# Usage: bench/replicate-stores.sh [datasets] [files-per-dataset] [runs]   (defaults 1000 5 3)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
datasets=${1:-1000}; per=${2:-5}; runs=${3:-3}
work=$(mktemp -d /tmp/ferry-replicate-bench.XXXXXX)
server_pid=
trap '[ -n "$server_pid" ] && kill $server_pid 2>/dev/null; rm -rf "$work"' EXIT
pg=$(bash "$here/scripts/services/postgres.sh" | sed -n 's/^FERRY_DATABASE=//p')
source "$here/bench/server.sh"
now() { date +%s.%N; }
tick=$(getconf CLK_TCK)
# CPU seconds used so far by the whole machine (every process, PostgreSQL's backends included) and by the server.
machine_cpu() { awk -v t="$tick" '/^cpu / { printf "%.2f", ($2 + $3 + $4 + $7 + $8) / t }' /proc/stat; }
server_cpu() { awk -v t="$tick" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$server_pid/stat"; }

for run in $(seq "$runs"); do
  for store in sqlite postgres; do
    home="$work/$store-$run"; mkdir -p "$home/src" "$home/dst"
    if [ "$store" = postgres ]; then export FERRY_DATABASE="$pg?schema=bench_replicate_${run}_$$"; else unset FERRY_DATABASE; fi
    start_server "$home" --no-daemons
    "${ferry[@]}" rse add SRC --prefix "$home/src/" > /dev/null
    "${ferry[@]}" rse add DST --prefix "$home/dst/" > /dev/null
    python3 - "$FERRY_URL" "$datasets" "$per" "$home/src/" <<'PY'
import hashlib, http.client, json, os, sys, urllib.parse, zlib
url, n, per, prefix = urllib.parse.urlparse(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
conn = http.client.HTTPConnection(url.hostname, url.port)
conn.request("GET", "/auth/userpass", headers={"X-Rucio-Username": "root", "X-Rucio-Password": os.environ["FERRY_PASSWORD"]})
r = conn.getresponse(); r.read(); token = r.getheader("X-Rucio-Auth-Token")
def call(method, path, body):
    conn.request(method, path, body=json.dumps(body), headers={"X-Rucio-Auth-Token": token})
    r = conn.getresponse(); data = r.read()
    if r.status >= 300: sys.exit(f"{method} {path} -> {r.status}: {data[:300]}")
for start in range(0, n, 200):
    names = [f"rep_{i:05d}" for i in range(start, min(n, start + 200))]
    call("POST", "/dids", [{"scope": "user.root", "name": d, "type": "DATASET"} for d in names])
    files = []
    for d in names:
        for j in range(per):
            # The file must be on the RSE, at Rucio's hash path, before its replica may be registered AVAILABLE.
            name, data = f"{d}_f{j}", os.urandom(1000 + j)
            h = hashlib.md5(f"user.root:{name}".encode()).hexdigest()
            path = os.path.join(prefix, "user/root", h[:2], h[2:4], name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f: f.write(data)
            files.append({"scope": "user.root", "name": name, "bytes": len(data), "adler32": "%08x" % zlib.adler32(data)})
    call("POST", "/replicas", {"rse": "SRC", "files": files})
    for d in names:
        call("POST", f"/dids/user.root/{d}/dids", {"dids": [{"scope": "user.root", "name": f"{d}_f{j}"} for j in range(per)]})
PY
    m0=$(machine_cpu); c0=$(server_cpu)
    s=$(now); "${ferry[@]}" data replicate --pattern 'rep_.*' --rse-expr DST --submit --json > "$home/out.json" 2> "$home/err"; e=$(now)
    m1=$(machine_cpu); c1=$(server_cpu)
    made=$(grep -o '"outcome": *"created"' "$home/out.json" | wc -l)
    echo "run $run $store: $made rules on $datasets datasets of $per files (plan + submit) in $(echo "$e - $s" | bc) s;" \
      "cpu: server $(echo "$c1 - $c0" | bc) s, machine $(echo "$m1 - $m0" | bc) s; $(tail -1 "$home/err")"
    kill $server_pid; wait $server_pid 2>/dev/null || true; server_pid=
    if [ "$store" = postgres ]; then
      runuser -u postgres -- psql -h /tmp/ferry-test-services/postgres -p "${FERRY_PG_PORT:-54331}" -U postgres -d ferry -qAt \
        -c "DROP SCHEMA bench_replicate_${run}_$$ CASCADE" > /dev/null 2>&1 || true
    fi
  done
done
