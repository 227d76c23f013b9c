#!/usr/bin/env bash
# One large file downloaded from WebDAV (nginx) and S3 (s3rver): `ferry download` with parallel ranged streams
# (FERRY_RANGED_STREAMS=4, the default) against the same command with one stream, and against rclone with four
# multi-thread streams and curl with one, all from the same object in the same run. Ferry's time includes starting
# the CLI, looking the file up, checksumming every byte (each range on its own, combined into the file's adler32),
# comparing with the catalogue and the rename; rclone's includes its own checks; curl checks nothing.
# Usage: bench/ranged-download.sh [size-MiB] [runs]   (defaults 1024 3); FERRY_BENCH_TARGETS="webdav s3" to choose.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
size_mib=${1:-1024}; runs=${2:-3}
targets=(${FERRY_BENCH_TARGETS:-webdav s3})
bash "$here/scripts/services/start-all.sh" > /dev/null
. "$here/scripts/services/common.sh"
work=$(mktemp -d /tmp/ferry-bench-ranged.XXXXXX)
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$work"' EXIT
source "$here/bench/server.sh"
start_server
export FERRY_RSE_CREDENTIALS="$FERRY_HOME/rse-credentials.json"
echo '{"R_S3": {"access_key": "S3RVER", "secret_key": "S3RVER"}}' > "$FERRY_RSE_CREDENTIALS"
tag=$(date +%s)
"${ferry[@]}" rse add R_WEBDAV > /dev/null; "${ferry[@]}" rse add-protocol R_WEBDAV http --hostname 127.0.0.1 --port "$DAV_PORT" --prefix "/ranged-$tag/" > /dev/null
"${ferry[@]}" rse add R_S3 > /dev/null; "${ferry[@]}" rse add-protocol R_S3 s3 --hostname 127.0.0.1 --port "$S3_PORT" --prefix "/ferry-test/ranged-$tag/" > /dev/null
for t in R_WEBDAV R_S3; do "${ferry[@]}" account limit set root "$t" 1000000000000 > /dev/null 2>&1 || true; done
export RCLONE_CONFIG_DAV_TYPE=webdav RCLONE_CONFIG_DAV_URL="http://127.0.0.1:$DAV_PORT/" RCLONE_CONFIG_DAV_VENDOR=other
export RCLONE_CONFIG_S3_TYPE=s3 RCLONE_CONFIG_S3_PROVIDER=Other RCLONE_CONFIG_S3_ENDPOINT="http://127.0.0.1:$S3_PORT"
export RCLONE_CONFIG_S3_ACCESS_KEY_ID=S3RVER RCLONE_CONFIG_S3_SECRET_ACCESS_KEY=S3RVER RCLONE_CONFIG_S3_FORCE_PATH_STYLE=true

mkdir -p "$work/src"
head -c $((size_mib << 20)) /dev/urandom > "$work/src/big.dat"
rse_of() { case $1 in webdav) echo R_WEBDAV ;; s3) echo R_S3 ;; esac; }
remote_of() { case $1 in webdav) echo "dav:ranged-$tag/$path" ;; s3) echo "s3:ferry-test/ranged-$tag/$path" ;; esac; }
# Each target has its own scope, so the file's only replica is on that target's RSE.
path_of() { local h; h=$(printf '%s' "$1:big.dat" | md5sum | cut -c1-32); echo "$1/${h:0:2}/${h:2:2}/big.dat"; }
now() { date +%s.%N; }
timed() { sync; local s; s=$(now); "$@" > "$work/last.log" 2>&1 || { echo "failed: $*"; tail -3 "$work/last.log"; }; echo "$(now) - $s" | bc; }

echo "size ${size_mib} MiB, $runs runs, load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-7s %4s %12s %12s %12s %12s\n' target run ferry_x4_s ferry_x1_s rclone_x4_s curl_x1_s
for t in "${targets[@]}"; do
  scope="rg$t"; path=$(path_of "$scope")
  "${ferry[@]}" scope add "$scope" > /dev/null
  "${ferry[@]}" upload "$work/src/big.dat" --rse "$(rse_of "$t")" --scope "$scope" > "$work/up.log" 2>&1 || { echo "upload failed"; tail -3 "$work/up.log"; }
  for ((r = 1; r <= runs; r++)); do
    rm -rf "$work/d"; mkdir -p "$work/d"
    f4=$(timed "${ferry[@]}" download "$scope:big.dat" --dir "$work/d/f4")
    cmp -s "$work/src/big.dat" "$work/d/f4/$scope/big.dat" || echo "ferry x4: wrong bytes"
    rm -rf "$work/d/f4"
    f1=$(FERRY_RANGED_STREAMS=1 timed "${ferry[@]}" download "$scope:big.dat" --dir "$work/d/f1")
    rm -rf "$work/d/f1"
    rc=$(timed env -u AWS_CA_BUNDLE rclone copy --multi-thread-streams 4 --multi-thread-cutoff 64M "$(remote_of "$t")" "$work/d/rc")
    rm -rf "$work/d/rc"
    if [ "$t" = webdav ]; then cu=$(timed curl -sf -o "$work/d/curl.dat" "http://127.0.0.1:$DAV_PORT/ranged-$tag/$path"); else cu=-; fi
    rm -f "$work/d/curl.dat"
    printf '%-7s %4d %12s %12s %12s %12s\n' "$t" "$r" "$f4" "$f1" "$rc" "$cu"
  done
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
