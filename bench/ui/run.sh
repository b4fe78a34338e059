#!/usr/bin/env bash
# Dashboard page render times on a PATHS-path cache, on SQLite and PostgreSQL (issue 13: under 100 ms server time at
# 1,000,000 paths). For each backend, builds the cache once (a real `larder serve` creates the database, the cache and
# TOKENS tokens through the API; paths, NARs, references, push events, pins and traffic are then bulk-loaded in SQL
# while it is stopped: load-sqlite.sql, load-postgres.sql) and keeps it for later runs. Then starts `larder serve` on
# it, signs in as the admin and requests each page WARMUP times (not counted), then REQUESTS times, one at a time, on
# loopback. Two times per request: the page's own time from the server's `Server-Timing: page;dur=` header, and curl's
# time to the first byte (that plus the connection and the machine's scheduling). Prints p50/p99 of both per page and
# backend, the target and the load average before and after.
#   bench/ui/run.sh                        # PATHS=1000000 REQUESTS=200 WARMUP=20 BACKENDS='sqlite postgres'
#   PATHS=100000 REQUESTS=50 BACKENDS=sqlite bench/ui/run.sh
# Fixtures: SQLite in FIXTURE (default /tmp/larder-bench-ui-v2-$PATHS); PostgreSQL in the database
# larder_bench_ui_$PATHS of LARDER_BENCH_POSTGRES (or LARDER_TEST_POSTGRES), with its blob folder in $FIXTURE-postgres;
# without either, a throwaway PostgreSQL of its own (eng/services/pg-up.sh, stopped by PID on exit) that is loaded anew
# each run. Not part of the test suite. Needs sqlite3, psql and curl.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bench_name=bench/ui

PATHS=${PATHS:-1000000}
REQUESTS=${REQUESTS:-200}
WARMUP=${WARMUP:-20}
TOKENS=${TOKENS:-100}
BACKENDS=${BACKENDS:-sqlite postgres}
FIXTURE=${FIXTURE:-/tmp/larder-bench-ui-v2-$PATHS}
TARGET_MS=100
# Written into each fixture's marker: a fixture of another version (shape) is built anew.
FIXTURE_VERSION=2
work=$(mktemp -d /tmp/larder-bench-ui.XXXXXX)
chmod 755 "$work"  # a throwaway PostgreSQL runs as postgres and keeps its data in here
export LARDER_ARTIFACTS=${LARDER_ARTIFACTS:-$work/artifacts}
# shellcheck source=../lib/larder-bench.sh
. "$root/bench/lib/larder-bench.sh"

started_pg=0
cleanup() {
  bench_stop_servers  # before PostgreSQL, which they use
  [ "$started_pg" = 1 ] && PGD=$work/pg "$root/eng/services/pg-down.sh" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

for tool in sqlite3 psql curl; do
  command -v "$tool" >/dev/null || { echo "$bench_name: '$tool' is missing (eng/install-deps.sh --bench installs it)" >&2; exit 1; }
done

pg=
if [[ " $BACKENDS " == *" postgres "* ]]; then
  pg=${LARDER_BENCH_POSTGRES:-${LARDER_TEST_POSTGRES:-}}
  if [ -z "$pg" ]; then
    pg=$(PGPORT=$((20000 + RANDOM % 10000)) PGD=$work/pg "$root/eng/services/pg-up.sh"); started_pg=1
  fi
fi
pg_field() { tr ';' '\n' <<<"$pg" | grep -i "^$1=" | head -1 | cut -d= -f2- || true; }
pg_db=larder_bench_ui_$PATHS
psql_on() { # DATABASE ARGS…
  local db=$1; shift
  PGPASSWORD=$(pg_field Password) psql -X -q -v ON_ERROR_STOP=1 -h "$(pg_field Host)" -p "$(pg_field Port)" -U "$(pg_field Username)" -d "$db" "$@"
}

bench_build_larder

# Per backend: the data folder, the server's extra arguments, and the marker that names the fixture it holds.
declare -A data args marker
data[sqlite]=$FIXTURE args[sqlite]=
marker[sqlite]="v$FIXTURE_VERSION $PATHS paths"
data[postgres]=$FIXTURE-postgres
args[postgres]="--Larder:Database:Kind=postgres --Larder:Database:ConnectionString=$(sed -E 's/(^|;)Database=[^;]*//I' <<<"$pg");Database=$pg_db"
marker[postgres]="v$FIXTURE_VERSION $PATHS paths in $(pg_field Host):$(pg_field Port)/$pg_db"

stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; }
api() { curl -sf -H "Authorization: Bearer $(cat "$dir/admin-token")" -H 'Content-Type: application/json' "$@"; }

fixture_ready() { # BACKEND
  [ "$(cat "${data[$1]}/loaded" 2>/dev/null)" = "${marker[$1]}" ] || return 1
  [ "$1" = sqlite ] || [ "$(psql_on postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$pg_db'")" = 1 ]
}

