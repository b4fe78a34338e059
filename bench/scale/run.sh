#!/usr/bin/env bash
# Scale-out benchmark, PostgreSQL + S3 (Ceph radosgw) against SQLite + folder, measured in the same run:
#   1. the metadata store at scale: PATHS paths bulk-loaded into each database, then narinfo lookups through the
#      real store (GetPathAsync, p50/p99 of 20,000) and a 30,000-hash missing-paths query (FindMissingAsync);
#   2. a real `larder serve` (as eng/install.sh builds it: Native AOT, else ReadyToRun) per backend pair: the server's
#      CPU time (user + system, /proc/PID/stat) per pushed path (CPU_PATHS x CPU_BYTES after CPU_WARMUP paths, 8 in
#      flight; then again at steady state, after CPU_STEADY_WARMUP more paths and a pause), push throughput (Nix's PUT
#      nar + PUT narinfo, synthetic NARs, small and large) and narinfo throughput under wrk. PostgreSQL + S3 also gets its database backends' CPU per pushed path
#      (same window; only when PostgreSQL runs on this machine). The small and large pushes also print where their CPU
#      went per path: server, PostgreSQL backends, radosgw + OSD (when on this machine), the whole machine.
#   bench/scale/run.sh                        # defaults below
#   PATHS=200000 DURATION=5 bench/scale/run.sh
#   SERVER_ARGS="--Larder:Storage:InlineThreshold=0" bench/scale/run.sh   # extra `larder serve` options for both servers
# Uses LARDER_BENCH_POSTGRES / LARDER_BENCH_S3_URL (+ _ACCESS_KEY, _SECRET_KEY) when set, else starts its own
# PostgreSQL and Ceph on ports of its own with eng/services and stops them (by PID) on exit. Not part of the test
# suite; about 8 minutes on an idle 2-core machine with the default PATHS=1000000.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

PATHS=${PATHS:-1000000}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
SMALL_COUNT=${SMALL_COUNT:-400}
SMALL_BYTES=${SMALL_BYTES:-65536}
LARGE_COUNT=${LARGE_COUNT:-6}
LARGE_BYTES=${LARGE_BYTES:-67108864}
CPU_WARMUP=${CPU_WARMUP:-300}
CPU_PATHS=${CPU_PATHS:-600}
CPU_BYTES=${CPU_BYTES:-4096}
# The steady-state figure: measured again after this many more paths and a pause (for a JIT build, LARDER_INSTALL=plain:
# after 300 paths its tier-1 recompiles still run, at a moment that varies from run to run: 8% to 44% of the window's
# CPU; the Native AOT build has none, and a warm cache's buffers and pools are filled either way).
CPU_STEADY_WARMUP=${CPU_STEADY_WARMUP:-1500}
read -r -a server_args <<<"${SERVER_ARGS:-}"
work=$(mktemp -d /tmp/larder-bench-scale.XXXXXX)
export LARDER_ARTIFACTS=${LARDER_ARTIFACTS:-$work/artifacts}

for tool in wrk curl psql; do
  command -v "$tool" >/dev/null || { echo "bench/scale: '$tool' is missing (eng/install-deps.sh --bench installs it)" >&2; exit 1; }
done

pids=()
started_pg=0 started_ceph=0
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  # The HTTP servers' database, when the PostgreSQL is the caller's (a server this script started goes with $work).
  [ -n "${pg_http_db:-}" ] && [ "$started_pg" = 0 ] && \
    psql "host=127.0.0.1 port=$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$pg") user=postgres dbname=postgres" -qc "DROP DATABASE IF EXISTS $pg_http_db WITH (FORCE);" >/dev/null 2>&1 || true
  [ "$started_pg" = 1 ] && PGD=$work/pg "$root/eng/services/pg-down.sh" >/dev/null 2>&1 || true
  [ "$started_ceph" = 1 ] && CEPH_DIR=$work/ceph "$root/eng/services/ceph-down.sh" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}
