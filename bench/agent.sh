#!/usr/bin/env bash
# The desktop agent: download throughput against cp of the same files, then idle CPU and resident memory with
# 1,000 local datasets known. Usage: bench/agent.sh [files] [size-bytes] [runs] [idle-datasets] [idle-seconds]
# (defaults 20 files of 50 MB = 1 GB, 3 runs, 1000 datasets, 60 s). Figures and method: docs/benchmarks.md.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
files=${1:-20}; size=${2:-50000000}; runs=${3:-3}; datasets=${4:-1000}; idle=${5:-60}
work=$(mktemp -d /tmp/ferry-agent-bench.XXXXXX)
# Stop what we started and let it finish shutting down before its files go.
trap 'kill $agent_pid $server_pid 2>/dev/null || true; wait $agent_pid $server_pid 2>/dev/null; cp "$work/agent.log" /tmp/ferry-bench-agent.log 2>/dev/null; rm -rf "$work"' EXIT
source "$here/bench/server.sh"
start_server
port=$server_port; aport=$(( port + 1 ))
token=$(curl -s -D - -o /dev/null -H "X-Rucio-Username: root" -H "X-Rucio-Password: bench" "$FERRY_URL/auth/userpass" | tr -d '\r' | sed -n 's/^X-Rucio-Auth-Token: //Ip')

mkdir -p "$work/src"
for ((i = 0; i < files; i++)); do head -c "$size" /dev/urandom > "$work/src/big_$(printf %04d $i).dat"; done
"${ferry[@]}" upload "$work/src" --rse LOCAL --scope user.root --dataset tput > /dev/null
rse_files=$(find "$FERRY_HOME/rses/LOCAL" -name 'big_*.dat' | sort)

"${ferry[@]}" agent --dir "$work/agent" --listen "127.0.0.1:$aport" > "$work/agent.log" 2>&1 &
agent_pid=$!
agent="http://127.0.0.1:$aport"
until curl -sf "$agent/status" > /dev/null; do sleep 0.2; done
status_of() { curl -s "$agent/ds?ds_name=$1" | sed -n 's/^{"status":"\([^"]*\)".*/\1/p'; }

now() { date +%s.%N; }
cp_times=(); ag_times=(); cp_durable=(); ag_durable=(); cp4_times=(); cp4_durable=()
for ((r = 1; r <= runs; r++)); do
  cat $rse_files > /dev/null                         # both contenders read from the page cache
  rm -rf "$work/cp"; mkdir -p "$work/cp"; sync
  s=$(now); cp $rse_files "$work/cp/"; e=$(now); sync; d=$(now)
  cp_times+=("$(echo "$e - $s" | bc)"); cp_durable+=("$(echo "$d - $s" | bc)")
  rm -rf "$work/cp"; mkdir -p "$work/cp"; sync
  # cp with as many files at once as the agent's default --max-parallel (4).
  s=$(now); printf '%s\n' $rse_files | xargs -P 4 -I{} cp {} "$work/cp/"; e=$(now); sync; d=$(now)
  cp4_times+=("$(echo "$e - $s" | bc)"); cp4_durable+=("$(echo "$d - $s" | bc)")
  rm -rf "$work/cp"
  curl -s -X DELETE "$agent/ds?ds_name=user.root:tput" > /dev/null; sync
  s=$(now); curl -s -X POST "$agent/ds?ds_name=user.root:tput" > /dev/null
  while [ "$(status_of user.root:tput)" != local ]; do sleep 0.02; done
  e=$(now); sync; d=$(now)
  ag_times+=("$(echo "$e - $s" | bc)"); ag_durable+=("$(echo "$d - $s" | bc)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
total=$(echo "$files * $size" | bc)
echo "throughput: $files files x $size bytes = $total bytes, $runs runs (posix RSE, page cache warm)"
for kind in returned durable; do
  if [ $kind = returned ]; then c=("${cp_times[@]}"); p=("${cp4_times[@]}"); a=("${ag_times[@]}")
  else c=("${cp_durable[@]}"); p=("${cp4_durable[@]}"); a=("${ag_durable[@]}"); fi
  cm=$(median "${c[@]}"); pm=$(median "${p[@]}"); am=$(median "${a[@]}")
  echo "[$kind] cp: ${c[*]} s (median $cm, $(echo "scale=0; $total / $cm / 1000000" | bc) MB/s)"
  echo "[$kind] cp x4: ${p[*]} s (median $pm, $(echo "scale=0; $total / $pm / 1000000" | bc) MB/s)"
  echo "[$kind] agent: ${a[*]} s (median $am, $(echo "scale=0; $total / $am / 1000000" | bc) MB/s)"
  echo "[$kind] agent throughput / cp: $(echo "scale=2; $cm / $am" | bc), / cp x4: $(echo "scale=2; $pm / $am" | bc)"
done
grep VmHWM /proc/$agent_pid/status | sed 's/^/after the downloads: /'

# Idle: DATASETS datasets of one 1 kB file each, all local, then nothing asked of the agent for IDLE seconds.
mkdir -p "$work/small"
for ((i = 0; i < datasets; i++)); do head -c 1000 /dev/urandom > "$work/small/idlef_$(printf %05d $i).dat"; done
"${ferry[@]}" upload "$work/small" --rse LOCAL --scope user.root > /dev/null
cfg="$work/curl.cfg"; : > "$cfg"
for ((i = 0; i < datasets; i++)); do
  n=$(printf %05d $i)
  printf 'url = "%s/dids/user.root/idle_%s"\nrequest = "POST"\nheader = "X-Rucio-Auth-Token: %s"\ndata = "{\\"type\\":\\"DATASET\\"}"\noutput = "/dev/null"\nnext\n' "$FERRY_URL" "$n" "$token" >> "$cfg"
  printf 'url = "%s/dids/user.root/idle_%s/dids"\nrequest = "POST"\nheader = "X-Rucio-Auth-Token: %s"\ndata = "{\\"dids\\":[{\\"scope\\":\\"user.root\\",\\"name\\":\\"idlef_%s.dat\\"}]}"\noutput = "/dev/null"\nnext\n' "$FERRY_URL" "$n" "$token" "$n" >> "$cfg"
done
sed -i '$ d' "$cfg"                                   # no "next" after the last request
curl -s -K "$cfg"
: > "$cfg"
for ((i = 0; i < datasets; i++)); do
  printf 'url = "%s/ds?ds_name=user.root:idle_%05d"\nrequest = "POST"\noutput = "/dev/null"\nnext\n' "$agent" "$i" >> "$cfg"
done
sed -i '$ d' "$cfg"
s=$(now); curl -s -K "$cfg"
until curl -s "$agent/status" | grep -q "\"local\":$((datasets + 1))[,}]"; do sleep 0.5; done
echo "requested and downloaded $datasets small datasets in $(echo "$(now) - $s" | bc) s"
sleep 5
ticks() { awk '{print $14 + $15}' "/proc/$agent_pid/stat"; }
hz=$(getconf CLK_TCK)
t0=$(ticks); sleep "$idle"; t1=$(ticks)
cpu=$(echo "scale=3; ($t1 - $t0) * 100 / $hz / $idle" | bc)
echo "idle with $((datasets + 1)) local datasets: $((t1 - t0)) ticks of CPU in $idle s = ${cpu}% of one core"
grep -E 'VmRSS|VmHWM' /proc/$agent_pid/status
