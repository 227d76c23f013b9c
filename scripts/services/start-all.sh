#!/usr/bin/env bash
# Starts (installing where missing) every storage server the tests and benchmarks use. Idempotent.
# Prints one line per server; exits non-zero if any could not start.
set -uo pipefail
here=$(dirname "$0")
. "$here/common.sh"
mkdir -p "$FERRY_SERVICES_DIR"
# Test projects run in parallel and each makes sure the servers run: one start at a time.
exec 9> "$FERRY_SERVICES_DIR/.start.lock"
flock 9
status=0
for s in ssh webdav xrootd s3; do
  # 9>&-: the servers must not inherit the lock, or they would hold it for as long as they run.
  if ! out=$(bash "$here/$s.sh" 2>&1 9>&-); then echo "$s: FAILED: $(echo "$out" | tail -3)"; status=1; else echo "$out" | tail -1; fi
done
command -v rclone >/dev/null || install rclone || true
exit $status
