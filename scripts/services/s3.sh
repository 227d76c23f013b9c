#!/usr/bin/env bash
# s3rver (npm) on 127.0.0.1:$S3_PORT, credentials S3RVER/S3RVER, bucket ferry-test.
set -euo pipefail
. "$(dirname "$0")/common.sh"
R=$FERRY_SERVICES_DIR/s3
command -v node >/dev/null && command -v npm >/dev/null || install nodejs npm
mkdir -p "$R/data"
cd "$R"
if [ ! -x node_modules/.bin/s3rver ]; then
  [ -f package.json ] || echo '{"private":true}' > package.json
  npm install --no-audit --no-fund --silent s3rver@3.7.1 >/dev/null 2>&1
fi
if ! alive "$R/s3rver.pid"; then
  nohup node node_modules/s3rver/bin/s3rver.js -d "$R/data" -a 127.0.0.1 -p "$S3_PORT" --silent --configure-bucket ferry-test > "$R/s3rver.log" 2>&1 &
  echo $! > "$R/s3rver.pid"
  wait_for curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/"
fi
echo "s3rver $(cat "$R/s3rver.pid") on 127.0.0.1:$S3_PORT"
