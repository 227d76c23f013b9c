#!/usr/bin/env python3
"""The reference for bench/data-bulk.sh: one HTTP request per DID over a kept-alive connection, the way a script on
the Rucio client (pandastic) loops. Also builds the benchmark's catalogue. Reads FERRY_PASSWORD; account root."""
import http.client, json, os, sys, time, urllib.parse

url = urllib.parse.urlparse(sys.argv[2])
conn = http.client.HTTPConnection(url.hostname, url.port)

def login():
    conn.request("GET", "/auth/userpass", headers={"X-Rucio-Username": "root", "X-Rucio-Password": os.environ["FERRY_PASSWORD"]})
    r = conn.getresponse(); r.read()
    return r.getheader("X-Rucio-Auth-Token")

token = login()

def call(method, path, body=None):
    conn.request(method, path, body=None if body is None else json.dumps(body), headers={"X-Rucio-Auth-Token": token})
    r = conn.getresponse(); data = r.read()
    if r.status >= 300: sys.exit(f"{method} {path} -> {r.status}: {data[:300]}")
    return data

def lines(data): return [json.loads(l) for l in data.decode().splitlines() if l]

def names():
    return lines(call("GET", "/dids/user.root/dids/search?type=dataset&name=bench_%2A"))

cmd = sys.argv[1]
if cmd == "setup":
    n, rules = int(sys.argv[3]), int(sys.argv[4])
    all_names = [f"bench_{i:05d}" for i in range(n)]
    for i in range(0, n, 1000):
        call("POST", "/dids", [{"scope": "user.root", "name": x, "type": "DATASET"} for x in all_names[i:i + 1000]])
    for i in range(0, rules, 1000):
        call("POST", "/rules/", {"dids": [{"scope": "user.root", "name": x} for x in all_names[i:i + 1000]], "copies": 1,
                                 "rse_expression": "LOCAL", "lifetime": 86400, "account": None, "grouping": "DATASET"})
elif cmd == "find":
    sample = int(sys.argv[3])
    t0 = time.monotonic(); listed = names(); t1 = time.monotonic()
    matched = 0
    for name in listed[:sample]:
        if name[6] in "01234" and not any(r["rse_expression"] == "LOCAL" for r in lines(call("GET", f"/dids/user.root/{name}/rules"))):
            matched += 1
    t2 = time.monotonic()
    per = (t2 - t1) / sample
    print(f"  per-DID loop: listing {len(listed)} DIDs {t1 - t0:.2f} s; rules of {sample} DIDs {t2 - t1:.2f} s "
          f"({per * 1000:.2f} ms per DID, {matched} matched); all {len(listed)} at that rate: {t1 - t0 + per * len(listed):.0f} s (extrapolated)")
elif cmd == "extend":
    sample = int(sys.argv[3])
    t0 = time.monotonic(); listed = [x for x in names() if x.startswith("bench_0")]; t1 = time.monotonic()
    done = 0
    for name in listed[:sample]:
        for r in lines(call("GET", f"/dids/user.root/{name}/rules")):
            if r["rse_expression"] == "LOCAL":
                call("PUT", f"/rules/{r['id']}", {"options": {"lifetime": 90 * 86400}}); done += 1
    t2 = time.monotonic()
    per = (t2 - t1) / max(1, min(sample, len(listed)))
    print(f"  per-DID loop: listing {t1 - t0:.2f} s; {done} rules of {min(sample, len(listed))} DIDs updated in {t2 - t1:.2f} s "
          f"({per * 1000:.2f} ms per DID); all {len(listed)} at that rate: {t1 - t0 + per * len(listed):.0f} s (extrapolated)")