build_fixture() { # BACKEND
  local backend=$1 started cache_id
  dir=${data[$backend]}
  echo "== $backend: building the $PATHS-path cache in $dir"
  rm -rf "$dir" && mkdir -p "$dir"
  if [ "$backend" = postgres ]; then
    psql_on postgres -c "DROP DATABASE IF EXISTS $pg_db;" -c "CREATE DATABASE $pg_db;"
  fi
  ln -sfn "$dir" "$work/ui-$backend"
  # shellcheck disable=SC2086 # args holds whole arguments without spaces
  start_server "ui-$backend" ${args[$backend]}
  api -o /dev/null -X POST "$url/api/v1/caches" -d '{"name":"bench","public":true,"priority":40,"storeDir":"/nix/store","upstreamKeyNames":[]}'
  for i in $(seq 1 "$TOKENS"); do
    api -o /dev/null -X POST "$url/api/v1/tokens" -d "{\"description\":\"ci-$i\",\"grants\":[{\"cache\":\"bench\",\"permissions\":[\"read\",\"write\"]}]}"
  done
  stop_server
  started=$(date +%s)
  if [ "$backend" = sqlite ]; then
    cache_id=$(sqlite3 "$dir/larder.db" "SELECT id FROM caches WHERE name = 'bench';")
    sqlite3 "$dir/larder.db" -cmd ".parameter set @paths $PATHS" -cmd ".parameter set @cache $cache_id" < "$root/bench/ui/load-sqlite.sql" >/dev/null
  else
    cache_id=$(psql_on "$pg_db" -tAc "SELECT id FROM caches WHERE name = 'bench';")
    psql_on "$pg_db" -v paths="$PATHS" -v cache="$cache_id" -f "$root/bench/ui/load-postgres.sql" >/dev/null
  fi
  echo "loaded in $(( $(date +%s) - started )) s"
  echo "${marker[$backend]}" > "$dir/loaded"
}

middle=$(printf '%032d' $(( (PATHS / 2 * 7919) % 1000003 )))
glibc=$(printf '%032d' 1000003)
pages=(
  "caches list|/ui/"
  "cache page|/ui/caches/bench"
  "search by name prefix|/ui/caches/bench/search?q=hello-1234"
  "search by hash prefix|/ui/caches/bench/search?q=${middle:0:8}"
  "path page|/ui/caches/bench/paths/$middle"
  "path page, $(( PATHS / 5 )) dependents|/ui/caches/bench/paths/$glibc"
  "path list, first page|/ui/caches/bench/paths"
  "path list, deep page|/ui/caches/bench/paths?after=00000000000000000000000000000000-hello-9990"
  "tokens page ($TOKENS tokens)|/ui/tokens"
)

# p50 and p99 (nearest rank) of the numbers on stdin.
percentiles() { sort -n | awk '{ a[NR] = $1 } END { i = int(NR * 0.99 + 0.999); printf "%.1f / %.1f", a[int((NR + 1) / 2)], a[i] }'; }
p99_of() { cut -d/ -f2 <<<"$1" | tr -d ' '; }

declare -A curl_ms page_ms load
for backend in $BACKENDS; do
  fixture_ready "$backend" || build_fixture "$backend"
  dir=${data[$backend]}
  ln -sfn "$dir" "$work/ui-$backend"
  # shellcheck disable=SC2086
  start_server "ui-$backend" ${args[$backend]}
  # Sign in as the admin (the sign-in form's CSRF token comes with its cookie).
  jar=$work/cookies-$backend
  csrf=$(curl -sf -c "$jar" "$url/ui/sign-in" | grep -o 'name="csrf" value="[^"]*"' | cut -d'"' -f4)
  curl -sf -o /dev/null -b "$jar" -c "$jar" --data-urlencode "csrf=$csrf" --data-urlencode "token@$dir/admin-token" "$url/ui/sign-in"
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "== $backend: $WARMUP + $REQUESTS requests a page (load $load_before)"
  for entry in "${pages[@]}"; do
    path=${entry#*|}
    status=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$url$path")
    [ "$status" = 200 ] || { echo "$bench_name: $backend: $path answered $status" >&2; exit 1; }
    for _ in $(seq 1 "$WARMUP"); do curl -s -o /dev/null -b "$jar" "$url$path"; done
    for _ in $(seq 1 "$REQUESTS"); do
      curl -s -o /dev/null -b "$jar" -w '%{time_starttransfer} %header{server-timing}\n' "$url$path"
    done > "$work/times"
    sed -n 's/.*page;dur=\([0-9.]*\).*/\1/p' "$work/times" > "$work/page-times"
    [ "$(wc -l < "$work/page-times")" = "$REQUESTS" ] || { echo "$bench_name: $backend: $path: answers without Server-Timing" >&2; exit 1; }
    curl_ms[$backend,$path]=$(awk '{ print $1 * 1000 }' "$work/times" | percentiles)
    page_ms[$backend,$path]=$(percentiles < "$work/page-times")
  done
  load[$backend]="$load_before → $(cut -d' ' -f1-3 /proc/loadavg)"
  stop_server
done

echo
echo "$PATHS paths, $REQUESTS requests a page after $WARMUP to warm up, one at a time; load average (1/5/15 min) before → after:"
for backend in $BACKENDS; do echo "  $backend: ${load[$backend]}"; done
echo "Server time: the page's Server-Timing; TTFB: curl's time to the first byte. Times in ms, p50 / p99."
header="| page | request |" rule="|---|---|"
for backend in $BACKENDS; do header+=" $backend server | $backend TTFB |"; rule+="---|---|"; done
echo "$header p99 server time < $TARGET_MS ms |"
echo "$rule---|"
for entry in "${pages[@]}"; do
  label=${entry%%|*} path=${entry#*|} row="" met=yes
  for backend in $BACKENDS; do
    row+=" ${page_ms[$backend,$path]} | ${curl_ms[$backend,$path]} |"
    awk -v p="$(p99_of "${page_ms[$backend,$path]}")" -v t="$TARGET_MS" 'BEGIN { exit !(p < t) }' || met=no
  done
  echo "| $label | \`$path\` |$row $met |"
done
