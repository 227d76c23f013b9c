#!/usr/bin/env bash
# XRootD data server on :$XRD_PORT (and XrdHttp on :$XRD_HTTP_PORT), namespace /store, adler32 checksums.
set -euo pipefail
. "$(dirname "$0")/common.sh"
R=$FERRY_SERVICES_DIR/xrootd
command -v xrootd >/dev/null && command -v xrdcp >/dev/null || install xrootd-server xrootd-client
id xrootd >/dev/null 2>&1 || useradd -r -M -s /usr/sbin/nologin xrootd
mkdir -p "$R/data/store" "$R/admin" "$R/run" "$R/log"
chmod 755 "$FERRY_SERVICES_DIR"
chown -R xrootd:xrootd "$R"
cat > "$R/xrootd.cfg" <<CFG
all.role server
xrd.port $XRD_PORT
xrd.allow host localhost
xrd.allow host 127.0.0.1
oss.localroot $R/data
all.export /store
all.adminpath $R/admin
all.pidpath $R/run
xrootd.chksum adler32
xrd.protocol XrdHttp:$XRD_HTTP_PORT libXrdHttp.so
CFG
if ! alive "$R/pid"; then
  xrootd -b -I v4 -c "$R/xrootd.cfg" -l "$R/log/xrootd.log" -s "$R/pid" -R xrootd -n ferry
  wait_for xrdfs "127.0.0.1:$XRD_PORT" ls /store
fi
echo "xrootd $(cat "$R/pid") on :$XRD_PORT"
