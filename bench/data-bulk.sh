#!/usr/bin/env bash
# `ferry data` against the per-DID request loop a tool like pandastic runs, on the same server in the same run.
# Usage: bench/data-bulk.sh [datasets] [rules] [loop-sample]
# Defaults: 100,000 empty datasets in user.root (bench_00000...), 10,000 of them (bench_0....) with a rule on LOCAL
# expiring in 1 day; the per-DID loop is timed over the first loop-sample DIDs (default 5,000) and its rate given.
#   find:   ferry data find --pattern 'bench_[0-4].*' --no-rule-on LOCAL    (two filters; 40,000 of 100,000 match)
#           loop: one listing of the scope, then GET /dids/SCOPE/NAME/rules per DID, filtered on the client
#   extend: ferry data extend --pattern 'bench_0.*' --has-rule-on LOCAL --lifetime 30d --submit   (10,000 rules)
#           loop: per DID GET its rules, then PUT /rules/ID with the new lifetime, as pandastic does
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
datasets=${1:-100000}; rules=${2:-10000}; sample=${3:-5000}
work=$(mktemp -d /tmp/ferry-data-bench.XXXXXX)
server_pid=
trap '[ -n "$server_pid" ] && kill $server_pid 2>/dev/null && wait $server_pid 2>/dev/null; rm -rf "$work"' EXIT
source "$here/bench/server.sh"
start_server
now() { date +%s.%N; }

echo "== building the catalogue: $datasets datasets, $rules rules (not timed)"
python3 "$here/bench/data-loop.py" setup "$FERRY_URL" "$datasets" "$rules"

echo "== find with two filters over $datasets datasets"
for run in 1 2 3; do
  for fmt in --csv --json ""; do
    s=$(now); "${ferry[@]}" data find --pattern 'bench_[0-4].*' --no-rule-on LOCAL $fmt > "$work/find.out"; e=$(now)
    echo "  run $run ferry data find ${fmt:-(table)}: $(echo "$e - $s" | bc) s, $(grep -o 'bench_[0-9]*' "$work/find.out" | wc -l) DIDs"
  done
done
python3 "$here/bench/data-loop.py" find "$FERRY_URL" "$sample"

echo "== extend --submit over $rules rules"
for run in 1 2; do
  lifetime=$([ $run = 1 ] && echo 30d || echo 60d)
  s=$(now); "${ferry[@]}" data extend --pattern 'bench_0.*' --has-rule-on LOCAL --lifetime $lifetime --submit --summary "$work/extend.json" > /dev/null 2> "$work/extend.err"; e=$(now)
  echo "  run $run ferry data extend --submit --lifetime $lifetime: $(echo "$e - $s" | bc) s; $(tail -1 "$work/extend.err")"
done
python3 "$here/bench/data-loop.py" extend "$FERRY_URL" "$sample"
