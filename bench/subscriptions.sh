#!/usr/bin/env bash
# The subscriber against the reference of one bulk POST /rules for the same number of datasets, on one server.
# Usage: bench/subscriptions.sh [datasets]   (default 2000)
# A: N datasets created in one POST /dids, then timed until a subscription has given every one its rule (the daemon,
#    polling every 2 s, one transaction per DID with its history row). B: N other datasets, one POST /rules naming all.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
n=${1:-2000}
work=$(mktemp -d /tmp/ferry-sub-bench.XXXXXX)
server_pid=
trap '[ -n "$server_pid" ] && kill $server_pid 2>/dev/null; rm -rf "$work"' EXIT
source "$here/bench/server.sh"
start_server
url=$FERRY_URL
token=$(curl -sf -D - -o /dev/null -H "X-Rucio-Account: root" -H "X-Rucio-Username: root" -H "X-Rucio-Password: bench" "$url/auth/userpass" \
  | tr -d '\r' | awk -F': ' 'tolower($1)=="x-rucio-auth-token"{print $2}')
api() { curl -sf -H "X-Rucio-Auth-Token: $token" -H "Content-Type: application/json" "$@"; }
# POST /dids takes at most 1000 DIDs: one file per thousand, created in order.
dids() { python3 -c "
import json,sys
p, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
for k in range(0, n, 1000):
    open('%s.%05d' % (out, k), 'w').write(json.dumps([{'scope':'user.root','name':'%s_%05d'%(p,i),'type':'DATASET'} for i in range(k, min(n, k+1000))]))
" "$1" "$2" "$3"; }
create() { for f in "$1".*; do api -X POST "$url/dids" -d @"$f" > /dev/null; done; }
now() { date +%s.%N; }

api -X POST "$url/ferry/subscriptions" -d '{"name":"bench","filter":{"scopes":["user.root"],"name_regex":"sub_[0-9]+"},"rules":[{"rse_expression":"LOCAL"}]}' > /dev/null
dids sub "$n" "$work/sub"
t0=$(now)
create "$work/sub"
t1=$(now)
until [ "$(api "$url/ferry/subscriptions/bench/history?limit=1000000" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" -ge "$n" ]; do sleep 0.2; done
t2=$(now)

dids ref "$n" "$work/ref"
create "$work/ref"
python3 -c "import json,sys; print(json.dumps({'dids':[{'scope':'user.root','name':'ref_%05d'%i} for i in range(int(sys.argv[1]))],'copies':1,'rse_expression':'LOCAL'}))" "$n" > "$work/rule.json"
t3=$(now)
api -X POST "$url/rules/" -d @"$work/rule.json" > /dev/null
t4=$(now)
python3 - "$n" "$t0" "$t1" "$t2" "$t3" "$t4" <<'PY'
import sys
n, t0, t1, t2, t3, t4 = int(sys.argv[1]), *map(float, sys.argv[2:])
sub, ref = t2 - t1, t4 - t3
print(f"{n} datasets: create {t1-t0:.2f} s")
print(f"A subscriber: {sub:.2f} s after creation ({n/sub:.0f} DIDs/s, includes up to 2 s until its next round)")
print(f"B one bulk POST /rules: {ref:.2f} s ({n/ref:.0f} DIDs/s)")
print(f"A/B: {sub/ref:.2f}")
PY
