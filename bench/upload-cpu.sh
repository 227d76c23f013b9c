#!/usr/bin/env bash
# Where a bulk upload's time goes: wall time and CPU seconds of the `ferry upload` process and of the `ferry server`
# process separately, with the client's and the server's FERRY_TIMING breakdowns, against two references on the same
# file system in the same run: `cp -r` of the tree, and a copy into the RSE's own layout (Rucio's hash path
# SCOPE/ab/cd/NAME: the directories and files an upload has to create, without checksums or a catalogue).
# Usage: bench/upload-cpu.sh [files] [size-bytes] [runs] [parallel]   (defaults 10000 102400 3 4)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
files=${1:-10000}; size=${2:-102400}; runs=${3:-3}; parallel=${4:-4}
work=$(mktemp -d /tmp/ferry-cpu-bench.XXXXXX)
server_pid=
trap '[ -n "$server_pid" ] && kill $server_pid 2>/dev/null; rm -rf "$work"' EXIT
source "$here/bench/server.sh"

python3 - "$work/src" "$files" "$size" <<'PY'
import os, sys
root, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(n):
    d = os.path.join(root, "d%02d" % (i % 20)); os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%06d.dat" % i), "wb") as f: f.write(os.urandom(size))
PY
cat "$work"/src/*/* > /dev/null
export FERRY_TIMING=1
start_server
tick=$(getconf CLK_TCK)
# CPU seconds (user system) the server has used so far, from /proc/PID/stat fields 14 and 15.
server_cpu() { awk -v t="$tick" '{ printf "%.2f %.2f", $14 / t, $15 / t }' "/proc/$server_pid/stat"; }
now() { date +%s.%N; }
# The layout reference: every file copied to PREFIX/SCOPE/ab/cd/NAME, ab/cd from md5("SCOPE:NAME") as lfn2pfn does.
cat > "$work/layout.py" <<'PY'
import hashlib, os, shutil, sys
src, dst, scope = sys.argv[1:]
for d, _, names in os.walk(src):
    for f in names:
        name = os.path.relpath(os.path.join(d, f), src)
        h = hashlib.md5(f"{scope}:{name}".encode()).hexdigest()
        target = os.path.join(dst, scope, h[:2], h[2:4], name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(os.path.join(d, f), target)
PY
echo "files=$files size=$size parallel=$parallel runs=$runs load: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= runs; r++)); do
  sync; s=$(now); cp -r "$work/src" "$work/cp$r"; e=$(now); sync; d=$(now)
  printf 'run %d cp -r:        %.2f s returned, %.2f s durable\n' "$r" "$(echo "$e - $s" | bc)" "$(echo "$d - $s" | bc)"
  sync; s=$(now); /usr/bin/time -f '%U %S' -o "$work/layout.cpu" python3 "$work/layout.py" "$work/src" "$work/layout$r" "s$r"; e=$(now); sync; d=$(now)
  printf 'run %d layout copy:  %.2f s returned, %.2f s durable, cpu user+sys %s s\n' "$r" "$(echo "$e - $s" | bc)" "$(echo "$d - $s" | bc)" "$(tr ' ' + < "$work/layout.cpu")"
  "${ferry[@]}" scope add "cpu$r" > /dev/null
  sync; before=$(server_cpu); s=$(now)
  /usr/bin/time -f '%U %S' -o "$work/client.cpu" "${ferry[@]}" upload "$work/src" -r --rse LOCAL --scope "cpu$r" --dataset ds --parallel "$parallel" > "$work/up.log" 2>&1 \
    || { cat "$work/up.log" >&2; exit 1; }
  e=$(now); sync; d=$(now); after=$(server_cpu)
  read -r cu cs < "$work/client.cpu"; read -r bu bs <<< "$before"; read -r au as <<< "$after"
  printf 'run %d ferry upload: %.2f s returned, %.2f s durable; client cpu %.2f user + %.2f sys; server cpu %.2f user + %.2f sys\n' "$r" \
    "$(echo "$e - $s" | bc)" "$(echo "$d - $s" | bc)" "$cu" "$cs" "$(echo "$au - $bu" | bc)" "$(echo "$as - $bs" | bc)"
  grep '^timing:' "$work/up.log" | sed 's/^/  client /' || true
  tail -1 "$work/up.log" | sed 's/^/  /'
  rm -rf "$work/cp$r" "$work/layout$r"
done
echo "server timing lines (add replicas per request):"
echo "  requests: $(grep -c 'add replicas' "$work/server.log" || true)"
{ grep 'add replicas' "$work/server.log" || true; } | awk '{for (i=1;i<=NF;i++) { if ($i=="verify") v+=$(i+1); if ($i=="catalogue") c+=$(i+1) } } END { printf "  verify %.0f ms, catalogue %.0f ms in total\n", v, c }'
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
