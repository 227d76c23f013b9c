#!/usr/bin/env bash
# The desktop agent downloading a dataset over HTTP against curl fetching the same files from the same server, in
# one run: from nginx WebDAV (an RSE with only an http protocol) and from Ferry's own HTTP view of a posix RSE.
# Usage: bench/agent-http.sh [files] [size-bytes] [runs]   (defaults 20 x 50 MB = 1 GB, 3 runs)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
files=${1:-20}; size=${2:-50000000}; runs=${3:-3}
bash "$here/scripts/services/start-all.sh" > /dev/null
. "$here/scripts/services/common.sh"
work=$(mktemp -d /tmp/ferry-agent-http.XXXXXX)
# Stop what we started and let it finish shutting down before its files go.
trap 'kill $agent_pid $server_pid 2>/dev/null || true; wait $agent_pid $server_pid 2>/dev/null; cp "$work/agent.log" /tmp/ferry-bench-agent.log 2>/dev/null; cp "$work/server.log" /tmp/ferry-bench-server.log 2>/dev/null; rm -rf "$work"' EXIT
source "$here/bench/server.sh"
start_server
port=$server_port; aport=$(( port + 1 ))
token=$(curl -s -D - -o /dev/null -H "X-Rucio-Username: root" -H "X-Rucio-Password: bench" "$FERRY_URL/auth/userpass" | tr -d '\r' | sed -n 's/^X-Rucio-Auth-Token: //Ip')

mkdir -p "$work/src"
for ((i = 0; i < files; i++)); do head -c "$size" /dev/urandom > "$work/src/big_$(printf %04d $i).dat"; done
"${ferry[@]}" rse add AG_DAV > /dev/null
"${ferry[@]}" rse add-protocol AG_DAV http --hostname 127.0.0.1 --port "$DAV_PORT" --prefix "/agent-bench-$port/" > /dev/null
"${ferry[@]}" upload "$work/src" --rse AG_DAV --scope user.root --dataset dav_ds > /dev/null
"${ferry[@]}" rse add-protocol LOCAL http --hostname 127.0.0.1 --port "$port" --prefix /storage/LOCAL/ --priority 2 > /dev/null
"${ferry[@]}" upload "$work/src" --rse LOCAL --scope user.root --dataset local_ds > /dev/null

# The agent uses only http (the posix directory of LOCAL is on this machine too, and would otherwise win).
FERRY_SCHEMES=http "${ferry[@]}" agent --dir "$work/agent" --listen "127.0.0.1:$aport" > "$work/agent.log" 2>&1 &
agent_pid=$!
agent="http://127.0.0.1:$aport"
until curl -sf "$agent/status" > /dev/null; do sleep 0.2; done
status_of() { curl -s "$agent/ds?ds_name=$1" | sed -n 's/^{"status":"\([^"]*\)".*/\1/p'; }
urls() { "${ferry[@]}" replica list "user.root:$1" --json | grep -o "\"http://127.0.0.1:$2[^\"]*\"" | tr -d '"' | sort -u; }
now() { date +%s.%N; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# CPU seconds a process has used (user + system), to show where a run's time goes on a 2-core machine.
cpu_of() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat"; }

for source in dav local; do
  if [ $source = dav ]; then list=$(urls dav_ds "$DAV_PORT"); hdr=(); else list=$(urls local_ds "$port"); hdr=(-H "X-Rucio-Auth-Token: $token"); fi
  [ "$(echo "$list" | wc -l)" = "$files" ] || { echo "expected $files URLs for $source, got: $list"; exit 1; }
  ag=(); cu=(); cpu=
  for ((r = 1; r <= runs; r++)); do
    curl -s -X DELETE "$agent/ds?ds_name=user.root:${source}_ds" > /dev/null; sync
    sv0=$(cpu_of "$server_pid"); ag0=$(cpu_of "$agent_pid")
    s=$(now); curl -s -X POST "$agent/ds?ds_name=user.root:${source}_ds" > /dev/null
    while [ "$(status_of "user.root:${source}_ds")" != local ]; do sleep 0.02; done
    e=$(now); ag+=("$(echo "$e - $s" | bc)")
    sv1=$(cpu_of "$server_pid"); ag1=$(cpu_of "$agent_pid")
    rm -rf "$work/curl"; mkdir -p "$work/curl"; sync
    s=$(now); curl_cpu=$(echo "$list" | /usr/bin/time -f "%U %S" xargs -P 4 -I{} sh -c 'curl -sf "$@" -o "$0/$(basename "{}")" "{}"' "$work/curl" "${hdr[@]}" 2>&1 | awk '{printf "%.2f", $1 + $2}'); e=$(now)
    cu+=("$(echo "$e - $s" | bc)")
    sv2=$(cpu_of "$server_pid")
    cpu="$cpu run $r: agent's run: server $(echo "$sv1 - $sv0" | bc) s, agent $(echo "$ag1 - $ag0" | bc) s; curl's run: server $(echo "$sv2 - $sv1" | bc) s, curl $curl_cpu s."
  done
  am=$(median "${ag[@]}"); cm=$(median "${cu[@]}")
  echo "$source: agent ${ag[*]} s (median $am), curl x4 ${cu[*]} s (median $cm); agent throughput = $(echo "scale=2; 100 * $cm / $am" | bc)% of curl's"
  echo "  cpu:$cpu"
done
