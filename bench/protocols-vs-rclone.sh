#!/usr/bin/env bash
# Uploads the same files to the same storage servers with `ferry upload` (which also verifies and registers every
# replica) and with `rclone copy --checksum`, in one run, and prints the wall times side by side.
# Usage: bench/protocols-vs-rclone.sh [set ...]   sets: small (10,000 x 4 KiB), big (20 x 100 MiB); default both
# Targets: posix, webdav (nginx), sftp (OpenSSH), s3 (s3rver); FERRY_BENCH_TARGETS="posix s3" to choose.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
sets=("${@:-small big}"); sets=(${sets[@]})
targets=(${FERRY_BENCH_TARGETS:-posix webdav sftp s3})
streams=${FERRY_BENCH_STREAMS:-4}
bash "$here/scripts/services/start-all.sh" > /dev/null
. "$here/scripts/services/common.sh"
S=$FERRY_SERVICES_DIR
work=$(mktemp -d /tmp/ferry-bench-proto.XXXXXX)
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$work"' EXIT
make_set() {
  case $1 in
    small) mkdir -p "$work/small"; for ((i = 0; i < 10000; i++)); do head -c 4096 /dev/urandom > "$work/small/f_$(printf %05d $i).dat"; done ;;
    big) mkdir -p "$work/big"; for ((i = 0; i < 20; i++)); do head -c $((100 << 20)) /dev/urandom > "$work/big/f_$(printf %02d $i).dat"; done ;;
  esac
  cat "$work/$1"/* > /dev/null
}

source "$here/bench/server.sh"
start_server
export FERRY_RSE_CREDENTIALS="$FERRY_HOME/rse-credentials.json"
cat > "$FERRY_RSE_CREDENTIALS" <<JSON
{"B_SFTP": {"user": "ferryxfer", "private_key_file": "$S/ssh/client_key", "known_hosts_file": "$S/ssh/known_hosts"},
 "B_S3": {"access_key": "S3RVER", "secret_key": "S3RVER"}}
JSON
mkdir -p "$work/posix-ferry" "$work/posix-rclone"
"${ferry[@]}" rse add B_POSIX --prefix "$work/posix-ferry" > /dev/null
"${ferry[@]}" rse add B_WEBDAV > /dev/null; "${ferry[@]}" rse add-protocol B_WEBDAV http --hostname 127.0.0.1 --port "$DAV_PORT" --prefix /bench-ferry/ > /dev/null
"${ferry[@]}" rse add B_SFTP > /dev/null; "${ferry[@]}" rse add-protocol B_SFTP sftp --hostname 127.0.0.1 --port "$SSH_PORT" --prefix "$S/ssh/data/bench-ferry/" > /dev/null
"${ferry[@]}" rse add B_S3 > /dev/null; "${ferry[@]}" rse add-protocol B_S3 s3 --hostname 127.0.0.1 --port "$S3_PORT" --prefix /ferry-test/bench-ferry/ > /dev/null
for t in B_POSIX B_WEBDAV B_SFTP B_S3; do "${ferry[@]}" account limit set root "$t" 1000000000000 > /dev/null 2>&1 || true; done

# rclone remotes from the environment, same servers and credentials.
export RCLONE_CONFIG_DAV_TYPE=webdav RCLONE_CONFIG_DAV_URL="http://127.0.0.1:$DAV_PORT/" RCLONE_CONFIG_DAV_VENDOR=other
export RCLONE_CONFIG_SSH_TYPE=sftp RCLONE_CONFIG_SSH_HOST=127.0.0.1 RCLONE_CONFIG_SSH_PORT="$SSH_PORT" RCLONE_CONFIG_SSH_USER=ferryxfer
export RCLONE_CONFIG_SSH_KEY_FILE="$S/ssh/client_key" RCLONE_CONFIG_SSH_KNOWN_HOSTS_FILE="$S/ssh/known_hosts"
export RCLONE_CONFIG_S3_TYPE=s3 RCLONE_CONFIG_S3_PROVIDER=Other RCLONE_CONFIG_S3_ENDPOINT="http://127.0.0.1:$S3_PORT"
export RCLONE_CONFIG_S3_ACCESS_KEY_ID=S3RVER RCLONE_CONFIG_S3_SECRET_ACCESS_KEY=S3RVER RCLONE_CONFIG_S3_FORCE_PATH_STYLE=true
rclone_target() {
  case $1 in
    posix) echo "$work/posix-rclone/$2" ;; webdav) echo "dav:bench-rclone/$2" ;;
    sftp) echo "ssh:$S/ssh/data/bench-rclone/$2" ;; s3) echo "s3:ferry-test/bench-rclone/$2" ;;
  esac
}
rse_of() { case $1 in posix) echo B_POSIX ;; webdav) echo B_WEBDAV ;; sftp) echo B_SFTP ;; s3) echo B_S3 ;; esac; }
now() { date +%s.%N; }

printf '%-6s %-7s %10s %10s %8s\n' set target rclone_s ferry_s ratio
run=0
for set in "${sets[@]}"; do
  make_set "$set"
  for t in "${targets[@]}"; do
    run=$((run + 1))
    dest=$(rclone_target "$t" "run$run")
    s=$(now); env -u AWS_CA_BUNDLE rclone copy --checksum --transfers "$streams" --s3-upload-concurrency 4 --s3-chunk-size 16M "$work/$set" "$dest" 2> "$work/rclone$run.log"; e=$(now)
    rclone_s=$(echo "$e - $s" | bc)
    env -u AWS_CA_BUNDLE rclone purge "$dest" > /dev/null 2>&1 || true
    "${ferry[@]}" scope add "bench$run" > /dev/null
    s=$(now); "${ferry[@]}" upload "$work/$set" --rse "$(rse_of "$t")" --scope "bench$run" --dataset "ds$run" --parallel "$streams" > "$work/ferry$run.log" 2>&1 || true; e=$(now)
    ferry_s=$(echo "$e - $s" | bc)
    grep -q " 0 failed" "$work/ferry$run.log" || { echo "ferry upload failed:"; tail -3 "$work/ferry$run.log"; }
    printf '%-6s %-7s %10.2f %10.2f %8.2f\n' "$set" "$t" "$rclone_s" "$ferry_s" "$(echo "$ferry_s / $rclone_s" | bc -l)"
  done
  rm -rf "$work/$set"
done
