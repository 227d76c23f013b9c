# Shared settings for the test storage servers. Everything lives under one directory and binds to 127.0.0.1
# (XRootD cannot: it binds all interfaces but only admits localhost).
FERRY_SERVICES_DIR=${FERRY_SERVICES_DIR:-/tmp/ferry-test-services}
SSH_PORT=${FERRY_SSH_PORT:-2222}
DAV_PORT=${FERRY_DAV_PORT:-8081}
XRD_PORT=${FERRY_XRD_PORT:-1094}
XRD_HTTP_PORT=${FERRY_XRD_HTTP_PORT:-1095}
S3_PORT=${FERRY_S3_PORT:-4568}

# alive PIDFILE: the process named in PIDFILE is running.
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# install PACKAGE...: apt-get install, only when run as root (CI and the project's machines are).
install() {
  if [ "$(id -u)" != 0 ]; then echo "need root to install $*" >&2; return 1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 "$@" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 "$@" >/dev/null; }
}

# wait_for COMMAND...: retry for up to 10 s.
wait_for() { for _ in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
