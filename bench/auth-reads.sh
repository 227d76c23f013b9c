#!/usr/bin/env bash
# Authenticated reads against nginx (issue 25, item 3): wrk on nginx serving a small static file, `ferry server`'s
# /ping, an authenticated GET /dids/{scope}/{dataset} and GET /rses/, one after the other on the same machine.
# Prints req/s, p99 and the ratio to nginx for each. Ferry runs on the embedded SQLite, built in Release (./ferry).
# Usage: bench/auth-reads.sh [seconds] [connections]   (defaults 10 and 32; wrk -t2)
# Needs wrk and nginx (apt-get install -y wrk nginx-light). The machine's other load shows in the numbers: compare
# ratios taken in one run, not runs taken at different times.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
seconds=${1:-10}
conns=${2:-32}
work=$(mktemp -d /tmp/ferry-auth-bench.XXXXXX)
server_pid=
nginx_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for tool in wrk nginx; do command -v "$tool" > /dev/null || { echo "auth-reads: $tool is not installed (apt-get install -y wrk nginx-light)" >&2; exit 1; }; done

# nginx: our own prefix, config and pid file under $work, one small static file, no access log.
nginx_port=$(( 20000 + RANDOM % 20000 ))
mkdir -p "$work/nginx/html" "$work/nginx/logs"
printf '{"status":"ok"}\n' > "$work/nginx/html/ping"
# nginx's workers run as nobody: they must reach the file through the private temporary directory.
chmod 755 "$work" "$work/nginx" "$work/nginx/html"
cat > "$work/nginx/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/tmp-body;
  proxy_temp_path $work/nginx/tmp-proxy;
  fastcgi_temp_path $work/nginx/tmp-fastcgi;
  uwsgi_temp_path $work/nginx/tmp-uwsgi;
  scgi_temp_path $work/nginx/tmp-scgi;
  server { listen 127.0.0.1:$nginx_port; root $work/nginx/html; }
}
EOF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" 2> "$work/nginx/logs/start.log" &
nginx_pid=$!

source "$here/bench/server.sh"
start_server "$work"
url=$FERRY_URL
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$nginx_port/ping" > /dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$nginx_port/ping" > /dev/null || { echo "auth-reads: nginx does not serve the file:" >&2; tail -3 "$work/nginx/logs/error.log" >&2; exit 1; }

token=$(curl -sf -D - -o /dev/null -H "X-Rucio-Account: root" -H "X-Rucio-Username: root" -H "X-Rucio-Password: bench" "$url/auth/userpass" \
  | tr -d '\r' | awk -F': ' 'tolower($1)=="x-rucio-auth-token"{print $2}')
curl -sf -X POST -H "X-Rucio-Auth-Token: $token" -H "Content-Type: application/json" "$url/dids" \
  -d '[{"scope":"user.root","name":"bench.dataset","type":"DATASET"}]' > /dev/null
curl -sf -H "X-Rucio-Auth-Token: $token" "$url/dids/user.root/bench.dataset" > /dev/null
curl -sf -H "X-Rucio-Auth-Token: $token" "$url/rses/" > /dev/null

# run NAME URL [HEADER]: wrk's req/s and p99 (in ms) on one line.
run() {
  local name=$1 target=$2 out
  shift 2
  out=$(wrk -t2 -c"$conns" -d"${seconds}s" --latency "$@" "$target")
  local rps p99
  rps=$(awk '/^Requests\/sec:/{print $2}' <<< "$out")
  p99=$(awk '$1=="99%"{v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) sub(/ms$/,"",v); else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}' <<< "$out")
  if grep -q "Non-2xx" <<< "$out"; then echo "auth-reads: $name answered non-2xx:" >&2; grep "Non-2xx" <<< "$out" >&2; fi
  echo "$name $rps $p99"
}

auth=(-H "X-Rucio-Auth-Token: $token")
results=()
results+=("$(run nginx-static "http://127.0.0.1:$nginx_port/ping")")
results+=("$(run ferry-ping "$url/ping")")
results+=("$(run ferry-get-did "$url/dids/user.root/bench.dataset" "${auth[@]}")")
results+=("$(run ferry-get-rses "$url/rses/" "${auth[@]}")")

nginx_rps=$(awk '{print $2}' <<< "${results[0]}")
printf '%-16s %12s %9s %10s\n' "url" "req/s" "p99 ms" "of nginx"
for r in "${results[@]}"; do
  read -r name rps p99 <<< "$r"
  printf '%-16s %12.0f %9.2f %9.0f%%\n' "$name" "$rps" "$p99" "$(awk -v a="$rps" -v b="$nginx_rps" 'BEGIN{print 100*a/b}')"
done
echo "(wrk -t2 -c$conns -d${seconds}s; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg): other work on the machine is noise)"
