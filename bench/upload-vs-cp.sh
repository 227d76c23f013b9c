#!/usr/bin/env bash
# Uploads N files of SIZE bytes to a posix RSE with `ferry upload` and compares the wall time with `cp -r`
# of the same files to the same disk, in one run. Usage: bench/upload-vs-cp.sh [files] [size-bytes] [runs]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
files=${1:-1000}; size=${2:-1048576}; runs=${3:-3}
work=$(mktemp -d /tmp/ferry-bench.XXXXXX)
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$work"' EXIT
source "$here/bench/server.sh"

mkdir -p "$work/src"
for ((i = 0; i < files; i++)); do head -c "$size" /dev/urandom > "$work/src/file_$(printf %05d $i).dat"; done
cat "$work"/src/* > /dev/null                         # both contenders read from the page cache

start_server

now() { date +%s.%N; }
# Each timed command starts with no dirty pages (sync first), and is timed twice: until it returns (bytes in the
# page cache) and until a following sync returns (bytes on disk). Writeback otherwise makes either side vary 4x.
cp_times=(); up_times=(); cp_durable=(); up_durable=()
for ((r = 1; r <= runs; r++)); do
  rm -rf "$work/cp$r"; sync
  s=$(now); cp -r "$work/src" "$work/cp$r"; e=$(now); sync; d=$(now)
  cp_times+=("$(echo "$e - $s" | bc)"); cp_durable+=("$(echo "$d - $s" | bc)")
  "${ferry[@]}" scope add "bench$r" > /dev/null; sync
  s=$(now); "${ferry[@]}" upload "$work/src" --rse LOCAL --scope "bench$r" --dataset "ds$r" > "$work/upload$r.log"; e=$(now); sync; d=$(now)
  up_times+=("$(echo "$e - $s" | bc)"); up_durable+=("$(echo "$d - $s" | bc)")
  rm -rf "$work/cp$r"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
total_mb=$(echo "$files * $size / 1048576" | bc)
echo "files=$files size=$size total=${total_mb}MiB runs=$runs"
for kind in returned durable; do
  if [ $kind = returned ]; then c=("${cp_times[@]}"); u=("${up_times[@]}"); else c=("${cp_durable[@]}"); u=("${up_durable[@]}"); fi
  cm=$(median "${c[@]}"); um=$(median "${u[@]}")
  echo "[$kind] cp -r: ${c[*]} s (median $cm)"
  echo "[$kind] upload: ${u[*]} s (median $um)"
  echo "[$kind] ratio upload/cp (median): $(echo "scale=2; $um / $cm" | bc)"
done
tail -1 "$work/upload$runs.log"
