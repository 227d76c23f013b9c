#!/usr/bin/env bash
# N trivial jobs (`true`, one input file each, no output) through the local executor, against the same N process
# launches (the wrapper's two bash levels) run by xargs at the same parallelism, in one run. Reports jobs/s of both,
# the extra wall time per job, and the server's own CPU time per job (the scheduler's overhead: claims, state
# changes, polling, bookkeeping). Usage: bench/tasks-local.sh [jobs] [slots] [runs]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
jobs=${1:-1000}; slots=${2:-2}; runs=${3:-2}
work=$(mktemp -d /tmp/ferry-bench.XXXXXX)
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$work"' EXIT
source "$here/bench/server.sh"
export FERRY_TASK_SLOTS=$slots

mkdir -p "$work/src"
for ((i = 0; i < jobs; i++)); do echo "$i" > "$work/src/in_$(printf %05d $i).txt"; done
start_server
"${ferry[@]}" upload "$work/src" --rse LOCAL --scope user.root --dataset bench_in > /dev/null
token=$(curl -s -i -H "X-Rucio-Username: root" -H "X-Rucio-Password: bench" "$FERRY_URL/auth/userpass" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-rucio-auth-token"{print $2}')
api() { curl -s -H "X-Rucio-Auth-Token: $token" "$@"; }
cpu() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }      # clock ticks (1/100 s)
now() { date +%s.%N; }

ref_times=(); ferry_times=(); cpu_per_job=()
for ((r = 1; r <= runs; r++)); do
  s=$(now); seq "$jobs" | xargs -P "$slots" -I{} setsid bash -c 'cd /tmp && bash -c true < /dev/null > /dev/null'; e=$(now)
  ref_times+=("$(echo "$e - $s" | bc)")
  c0=$(cpu); s=$(now)
  id=$(api -X POST "$FERRY_URL/ferry/tasks" -d "{\"input\":\"user.root:bench_in\",\"command\":\"true\",\"files_per_job\":1,\"output_scope\":\"user.root\",\"output_dataset\":\"bench_out$r\",\"output_rse\":\"LOCAL\"}" | sed 's/.*"task_id":\([0-9]*\).*/\1/')
  until api "$FERRY_URL/ferry/tasks/$id" | grep -q '"status":"done"'; do sleep 0.1; done
  e=$(now); c1=$(cpu)
  ferry_times+=("$(echo "$e - $s" | bc)")
  cpu_per_job+=("$(echo "scale=3; ($c1 - $c0) * 10 / $jobs" | bc)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
rm=$(median "${ref_times[@]}"); fm=$(median "${ferry_times[@]}"); cm=$(median "${cpu_per_job[@]}")
echo "jobs=$jobs slots=$slots runs=$runs cores=$(nproc)"
echo "reference (xargs -P $slots, same process launches): ${ref_times[*]} s (median $rm, $(echo "scale=1; $jobs / $rm" | bc) jobs/s)"
echo "ferry task (submit to done): ${ferry_times[*]} s (median $fm, $(echo "scale=1; $jobs / $fm" | bc) jobs/s)"
echo "extra wall time per job: $(echo "scale=2; ($fm - $rm) * 1000 / $jobs" | bc) ms"
echo "server CPU per job: ${cpu_per_job[*]} ms (median $cm ms)"