wait_port() { for _ in $(seq 1 600); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }
field() { { grep -o "$1=[^ ]*" <<<"$2" || true; } | head -1 | cut -d= -f2; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== services"
if [ -n "${LARDER_BENCH_POSTGRES:-}" ]; then
  pg=$LARDER_BENCH_POSTGRES
else
  pg=$(PGPORT=$(free_port) PGD=$work/pg "$root/eng/services/pg-up.sh"); started_pg=1
fi
if [ -n "${LARDER_BENCH_S3_URL:-}" ]; then
  s3=$LARDER_BENCH_S3_URL s3_access=${LARDER_BENCH_S3_ACCESS_KEY:?} s3_secret=${LARDER_BENCH_S3_SECRET_KEY:?}
else
  s3_access=BENCHACCESSKEY s3_secret=BENCHSECRETKEY0123
  s3=$(CEPH_DIR=$work/ceph RGW_PORT=$(free_port) MON_PORT=$(free_port) S3_ACCESS_KEY=$s3_access S3_SECRET_KEY=$s3_secret \
    "$root/eng/services/ceph-up.sh" 2>"$work/ceph-up.log") || { cat "$work/ceph-up.log" >&2; exit 1; }
  started_ceph=1
fi
echo "postgres: $pg"; echo "s3: $s3"

# The larder users run: eng/install.sh's build (Native AOT when a C compiler is there, else ReadyToRun). A JIT build was
# still recompiling (tier 1) a fifth of the PostgreSQL + S3 server's CPU after 2,500 pushed paths, more code than on
# SQLite + folder (the S3 SDK, Npgsql): its CPU per path and push rate measured the JIT as much as the server.
echo "== installing larder (eng/install.sh) and building the bench tool (Release)"
"$root/eng/install.sh" "$work/install" > "$work/install.log" 2>&1 || { cat "$work/install.log" >&2; exit 1; }
larder_build=$(sed -n 's/^built larder (\(.*\))$/\1/p' "$work/install.log")
echo "   built: $larder_build"
larder_cmd=("$work/install/bin/larder")
dotnet build -c Release -v quiet -nologo -clp:ErrorsOnly "$root/bench/scale/Larder.Bench.Scale.csproj"
bench() { dotnet "$LARDER_ARTIFACTS/bin/Larder.Bench.Scale/release/Larder.Bench.Scale.dll" "$@"; }

echo "== metadata at scale: $PATHS paths per database"
meta_pg=$(bench metadata postgres "$pg" "$PATHS" | grep '^RESULT'); echo "$meta_pg"
meta_sqlite=$(bench metadata sqlite "$work/metadata.db" "$PATHS" | grep '^RESULT'); echo "$meta_sqlite"

echo "== HTTP: one larder serve per backend pair"
pg_http_db=larder_bench_http_$$
psql "host=127.0.0.1 port=$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$pg") user=postgres dbname=postgres" -qc "CREATE DATABASE $pg_http_db;"
declare -A url token server_pid
start_server() { # name args...
  local name=$1 port; shift
  port=$(free_port)
  mkdir -p "$work/$name"
  "${larder_cmd[@]}" serve --listen "127.0.0.1:$port" --data "$work/$name" "$@" "${server_args[@]}" >"$work/$name.log" 2>&1 &
  pids+=($!)
  server_pid[$name]=$!
  wait_port "$port" || { cat "$work/$name.log" >&2; exit 1; }
  url[$name]=http://127.0.0.1:$port
  token[$name]=$(cat "$work/$name/admin-token")
}
start_server sqlite-folder
start_server postgres-s3 \
  --Larder:Database:Kind=postgres "--Larder:Database:ConnectionString=${pg/Database=postgres/Database=$pg_http_db}" \
  --Larder:Storage:Kind=s3 "--Larder:Storage:S3:ServiceUrl=$s3" --Larder:Storage:S3:Bucket=larder-bench-$$ \
  "--Larder:Storage:S3:AccessKey=$s3_access" "--Larder:Storage:S3:SecretKey=$s3_secret" --Larder:Storage:S3:CreateBucket=true

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# CPU ticks of the HTTP database's PostgreSQL backends, "pid ticks" per line (none when PostgreSQL runs elsewhere).
pg_backend_ticks() {
  psql "host=127.0.0.1 port=$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$pg") user=postgres dbname=postgres" -Atc \
    "SELECT pid FROM pg_stat_activity WHERE datname = '$pg_http_db';" |
    while read -r pid; do [ -r "/proc/$pid/stat" ] && echo "$pid $(cpu_ticks "$pid" 2>/dev/null || echo 0)"; done || true
}
# Ticks the backends spent between two pg_backend_ticks listings (a backend new since the first counts from its start).
pg_backend_delta() { awk 'NR == FNR { before[$1] = $2; next } { sum += $2 - (($1 in before) ? before[$1] : 0) } END { print sum + 0 }' "$1" "$2"; }
# CPU ticks of every radosgw and ceph-osd on this machine (0 when the object store runs elsewhere), and of the whole
# machine (all cores: user, nice, system, irq, softirq), for where a push's time goes.
ceph_ticks() { local sum=0 pid; for pid in $(pgrep -x radosgw) $(pgrep -x ceph-osd); do sum=$((sum + $(cpu_ticks "$pid" 2>/dev/null || echo 0))); done; echo "$sum"; }
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
# Runs a push (bench push args...), printing its RESULT line with the CPU it cost per path: the server's
# (server_ms_per_path), the HTTP database's PostgreSQL backends' (pg_ms_per_path, PostgreSQL + S3 only), radosgw's and
# the OSD's (ceph_ms_per_path), and the whole machine's (machine_ms_per_path, the bench's client included).
measured_push() { # name count args...
  local name=$1 count=$2 server db ceph machine result; shift 2
  pg_backend_ticks >"$work/pg-before"
  server=$(cpu_ticks "${server_pid[$name]}") ceph=$(ceph_ticks) machine=$(machine_ticks)
  result=$(bench push "$@" | grep '^RESULT')
  server=$(( $(cpu_ticks "${server_pid[$name]}") - server )) ceph=$(( $(ceph_ticks) - ceph )) machine=$(( $(machine_ticks) - machine ))
  pg_backend_ticks >"$work/pg-after"
  db=""
  [ "$name" = postgres-s3 ] && db=" pg_ms_per_path=$(per_path_ms "$(pg_backend_delta "$work/pg-before" "$work/pg-after")" "$count")"
  echo "$result server_ms_per_path=$(per_path_ms "$server" "$count")$db" \
    "ceph_ms_per_path=$(per_path_ms "$ceph" "$count") machine_ms_per_path=$(per_path_ms "$machine" "$count")"
}
per_path_ms() { awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v n="$2" 'BEGIN { printf "%.2f", t * 1000 / hz / n }'; }
declare -A small large narinfo cpu
for name in sqlite-folder postgres-s3; do
  echo "-- $name: server CPU per pushed path, $CPU_PATHS x $CPU_BYTES B (8 in flight) after $CPU_WARMUP warm-up paths"
  bench push "${url[$name]}" "${token[$name]}" cpu-warmup "$CPU_WARMUP" "$CPU_BYTES" 8 /dev/null >/dev/null
  cpu[$name]=$(measured_push "$name" "$CPU_PATHS" "${url[$name]}" "${token[$name]}" cpu "$CPU_PATHS" "$CPU_BYTES" 8 /dev/null)
  echo "${cpu[$name]}"
  echo "-- $name: the same at steady state, after $CPU_STEADY_WARMUP more paths and a 5 s pause"
  bench push "${url[$name]}" "${token[$name]}" cpu-steady-warmup "$CPU_STEADY_WARMUP" "$CPU_BYTES" 8 /dev/null >/dev/null
  sleep 5
  steady=$(measured_push "$name" "$CPU_PATHS" "${url[$name]}" "${token[$name]}" cpu-steady "$CPU_PATHS" "$CPU_BYTES" 8 /dev/null)
  cpu[$name]+=" steady_server_ms_per_path=$(field server_ms_per_path "$steady") steady_pg_ms_per_path=$(field pg_ms_per_path "$steady")"
  echo "${cpu[$name]}"
  echo "-- $name: push $SMALL_COUNT x $SMALL_BYTES B (8 in flight), $LARGE_COUNT x $LARGE_BYTES B (2 in flight)"
  small[$name]=$(measured_push "$name" "$SMALL_COUNT" "${url[$name]}" "${token[$name]}" small "$SMALL_COUNT" "$SMALL_BYTES" 8 "$work/$name.paths"); echo "${small[$name]}"
  large[$name]=$(measured_push "$name" "$LARGE_COUNT" "${url[$name]}" "${token[$name]}" large "$LARGE_COUNT" "$LARGE_BYTES" 2 "$work/$name.large"); echo "${large[$name]}"
  echo "-- $name: narinfo GETs, wrk ${DURATION}s, $CONNECTIONS connections"
  narinfo[$name]=$(WRK_PATHS=$work/$name.paths wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -s "$root/bench/scale/narinfo.lua" "${url[$name]}" | grep '^RESULT'); echo "${narinfo[$name]}"
