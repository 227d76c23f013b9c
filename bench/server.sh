# Sourced by the benchmarks: builds the CLI once (outside the timings) and starts a `ferry server` on a fresh
# FERRY_HOME, exporting what the CLI needs to reach it. Sets ferry=(...), server_pid and server_port.
"$here/ferry" --help > /dev/null
ferry=(dotnet "$here/.ferry-build/ferry.dll")
# start_server [DIR [SERVER-ARGS...]]: home in DIR/home and log in DIR/server.log (DIR defaults to $work); the
# server's own store is whatever FERRY_DATABASE says, the embedded SQLite when it is unset.
start_server() {
  local dir=${1:-$work}
  shift $(( $# > 0 ? 1 : 0 ))
  export FERRY_HOME="$dir/home" FERRY_ROOT_PASSWORD=bench
  server_port=$(( 20000 + RANDOM % 20000 ))
  local port=$server_port
  "${ferry[@]}" server --listen "127.0.0.1:$port" "$@" > "$dir/server.log" 2>&1 &
  server_pid=$!
  export FERRY_URL="http://127.0.0.1:$port" FERRY_ACCOUNT=root FERRY_PASSWORD=bench
  until "${ferry[@]}" ping > /dev/null 2>&1; do sleep 0.2; done
}
