#!/usr/bin/env bash
# Serving benchmark (issue 16): Larder (`larder serve` as eng/install.sh builds it: Native AOT, else ReadyToRun; SQLite + folder) against nginx serving the same
# closures as a static binary cache (`nix copy --to file://…?compression=zstd`, which is how cache.nixos.org is laid
# out), on loopback. By default:
#   - a closure of PATHS small paths plus one BIG_MIB MiB path of random bytes, pushed with `nix copy` to nginx's folder
#     and to a public and a private Larder cache;
#   - narinfo requests with `wrk -t WRK_THREADS -c CONNECTIONS -d DURATION` over every path of that closure plus
#     MISS_PERCENT% misses (hash parts that exist nowhere): nginx, Larder public anonymous, Larder private with a read token;
#   - the big NAR downloaded with curl NAR_DOWNLOADS times from each, alternating;
#   - `nix copy --from` each of a COPY_PATHS-path closure into an empty store (anonymous, like nginx's);
#   best of ROUNDS rounds each, and the copies again in COPY_PAIRS back-to-back pairs (order alternating: the median of
#   the pairs' ratios); prints the ratios and the load average with every figure, and each server's CPU time
#   (user + system, of nginx's workers and of Larder's process) per unit of work, and their context switches per copy:
#   figures that a busy machine skews far less than the wall-clock ratios.
#   bench/serve/run.sh
#   PATHS=30 BIG_MIB=50 COPY_PATHS=50 DURATION=4 bench/serve/run.sh     # a quick run
#   PERF_RECORD=/tmp/copy.perf LARDER_INSTALL=readytorun bench/serve/run.sh
#        # also `perf record -g` Larder during each of its copies (one file per copy, with the runtime's perf map for
#        # managed frames; install.sh drops the Native AOT build's symbols, hence the ReadyToRun build)
# Not part of the test suite. Everything runs on 127.0.0.1; servers are stopped by PID on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
here=$root/bench/serve

PATHS=${PATHS:-120}
BIG_MIB=${BIG_MIB:-300}
COPY_PATHS=${COPY_PATHS:-300}
MISS_PERCENT=${MISS_PERCENT:-20}
DURATION=${DURATION:-8}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
NAR_DOWNLOADS=${NAR_DOWNLOADS:-3}
ROUNDS=${ROUNDS:-2}
COPY_PAIRS=${COPY_PAIRS:-6}
work=$(mktemp -d /tmp/larder-bench-serve.XXXXXX)
export LARDER_ARTIFACTS=${LARDER_ARTIFACTS:-$work/artifacts}

"$root/eng/install-deps.sh" --bench

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  chmod -R u+w "$work" 2>/dev/null || true
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
load() { cut -d' ' -f1 /proc/loadavg; }

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

salt=$(date +%s%N)
echo "== building $PATHS small paths plus one $BIG_MIB MiB path, and a $COPY_PATHS-path closure for nix copy --from"
out=$(timeout 1800 nix-build "$here/bench.nix" --arg n "$PATHS" --arg bigMiB "$BIG_MIB" --argstr salt "$salt" --no-out-link)
copy_out=$(timeout 1800 nix-build "$here/bench.nix" --arg n "$COPY_PATHS" --argstr salt "copy-$salt" --no-out-link)
mapfile -t closure < <(nix-store -qR "$out")
echo "   ${#closure[@]} paths, $(du -sch "${closure[@]}" | tail -1 | cut -f1) on disk; copy closure $(nix-store -qR "$copy_out" | wc -l) paths"

echo "== static cache for nginx (nix copy --to file://…?compression=zstd)"
timeout 1800 nix copy --to "file://$work/static?compression=zstd" "$out" "$copy_out"

# The larder users run: eng/install.sh's build (Native AOT when a C compiler is there, else ReadyToRun). A plain Release
# build compiles every method at start, so a young server's CPU per copy was a third JIT.
echo "== installing larder (eng/install.sh)"
"$root/eng/install.sh" "$work/install" > "$work/install.log" 2>&1 || { cat "$work/install.log" >&2; exit 1; }
echo "   built: $(sed -n 's/^built larder (\(.*\))$/\1/p' "$work/install.log")"
larder_bin=$work/install/bin/larder

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
nginx_master=$!

larder_port=$(free_port)
mkdir -p "$work/larder"
DOTNET_PerfMapEnabled=${PERF_RECORD:+1} "$larder_bin" serve --listen "127.0.0.1:$larder_port" --data "$work/larder" >"$work/larder.log" 2>&1 &
pids+=($!)
larder_pid=$!
wait_port "$nginx_port"
wait_port "$larder_port"
admin=$(cat "$work/larder/admin-token")
nginx_url=http://127.0.0.1:$nginx_port
larder_url=http://127.0.0.1:$larder_port

