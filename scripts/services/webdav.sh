#!/usr/bin/env bash
# nginx WebDAV on 127.0.0.1:$DAV_PORT serving $R/data (PUT, DELETE, MKCOL, COPY, MOVE, PROPFIND).
set -euo pipefail
. "$(dirname "$0")/common.sh"
R=$FERRY_SERVICES_DIR/webdav
[ -f /usr/lib/nginx/modules/ngx_http_dav_ext_module.so ] || install nginx-extras
mkdir -p "$R/data" "$R/tmp"
chown www-data:www-data "$R/data" "$R/tmp"
cat > "$R/nginx.conf" <<CFG
load_module /usr/lib/nginx/modules/ngx_http_dav_ext_module.so;
user www-data;
worker_processes 2;
pid $R/nginx.pid;
error_log $R/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $R/tmp/body; proxy_temp_path $R/tmp/proxy;
  fastcgi_temp_path $R/tmp/fcgi; uwsgi_temp_path $R/tmp/uwsgi; scgi_temp_path $R/tmp/scgi;
  sendfile on;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:$DAV_PORT;
    root $R/data;
    client_max_body_size 0;
    location / {
      dav_methods PUT DELETE MKCOL COPY MOVE;
      dav_ext_methods PROPFIND OPTIONS;
      create_full_put_path on;
      dav_access user:rw group:rw all:r;
    }
  }
}
CFG
nginx -t -q -e "$R/error.log" -c "$R/nginx.conf"
alive "$R/nginx.pid" || { nginx -e "$R/error.log" -c "$R/nginx.conf"; wait_for test -s "$R/nginx.pid"; }
echo "nginx $(cat "$R/nginx.pid") on 127.0.0.1:$DAV_PORT"
