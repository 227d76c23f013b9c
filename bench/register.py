"""Registration through the Rucio dialect (bench/register-stores.sh): FILES files with replicas on a catalogue-only RSE
in POST /replicas batches of 250, a dataset, and the files attached to it in batches of 250. Prints the seconds of each
phase and their sum. With --floor SCHEMA RSE-ID FILES it prints instead a psql script that writes the same rows (DIDs,
replicas, attachments; other names) by bare COPY into that schema's tables, a transaction per batch of 250."""
import http.client, json, os, sys, time, urllib.parse

BATCH = 250

def floor(schema, rse_id, n, begin="BEGIN", prefix="floor"):
    now = int(time.time() * 1000)
    out = [f"SET search_path TO {schema};", "\\set ON_ERROR_STOP 1",
           f"INSERT INTO dids(scope,name,type,account,bytes,length,is_open,created_at,updated_at) VALUES ('user.root','{prefix}_ds',1,'root',0,0,1,{now},{now});"]
    for start in range(0, n, BATCH):
        names = [f"{prefix}_{i:07d}" for i in range(start, min(n, start + BATCH))]
        out.append(begin + ";")
        out.append("COPY dids(scope,name,type,account,bytes,length,adler32,is_open,created_at,updated_at) FROM STDIN;")
        out += [f"user.root\t{x}\t0\troot\t{1000 + i}\t1\t0000000{i % 10}\t0\t{now}\t{now}" for i, x in enumerate(names)]
        out.append("\\.")
        out.append("COPY replicas(scope,name,rse_id,state,bytes,path,lock_cnt,created_at,updated_at) FROM STDIN;")
        out += [f"user.root\t{x}\t{rse_id}\t0\t{1000 + i}\tuser/root/00/00/{x}\t0\t{now}\t{now}" for i, x in enumerate(names)]
        out.append("\\.")
        out.append("COPY contents(scope,name,child_scope,child_name,child_type,created_at) FROM STDIN;")
        out += [f"user.root\t{prefix}_ds\tuser.root\t{x}\t0\t{now}" for x in names]
        out.append("\\.")
        out.append("COMMIT;")
    print("\n".join(out))

def run(base, n, prefix=""):
    url = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port)
    conn.request("GET", "/auth/userpass", headers={"X-Rucio-Username": "root", "X-Rucio-Account": "root", "X-Rucio-Password": os.environ["FERRY_PASSWORD"]})
    r = conn.getresponse(); r.read(); token = r.getheader("X-Rucio-Auth-Token")
    def call(method, path, body):
        conn.request(method, path, body=json.dumps(body), headers={"X-Rucio-Auth-Token": token, "Content-Type": "application/json"})
        r = conn.getresponse(); data = r.read()
        if r.status >= 300: sys.exit(f"{method} {path} -> {r.status}: {data[:300]}")
    if not prefix: call("POST", "/rses/MOCK", {})
    batches = []
    for start in range(0, n, BATCH):
        batches.append([{"scope": "user.root", "name": f"{prefix}file_{i:07d}", "bytes": 1000 + i, "adler32": "0000000%d" % (i % 10)}
                        for i in range(start, min(n, start + BATCH))])
    bodies = [json.dumps({"rse": "MOCK", "files": b}) for b in batches]
    t0 = time.perf_counter()
    for body in bodies:
        conn.request("POST", "/replicas", body=body, headers={"X-Rucio-Auth-Token": token, "Content-Type": "application/json"})
        r = conn.getresponse(); data = r.read()
        if r.status >= 300: sys.exit(f"POST /replicas -> {r.status}: {data[:300]}")
    t1 = time.perf_counter()
    call("POST", f"/dids/user.root/{prefix}dataset", {"type": "DATASET"})
    for b in batches:
        call("POST", f"/dids/user.root/{prefix}dataset/dids", {"dids": [{"scope": f["scope"], "name": f["name"]} for f in b]})
    t2 = time.perf_counter()
    print(f"{n} files: register {t1 - t0:.2f} s, dataset + attach {t2 - t1:.2f} s, total {t2 - t0:.2f} s", flush=True)

if __name__ == "__main__":
    if sys.argv[1] == "--floor": floor(sys.argv[2], sys.argv[3], int(sys.argv[4]), *sys.argv[5:])
    else: run(sys.argv[1], int(sys.argv[2]), *sys.argv[3:])
