#!/usr/bin/env bash
# Stops the servers start-all.sh started (by the PIDs they recorded) and waits until they are gone.
set -uo pipefail
. "$(dirname "$0")/common.sh"
R=$FERRY_SERVICES_DIR
for pidfile in "$R/ssh/sshd.pid" "$R/webdav/nginx.pid" "$R/xrootd/pid" "$R/s3/s3rver.pid"; do
  alive "$pidfile" || continue
  pid=$(cat "$pidfile"); kill "$pid"
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$pidfile"
done
