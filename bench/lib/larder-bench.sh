# Shared set-up of the benchmarks that run a real `larder serve` against the real Nix. Source it after setting
# bench_name (used in messages), root (the repository) and work (the run's temporary folder), then
# `trap bench_cleanup EXIT`.
server_pids=()

# bench_stop_servers: stops every server start_server started.
bench_stop_servers() {
  for pid in "${server_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
}

# bench_cleanup: stops every server start_server started and removes $work.
bench_cleanup() {
  bench_stop_servers
  rm -rf "$work"
}

# bench_private_nix [NIX.CONF LINES…]: Nix with a private configuration (no daemon, no substituters, no narinfo
# caching, netrc in $work/nix/netrc), plus the given lines.
bench_private_nix() {
  mkdir -p "$work/nix" "$work/xdg"
  {
    printf '%s\n' "build-users-group =" "sandbox = false" "substituters =" "experimental-features = nix-command" \
      "narinfo-cache-negative-ttl = 0" "narinfo-cache-positive-ttl = 0" "download-attempts = 1" "connect-timeout = 5" \
      "fsync-metadata = false" "netrc-file = $work/nix/netrc"
    [ $# -eq 0 ] || printf '%s\n' "$@"
  } > "$work/nix/nix.conf"
  export NIX_CONF_DIR=$work/nix NIX_USER_CONF_FILES=/dev/null XDG_CACHE_HOME=$work/xdg NIX_REMOTE=
}

# bench_build_larder: a Release build of the CLI; sets larder_cmd (the command that runs it) and defines `larder`.
bench_build_larder() {
  echo "== building larder (Release)"
  dotnet build -c Release -v quiet -nologo "$root/src/Larder.Cli/Larder.Cli.csproj" >"$work/build.log" ||
    { cat "$work/build.log" >&2; exit 1; }
  larder_cmd=(dotnet "$LARDER_ARTIFACTS/bin/Larder.Cli/release/larder.dll")
}

# bench_install_larder: the larder users run, installed into $work/install by eng/install.sh (Native AOT when a C
# compiler is there, else ReadyToRun); sets larder_cmd and larder_build (the build install.sh made).
bench_install_larder() {
  echo "== installing larder into the run's folder (eng/install.sh)"
  "$root/eng/install.sh" "$work/install" > "$work/install.log" 2>&1 || { cat "$work/install.log" >&2; exit 1; }
  larder_build=$(sed -n 's/^built larder (\(.*\))$/\1/p' "$work/install.log")
  echo "   built: $larder_build"
  larder_cmd=("$work/install/bin/larder")
}
larder() { "${larder_cmd[@]}" "$@"; }

# start_server NAME ARGS…: `larder serve` on a free port with data in $work/NAME, log in $work/NAME.log; waits until it
# answers and has written its admin token; sets url and server_pid.
start_server() {
  local name=$1 port
  shift
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  url=http://127.0.0.1:$port
  "${larder_cmd[@]}" serve --listen "127.0.0.1:$port" --data "$work/$name" "$@" > "$work/$name.log" 2>&1 &
  server_pid=$!
  server_pids+=("$server_pid")
  for _ in $(seq 1 600); do
    [ -s "$work/$name/admin-token" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/api/v1/whoami")" != 000 ] && return
    kill -0 "$server_pid" 2>/dev/null || { echo "$bench_name: larder serve exited:" >&2; cat "$work/$name.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$bench_name: larder serve did not start" >&2
  exit 1
}

# seconds COMMAND…: its wall-clock seconds; its output goes to $work/commands.log, and a failure ends the run.
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" >> "$work/commands.log" 2>&1 || { echo "$bench_name: '$*' failed:" >&2; tail -20 "$work/commands.log" >&2; exit 1; }
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }'
}