done

echo
echo "load average before: $load_before, at the end: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores; timings on a shared machine are upper bounds)"
echo
printf "%-36s %16s %16s %8s\n" "metadata store, $PATHS paths" "PostgreSQL" "SQLite" "target"
printf "%-36s %16s %16s %8s\n" "bulk load (s)" "$(field load_s "$meta_pg")" "$(field load_s "$meta_sqlite")" ""
printf "%-36s %16s %16s %8s\n" "GetPath p50 (ms)" "$(field lookup_p50_ms "$meta_pg")" "$(field lookup_p50_ms "$meta_sqlite")" ""
printf "%-36s %16s %16s %8s\n" "GetPath p99 (ms)" "$(field lookup_p99_ms "$meta_pg")" "$(field lookup_p99_ms "$meta_sqlite")" "< 2"
printf "%-36s %16s %16s %8s\n" "FindMissing 30k, median (ms)" "$(field missing30k_median_ms "$meta_pg")" "$(field missing30k_median_ms "$meta_sqlite")" "< 200"
printf "%-36s %16s %16s %8s\n" "FindMissing 30k, max of 5 (ms)" "$(field missing30k_max_ms "$meta_pg")" "$(field missing30k_max_ms "$meta_sqlite")" ""
echo
echo "larder serve: $larder_build"
printf "%-36s %16s %16s %8s\n" "HTTP (larder serve)" "PostgreSQL+S3" "SQLite+folder" "ratio"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
row() { # label field array
  local label=$1 f=$2 a b; local -n arr=$3
  a=$(field "$f" "${arr[postgres-s3]}"); b=$(field "$f" "${arr[sqlite-folder]}")
  printf "%-36s %16s %16s %8s\n" "$label" "$a" "$b" "$(ratio "$a" "$b")"
}
row "server CPU per pushed path (ms)" server_ms_per_path cpu
row "  the same, steady state (ms)" steady_server_ms_per_path cpu
row "PostgreSQL backends' CPU per path (ms)" pg_ms_per_path cpu
row "  the same, steady state (ms)" steady_pg_ms_per_path cpu
row "push $CPU_BYTES B: paths/s" paths_per_s cpu
row "push small: paths/s" paths_per_s small
row "push small: MiB/s" mib_per_s small
row "  CPU per path: server (ms)" server_ms_per_path small
row "  PostgreSQL backends (ms)" pg_ms_per_path small
row "  radosgw + OSD (ms)" ceph_ms_per_path small
row "  whole machine (ms)" machine_ms_per_path small
row "push large: MiB/s" mib_per_s large
row "  CPU per path: server (ms)" server_ms_per_path large
row "  PostgreSQL backends (ms)" pg_ms_per_path large
row "  radosgw + OSD (ms)" ceph_ms_per_path large
row "  whole machine (ms)" machine_ms_per_path large
row "narinfo GET: requests/s" rps narinfo
row "narinfo GET: p99 (ms)" p99_ms narinfo
row "narinfo GET: non-2xx" non2xx narinfo
