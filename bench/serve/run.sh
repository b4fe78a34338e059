#!/usr/bin/env bash
# Serving benchmark: Larder (`larder serve`, Release build, SQLite + folder) against nginx serving the same closure as
# a static binary cache (`nix copy --to file://…`, which is how cache.nixos.org is laid out), on loopback.
#   bench/serve/run.sh                 # defaults below
#   PATHS=30 DURATION=10 CONNECTIONS=32 bench/serve/run.sh
# Prints a table: narinfo requests/second and NAR download throughput for nginx and Larder, and Larder/nginx ratios.
# Not part of the test suite. Everything runs on 127.0.0.1; servers are stopped by PID on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
here=$root/bench/serve

PATHS=${PATHS:-30}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
WRK_THREADS=${WRK_THREADS:-1}
work=$(mktemp -d /tmp/larder-bench-serve.XXXXXX)
export LARDER_ARTIFACTS=${LARDER_ARTIFACTS:-$work/artifacts}

"$root/eng/install-deps.sh" --bench

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { # a random unused loopback port
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}
wait_port() { for _ in $(seq 1 300); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }

# 1. An isolated Nix: no daemon, no substituters, no narinfo caching.
mkdir -p "$work/nix/etc" "$work/nix/cache"
cat > "$work/nix/etc/nix.conf" <<'CONF'
build-users-group =
sandbox = false
substituters =
require-sigs = false
experimental-features = nix-command
narinfo-cache-negative-ttl = 0
narinfo-cache-positive-ttl = 0
download-attempts = 1
fsync-metadata = false
CONF
export NIX_CONF_DIR=$work/nix/etc NIX_USER_CONF_FILES=/dev/null XDG_CACHE_HOME=$work/nix/cache

echo "== building a chain of $PATHS store paths"
out=$(timeout 900 nix-build "$here/bench.nix" --arg n "$PATHS" --argstr salt "$(date +%s%N)" --no-out-link)
mapfile -t closure < <(nix-store -qR "$out")
echo "   ${#closure[@]} paths, $(du -sch "${closure[@]}" | tail -1 | cut -f1) on disk"

echo "== static cache for nginx (nix copy --to file://)"
timeout 900 nix copy --to "file://$work/static?compression=zstd" "$out"

echo "== building larder (Release)"
dotnet build -c Release "$root/src/Larder.Cli" -v q -nologo >/dev/null
larder_dll=$(find "$LARDER_ARTIFACTS/bin/Larder.Cli" -name larder.dll -path '*release*' | head -1)

# nginx workers drop root: let them read the static cache (mktemp made the work folder private).
chmod 755 "$work"; chmod -R a+rX "$work/static"
nginx_port=$(free_port)
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  types { text/x-nix-narinfo narinfo; application/x-nix-nar nar zst; text/plain nix-cache-info; }
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy; fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  server { listen 127.0.0.1:$nginx_port; root $work/static; }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
pids+=($!)

larder_port=$(free_port)
mkdir -p "$work/larder"
dotnet "$larder_dll" serve --listen "127.0.0.1:$larder_port" --data "$work/larder" >"$work/larder.log" 2>&1 &
pids+=($!)
wait_port "$nginx_port"
wait_port "$larder_port"
admin=$(cat "$work/larder/admin-token")

echo "== pushing the closure to larder (nix copy --to http://…/bench)"
curl -sf -X POST "http://127.0.0.1:$larder_port/api/v1/caches" -H "Authorization: Bearer $admin" \
  -H 'Content-Type: application/json' -d '{"name":"bench","public":true}' >/dev/null
printf 'machine 127.0.0.1\npassword %s\n' "$admin" > "$work/netrc"
echo "netrc-file = $work/netrc" >> "$work/nix/etc/nix.conf"
timeout 900 nix copy --to "http://127.0.0.1:$larder_port/bench?compression=zstd" "$out"

# 2. URL lists: every narinfo, and every NAR (as each server names it).
: > "$work/nginx-narinfo"; : > "$work/larder-narinfo"; : > "$work/nginx-nar"; : > "$work/larder-nar"
for path in "${closure[@]}"; do
  hash=$(basename "$path" | cut -c1-32)
  echo "/$hash.narinfo" >> "$work/nginx-narinfo"
  echo "/bench/$hash.narinfo" >> "$work/larder-narinfo"
  echo "/$(grep '^URL: ' "$work/static/$hash.narinfo" | cut -d' ' -f2)" >> "$work/nginx-nar"
  echo "/bench/$(curl -sf "http://127.0.0.1:$larder_port/bench/$hash.narinfo" | grep '^URL: ' | cut -d' ' -f2)" >> "$work/larder-nar"
done

measure() { # name port pathfile -> "rps bytes_per_second"
  local line
  WRK_PATHS=$3 wrk -t1 -c"$CONNECTIONS" -d2s -s "$here/rotate.lua" "http://127.0.0.1:$2" >/dev/null  # warm-up
  line=$(WRK_PATHS=$3 wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s "$here/rotate.lua" "http://127.0.0.1:$2" | grep '^RESULT')
  case $line in *"errors=0 non2xx=0"*) ;; *) echo "$1: errors during the run: $line" >&2; exit 1 ;; esac
  echo "$line" | sed -E 's/.*requests_per_second=([0-9.]+) bytes_per_second=([0-9]+).*/\1 \2/'
}

ROUNDS=${ROUNDS:-3}
echo "== measuring ($ROUNDS alternating rounds of $DURATION s per server and kind, $CONNECTIONS connections, keep-alive; best round counts)"
best() { echo "$1 $2" | awk '{ print ($1 > $2) ? $1 : $2 }'; }
ngx_rps=0 lar_rps=0 ngx_bps=0 lar_bps=0
for round in $(seq 1 "$ROUNDS"); do
  read -r rps _ < <(measure nginx "$nginx_port" "$work/nginx-narinfo"); ngx_rps=$(best "$ngx_rps" "$rps")
  read -r rps _ < <(measure larder "$larder_port" "$work/larder-narinfo"); lar_rps=$(best "$lar_rps" "$rps")
  read -r _ bps < <(measure nginx "$nginx_port" "$work/nginx-nar"); ngx_bps=$(best "$ngx_bps" "$bps")
  read -r _ bps < <(measure larder "$larder_port" "$work/larder-nar"); lar_bps=$(best "$lar_bps" "$bps")
  echo "   round $round: narinfo/s nginx $ngx_rps larder $lar_rps; NAR B/s nginx $ngx_bps larder $lar_bps (best so far)"
done
echo "   load average: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews both servers)"
printf '\n%-28s %14s %14s %8s\n' "metric" "nginx" "larder" "ratio"
printf '%-28s %14.0f %14.0f %8.2f\n' "narinfo requests/s" "$ngx_rps" "$lar_rps" "$(echo "$lar_rps / $ngx_rps" | bc -l)"
printf '%-28s %14.1f %14.1f %8.2f\n' "NAR download MiB/s" "$(echo "$ngx_bps / 1048576" | bc -l)" "$(echo "$lar_bps / 1048576" | bc -l)" \
  "$(echo "$lar_bps / $ngx_bps" | bc -l)"
echo "(${#closure[@]} paths; target: larder >= 0.9x nginx on both)"
