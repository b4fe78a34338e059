#!/usr/bin/env bash
# Garbage collection of a large cache under narinfo load, on SQLite and PostgreSQL, measured in the same run:
# PATHS paths (chains of CHAIN, bulk-loaded in SQL) are looked up by READERS concurrent readers through the metadata
# store (what the narinfo endpoint does) for PHASE_SECONDS without GC (the baseline), then while a GC evicts 10% of the cache
# under a size limit; prints p50/p99 of both phases, their ratio, the GC's duration and the load average.
#   bench/gc/run.sh                          # PATHS=1000000 CHAIN=5 READERS=4 PHASE_SECONDS=10 BACKENDS='sqlite postgres'
#   PATHS=100000 bench/gc/run.sh
# PostgreSQL: LARDER_BENCH_POSTGRES (or LARDER_TEST_POSTGRES) when set, else its own throwaway one via eng/services
# (stopped by PID on exit). Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

PATHS=${PATHS:-1000000}
CHAIN=${CHAIN:-5}
READERS=${READERS:-4}
# Not SECONDS: bash sets that one itself (the seconds since the shell started).
PHASE_SECONDS=${PHASE_SECONDS:-10}
BACKENDS=${BACKENDS:-sqlite postgres}
work=$(mktemp -d /tmp/larder-bench-gc.XXXXXX)
chmod 755 "$work"  # the throwaway PostgreSQL runs as postgres and keeps its data in here
export LARDER_ARTIFACTS=${LARDER_ARTIFACTS:-$work/artifacts}

started_pg=0
cleanup() {
  [ "$started_pg" = 1 ] && PGD=$work/pg "$root/eng/services/pg-down.sh" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

pg=${LARDER_BENCH_POSTGRES:-${LARDER_TEST_POSTGRES:-}}
if [ -z "$pg" ]; then
  pg=$(PGPORT=$((20000 + RANDOM % 40000)) PGD=$work/pg "$root/eng/services/pg-up.sh"); started_pg=1
fi

echo "== building the bench tool (Release)"
dotnet build -c Release -v quiet -nologo -clp:ErrorsOnly "$root/bench/gc/Larder.Bench.Gc.csproj"
bench() { dotnet "$LARDER_ARTIFACTS/bin/Larder.Bench.Gc/release/Larder.Bench.Gc.dll" "$@"; }

declare -A out
for backend in $BACKENDS; do
  echo "== $backend: $PATHS paths"
  target=$work/gc.db
  [ "$backend" = postgres ] && target=$pg
  bench "$backend" "$target" "$PATHS" "$CHAIN" "$READERS" "$PHASE_SECONDS" | tee "$work/$backend.out"
  out[$backend]=$(grep '^RESULT' "$work/$backend.out")
done

field() { grep -o "$1=[^ ]*" <<<"$2" | head -1 | cut -d= -f2; }
echo
echo "| backend | narinfo p50 / p99 without GC (ms) | during GC (ms) | p99 ratio | GC evicting 10% | evicted | load average |"
echo "|---|---|---|---|---|---|---|"
for backend in $BACKENDS; do
  base=$(grep 'phase=baseline' <<<"${out[$backend]}") gc=$(grep 'phase=gc' <<<"${out[$backend]}")
  ratio=$(awk -v a="$(field p99_ms "$gc")" -v b="$(field p99_ms "$base")" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }')
  echo "| $backend | $(field p50_ms "$base") / $(field p99_ms "$base") | $(field p50_ms "$gc") / $(field p99_ms "$gc") | $ratio | $(field gc_s "$gc") s | $(field evicted "$gc") of $PATHS | $(field load "$gc") |"
done