echo "== pushing to larder: the closure to a public and a private cache, the copy closure to the public one"
api() { curl -sf "$larder_url/api/v1/$1" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' -d "$2"; }
api caches '{"name":"bench","public":true}' >/dev/null
api caches '{"name":"private","public":false}' >/dev/null
read_token=$(api tokens '{"description":"bench reader","grants":[{"cache":"private","permissions":["read"]}]}' |
  sed -E 's/.*"secret":"([^"]+)".*/\1/')
printf 'machine 127.0.0.1\npassword %s\n' "$admin" > "$work/netrc"
echo "netrc-file = $work/netrc" >> "$work/nix/etc/nix.conf"
timeout 1800 nix copy --to "$larder_url/bench?compression=zstd" "$out" "$copy_out"
timeout 1800 nix copy --to "$larder_url/private?compression=zstd" "$out"
# Nix sends a netrc's credentials with every request, unasked: without this the copies below would read the public
# cache with the admin token while nginx's read anonymously. Issue 16 is about public, anonymous reads.
sed -i '/^netrc-file = /d' "$work/nix/etc/nix.conf"

# 2. URL lists: every narinfo of the closure plus MISS_PERCENT% hash parts that exist nowhere, interleaved.
misses=$(( ${#closure[@]} * MISS_PERCENT / 100 ))
: > "$work/hashes"
for path in "${closure[@]}"; do basename "$path" | cut -c1-32 >> "$work/hashes"; done
for i in $(seq 1 "$misses"); do
  printf '%032d' "$i" | tr '0-9' 'abcdfghijk' >> "$work/hashes"; echo >> "$work/hashes"
done
shuf --random-source=<(yes) "$work/hashes" > "$work/hashes.shuffled"
sed 's|.*|/&.narinfo|' "$work/hashes.shuffled" > "$work/nginx-narinfo"
sed 's|.*|/bench/&.narinfo|' "$work/hashes.shuffled" > "$work/larder-narinfo"
sed 's|.*|/private/&.narinfo|' "$work/hashes.shuffled" > "$work/private-narinfo"
big_hash=$(basename "$out" | cut -c1-32)
nginx_nar="$nginx_url/$(grep '^URL: ' "$work/static/$big_hash.narinfo" | cut -d' ' -f2)"
larder_nar="$larder_url/bench/$(curl -sf "$larder_url/bench/$big_hash.narinfo" | grep '^URL: ' | cut -d' ' -f2)"

cpu_ms() { # pids... -> their CPU time so far (user + system, all threads), in ms
  local pid ticks=0
  for pid in "$@"; do ticks=$((ticks + $(awk '{ print $14 + $15 }' "/proc/$pid/stat"))); done
  echo $((ticks * 1000 / $(getconf CLK_TCK)))
}
server_pids() { # port -> the pids that serve it: nginx's workers, or Larder's process
  if [ "$1" = "$nginx_port" ]; then pgrep -P "$nginx_master" | tr '\n' ' '; else echo "$larder_pid"; fi
}
narinfo_rps() { # name port pathfile [authorization] -> requests/s (fails on socket errors or a wrong share of 404s)
  local line non2xx requests cpu0
  WRK_PATHS=$3 WRK_AUTHORIZATION=${4:-} wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d2s -s "$here/rotate.lua" "http://127.0.0.1:$2" >/dev/null  # warm-up
  cpu0=$(cpu_ms $(server_pids "$2"))
  line=$(WRK_PATHS=$3 WRK_AUTHORIZATION=${4:-} wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s "$here/rotate.lua" "http://127.0.0.1:$2" | grep '^RESULT')
  case $line in *"errors=0 "*) ;; *) echo "$1: socket errors during the run: $line" >&2; exit 1 ;; esac
  non2xx=$(echo "$line" | sed -E 's/.*non2xx=([0-9]+).*/\1/'); requests=$(echo "$line" | sed -E 's/.*requests=([0-9]+).*/\1/')
  # Every connection rotates over the same list, so the 404 share is the list's share of misses (give or take a lap).
  if (( non2xx * 100 > requests * (MISS_PERCENT + 5) || non2xx * 100 < requests * (MISS_PERCENT - 5) )); then
    echo "$1: $non2xx of $requests answers were not 2xx, expected about $MISS_PERCENT% (the misses)" >&2; exit 1
  fi
  echo "narinfo-$1 $(( $(cpu_ms $(server_pids "$2")) - cpu0 )) $requests" >> "$work/cpu.log"
  echo "$line" | sed -E 's/.*requests_per_second=([0-9.]+).*/\1/'
}
nar_seconds() { # name port url -> seconds for NAR_DOWNLOADS sequential downloads on one connection each
  local start end cpu0
  cpu0=$(cpu_ms $(server_pids "$2"))
  start=$(date +%s.%N)
  for _ in $(seq 1 "$NAR_DOWNLOADS"); do curl -sf -o /dev/null "$3"; done
  end=$(date +%s.%N)
  echo "nar-$1 $(( $(cpu_ms $(server_pids "$2")) - cpu0 )) $NAR_DOWNLOADS" >> "$work/cpu.log"
  echo "$end - $start" | bc -l
}
copy_seconds() { # name port substituter-url -> seconds for nix copy --from of the copy closure into an empty store
  local store start end cpu0 perf_pid="" record_pid=""
  store=$(mktemp -d "$work/store.XXXXXX")
  if [ "$1" != file ]; then
    cpu0=$(cpu_ms $(server_pids "$2"))
    if command -v perf >/dev/null; then
      # Counted by perf, since /proc's per-thread counts lose the threads that come and go. Its output goes to the
      # file: an inherited stdout would keep the caller's $(…) waiting until perf ends.
      rm -f "$work/switches"
      perf stat -e context-switches -x, -o "$work/switches" -p "$(echo $(server_pids "$2") | tr ' ' ',')" >/dev/null 2>&1 &
      perf_pid=$!
      # perf writes the file's header once it counts; on a busy machine that takes a while.
      for _ in $(seq 1 100); do [ -s "$work/switches" ] && break; sleep 0.1; done
    fi
  fi
  if [ "$1" = larder ] && [ -n "${PERF_RECORD:-}" ]; then
    perf record -F 999 -g -o "$PERF_RECORD.$(date +%s%N)" -p "$larder_pid" >/dev/null 2>&1 &
    record_pid=$!
    sleep 1
  fi
  start=$(date +%s.%N)
  timeout 900 nix copy --from "$3" --to "$store" "$copy_out"
  end=$(date +%s.%N)
  if [ -n "${record_pid:-}" ]; then kill -INT "$record_pid"; wait "$record_pid" || true; record_pid=""; fi
  if [ "$1" != file ]; then
    echo "copy-$1 $(( $(cpu_ms $(server_pids "$2")) - cpu0 )) 1" >> "$work/cpu.log"
    if [ -n "$perf_pid" ]; then
      kill -INT "$perf_pid"; wait "$perf_pid" || true
      echo "switches-$1 $(awk -F, '/context-switches/ { print $1 }' "$work/switches") 1" >> "$work/cpu.log"
    fi
  fi
  chmod -R u+w "$store"; rm -rf "$store"
  echo "$end - $start" | bc -l
}
max() { echo "$1 $2" | awk '{ print ($1 > $2) ? $1 : $2 }'; }
min() { echo "$1 $2" | awk '{ print ($1 == 0 || $2 < $1) ? $2 : $1 }'; }

echo "== measuring: best of $ROUNDS rounds; each figure with the 1-minute load average when it was taken"
echo "   load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
: > "$work/cpu.log"
ngx_rps=0 pub_rps=0 priv_rps=0 ngx_nar=0 lar_nar=0 ngx_copy=0 lar_copy=0
for round in $(seq 1 "$ROUNDS"); do
  r=$(narinfo_rps nginx "$nginx_port" "$work/nginx-narinfo"); ngx_rps=$(max "$ngx_rps" "$r"); echo "   narinfo/s nginx $r (load $(load))"
  r=$(narinfo_rps larder "$larder_port" "$work/larder-narinfo"); pub_rps=$(max "$pub_rps" "$r"); echo "   narinfo/s larder public $r (load $(load))"
  r=$(narinfo_rps larder-private "$larder_port" "$work/private-narinfo" "Bearer $read_token"); priv_rps=$(max "$priv_rps" "$r")
  echo "   narinfo/s larder private, read token $r (load $(load))"
  for _ in 1 2; do
    s=$(nar_seconds nginx "$nginx_port" "$nginx_nar"); ngx_nar=$(min "$ngx_nar" "$s"); echo "   ${NAR_DOWNLOADS} x $BIG_MIB MiB NAR nginx $s s (load $(load))"
    s=$(nar_seconds larder "$larder_port" "$larder_nar"); lar_nar=$(min "$lar_nar" "$s"); echo "   ${NAR_DOWNLOADS} x $BIG_MIB MiB NAR larder $s s (load $(load))"
  done
  s=$(copy_seconds file 0 "file://$work/static"); echo "   nix copy --from file:// (reference, not a server) $s s"
  s=$(copy_seconds nginx "$nginx_port" "$nginx_url"); ngx_copy=$(min "$ngx_copy" "$s"); echo "   nix copy --from nginx $s s (load $(load))"
  s=$(copy_seconds larder "$larder_port" "$larder_url/bench"); lar_copy=$(min "$lar_copy" "$s"); echo "   nix copy --from larder $s s (load $(load))"
done
# Nix's own CPU per copy drifts on a shared machine (0.6–2.7 s for the same closure within minutes), more than the
# servers differ: besides the best of the rounds, copies in back-to-back pairs, the order alternating, give a ratio per
# pair whose median the drift moves least.
pair_ratios=()
for pair in $(seq 1 "$COPY_PAIRS"); do
  if (( pair % 2 )); then
    n=$(copy_seconds nginx "$nginx_port" "$nginx_url"); l=$(copy_seconds larder "$larder_port" "$larder_url/bench")
  else
    l=$(copy_seconds larder "$larder_port" "$larder_url/bench"); n=$(copy_seconds nginx "$nginx_port" "$nginx_url")
  fi
  pair_ratios+=("$(echo "$l / $n" | bc -l)")
  printf '   copy pair %d: nginx %.2f s, larder %.2f s: %.2fx (load %s)\n' "$pair" "$n" "$l" "${pair_ratios[-1]}" "$(load)"
done
read -r pair_median pair_low pair_high < <(printf '%s\n' "${pair_ratios[@]}" | sort -g |
  awk '{ v[NR] = $1 } END { m = (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2); printf "%.2f %.2f %.2f\n", m, v[1], v[NR] }')
echo "   load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews both servers)"
printf '\n%-44s %12s %12s %8s %s\n' "metric (best of $ROUNDS)" "nginx" "larder" "ratio" "target"
printf '%-44s %12.0f %12.0f %8.2f %s\n' "narinfo req/s, public, anonymous" "$ngx_rps" "$pub_rps" "$(echo "$pub_rps / $ngx_rps" | bc -l)" ">= 0.9"
printf '%-44s %12.0f %12.0f %8.2f %s\n' "narinfo req/s, private, read token" "$ngx_rps" "$priv_rps" "$(echo "$priv_rps / $ngx_rps" | bc -l)" ">= 0.9"
printf '%-44s %12.3f %12.3f %8.2f %s\n' "${NAR_DOWNLOADS} x $BIG_MIB MiB NAR, seconds (ratio: speed)" "$ngx_nar" "$lar_nar" "$(echo "$ngx_nar / $lar_nar" | bc -l)" ">= 0.9"
printf '%-44s %12.2f %12.2f %8.2f %s\n' "nix copy --from, $COPY_PATHS paths, seconds" "$ngx_copy" "$lar_copy" "$(echo "$lar_copy / $ngx_copy" | bc -l)" "<= 1.1 (time)"
printf '%-44s %12s %12s %8.2f %s\n' "nix copy --from, median of $COPY_PAIRS pairs" "-" "-" "$pair_median" "<= 1.1 (pairs $pair_low-$pair_high)"
echo "(${#closure[@]} paths + $misses misses in the narinfo list; $WRK_THREADS wrk threads, $CONNECTIONS connections)"
# Server CPU per unit, summed over the rounds (the warm-up runs of wrk are not counted).
printf '\n%-44s %12s %12s %8s\n' "server CPU (user + system), all rounds" "nginx" "larder" "ratio"
cpu_row() { # label unit-divisor nginx-key larder-key [larder-key-2]
  local n l
  n=$(awk -v k="$3" -v d="$2" '$1 == k { c += $2; u += $3 } END { printf "%.1f", (u ? c / u * d : 0) }' "$work/cpu.log")
  l=$(awk -v k="$4" -v d="$2" '$1 == k { c += $2; u += $3 } END { printf "%.1f", (u ? c / u * d : 0) }' "$work/cpu.log")
  printf '%-44s %12s %12s %8.2f\n' "$1" "$n" "$l" "$(echo "$l / ($n + 0.000001)" | bc -l)"
}
cpu_row "ms per 100k narinfo requests, public" 100000 narinfo-nginx narinfo-larder
cpu_row "ms per 100k narinfo requests, private" 100000 narinfo-nginx narinfo-larder-private
cpu_row "ms per $BIG_MIB MiB NAR" 1 nar-nginx nar-larder
cpu_row "ms per nix copy --from ($COPY_PATHS paths)" 1 copy-nginx copy-larder
# Each thread hop of a request is a wake-up the client waits for: the figure a busy machine skews least of all.
if command -v perf >/dev/null; then cpu_row "context switches per nix copy --from (perf)" 1 switches-nginx switches-larder; fi
