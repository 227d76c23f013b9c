#!/usr/bin/env bash
# Bulk upload to a posix RSE against `cp -r` and `rclone copy --checksum` of the same files to the same file system.
# Usage: bench/bulk-upload.sh [runs] [small-files] [small-bytes] [big-files] [big-bytes] [parallel]
# Defaults: 3 runs; 10,000 files of 100 KB; 20 files of 100 MB; 4 parallel streams (rclone gets --transfers of the same).
# Every contender starts from the page cache with no dirty pages (sync before), and is timed until it returns and
# until a following sync returns (bytes on disk). Prints per-run times, medians, files/s and ratios.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
runs=${1:-3}; small_n=${2:-10000}; small_size=${3:-102400}; big_n=${4:-20}; big_size=${5:-104857600}; parallel=${6:-4}
command -v rclone > /dev/null || { echo "rclone is needed: apt-get install -y rclone" >&2; exit 1; }
work=$(mktemp -d /tmp/ferry-bulk-bench.XXXXXX)
server_pid=
trap '[ -n "$server_pid" ] && kill $server_pid 2>/dev/null; rm -rf "$work"' EXIT
source "$here/bench/server.sh"

# The small files in 20 folders, as a detector would write them; the big ones flat.
python3 - "$work" "$small_n" "$small_size" "$big_n" "$big_size" <<'PY'
import os, sys
work, sn, ss, bn, bs = sys.argv[1], *map(int, sys.argv[2:])
for i in range(sn):
    d = os.path.join(work, "small", "d%02d" % (i % 20)); os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%06d.dat" % i), "wb") as f: f.write(os.urandom(ss))
os.makedirs(os.path.join(work, "big"), exist_ok=True)
for i in range(bn):
    with open(os.path.join(work, "big", "b%03d.dat" % i), "wb") as f:
        for _ in range(bs // (1 << 20)): f.write(os.urandom(1 << 20))
        f.write(os.urandom(bs % (1 << 20)))
PY
cat "$work"/small/*/* "$work"/big/* > /dev/null      # everyone reads from the page cache

start_server
export RCLONE_CONFIG=/dev/null

now() { date +%s.%N; }
declare -A ret dur
# time_it KEY CMD...: runs CMD after a sync, records seconds until it returns and until the next sync returns.
time_it() {
  local key=$1; shift; sync
  local s e d; s=$(now); "$@" > "$work/last.log" 2>&1 || { cat "$work/last.log" >&2; exit 1; }; e=$(now); sync; d=$(now)
  ret[$key]+="$(echo "$e - $s" | bc) "; dur[$key]+="$(echo "$d - $s" | bc) "
}
median() { printf '%s\n' $@ | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for set in small big; do
  n=$([ $set = small ] && echo "$small_n" || echo "$big_n")
  for ((r = 1; r <= runs; r++)); do
    time_it "$set cp" cp -r "$work/$set" "$work/cp-$set-$r"
    time_it "$set rclone" rclone copy --checksum --transfers "$parallel" "$work/$set" "$work/rclone-$set-$r"
    "${ferry[@]}" scope add "b$set$r" > /dev/null
    time_it "$set ferry" "${ferry[@]}" upload "$work/$set" -r --rse LOCAL --scope "b$set$r" --dataset ds --parallel "$parallel"
    tail -1 "$work/last.log" | sed 's/^/  ferry: /'
    "${ferry[@]}" scope add "m$set$r" > /dev/null
    time_it "$set ferry --md5" "${ferry[@]}" upload "$work/$set" -r --rse LOCAL --scope "m$set$r" --dataset ds --parallel "$parallel" --md5
    rm -rf "$work/cp-$set-$r" "$work/rclone-$set-$r"
  done
  echo "== $set: $n files, $(du -sh "$work/$set" | cut -f1), $runs runs, parallel $parallel"
  for kind in returned durable; do
    for c in cp rclone ferry "ferry --md5"; do
      if [ $kind = returned ]; then t=${ret[$set $c]}; else t=${dur[$set $c]}; fi
      m=$(median $t)
      printf '[%s] %-12s %s s (median %s, %s files/s, %s x cp, %s x rclone)\n' "$kind" "$c" "$t" "$m" "$(echo "$n / $m" | bc)" \
        "$(echo "scale=2; $m / $(median $([ $kind = returned ] && echo "${ret[$set cp]}" || echo "${dur[$set cp]}"))" | bc)" \
        "$(echo "scale=2; $m / $(median $([ $kind = returned ] && echo "${ret[$set rclone]}" || echo "${dur[$set rclone]}"))" | bc)"
    done
  done
done
