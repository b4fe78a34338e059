#!/usr/bin/env bash
# Dashboard page render times on a PATHS-path cache (issue 13: under 100 ms server time at 1,000,000 paths).
# Builds the cache once (a real `larder serve` creates the database, the cache and TOKENS tokens through the API; the
# paths, their NARs, references and push events are bulk-loaded in SQL while it is stopped) and keeps it in FIXTURE for
# later runs. Then starts `larder serve` on it and requests each page REQUESTS times, one at a time, on loopback:
# curl's time to the first byte is the server's time (plus a loopback connect), printed as p50/p99 per page with the
# target and the load average before and after.
#   bench/ui/run.sh                                        # PATHS=1000000 REQUESTS=50 FIXTURE=/tmp/larder-bench-ui-$PATHS
#   PATHS=100000 REQUESTS=20 bench/ui/run.sh
# Not part of the test suite. Needs sqlite3 and curl.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bench_name=bench/ui

PATHS=${PATHS:-1000000}
REQUESTS=${REQUESTS:-50}
TOKENS=${TOKENS:-100}
FIXTURE=${FIXTURE:-/tmp/larder-bench-ui-$PATHS}
TARGET_MS=100
work=$(mktemp -d /tmp/larder-bench-ui.XXXXXX)
export LARDER_ARTIFACTS=${LARDER_ARTIFACTS:-$work/artifacts}
# shellcheck source=../lib/larder-bench.sh
. "$root/bench/lib/larder-bench.sh"
trap bench_cleanup EXIT

bench_build_larder
ln -s "$FIXTURE" "$work/ui"

stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; }
api() { curl -sf -H "Authorization: Bearer $(cat "$FIXTURE/admin-token")" -H 'Content-Type: application/json' "$@"; }

# Paths in chains of 5 (each references the one before), hashes scattered over the key space (7919 * i mod a prime
# above PATHS), names of 20,000 packages in versions, accessed one second apart; one push event each.
load_paths() {
  sqlite3 "$FIXTURE/larder.db" <<SQL
PRAGMA journal_mode = WAL;
BEGIN;
CREATE TEMP TABLE s AS WITH RECURSIVE s (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < $PATHS - 1)
  SELECT i, printf('%032d', (i * 7919) % 1000003) AS h, printf('%032d', ((i - 1) * 7919) % 1000003) AS prev,
         'hello-' || (i % 20000) || '-1.' || (i / 20000) AS name FROM s;
INSERT INTO nars (id, nar_hash, nar_size, compression, file_hash, file_size, listing_key, created_at, holders)
  SELECT 1000 + i, 'sha256:n' || h, 40000 + i, 'zstd', 'sha256:f' || h, 10000 + i, NULL, 1700000000000, 1 FROM s;
INSERT INTO paths (cache_id, hash_part, store_path, nar_id, refs, upstream_refs, deriver, signatures, ca, created_at, last_accessed_at)
  SELECT $cache_id, h, '/nix/store/' || h || '-' || name, 1000 + i,
         CASE WHEN i % 5 = 0 THEN '' ELSE prev || '-' || 'hello-' || ((i - 1) % 20000) || '-1.' || ((i - 1) / 20000) END,
         '', NULL, 'k-1:c2ln', NULL, 1700000000000, (1700000000 + i) * 1000 FROM s;
INSERT INTO path_refs (cache_id, ref_hash_part, hash_part) SELECT $cache_id, prev, h FROM s WHERE i % 5 <> 0;
INSERT INTO events (cache_id, kind, store_path, token_id, at, reason)
  SELECT $cache_id, 'push', '/nix/store/' || h || '-' || name, NULL, 1700000000000 + i * 1000, NULL FROM s;
COMMIT;
ANALYZE;
SQL
}

if [ ! -s "$FIXTURE/loaded" ]; then
  echo "== building the $PATHS-path cache in $FIXTURE"
  rm -rf "$FIXTURE" && mkdir -p "$FIXTURE"
  start_server ui
  api -o /dev/null -X POST "$url/api/v1/caches" -d '{"name":"bench","public":true,"priority":40,"storeDir":"/nix/store","upstreamKeyNames":[]}'
  for i in $(seq 1 "$TOKENS"); do
    api -o /dev/null -X POST "$url/api/v1/tokens" -d "{\"description\":\"ci-$i\",\"grants\":[{\"cache\":\"bench\",\"permissions\":[\"read\",\"write\"]}]}"
  done
  stop_server
  cache_id=$(sqlite3 "$FIXTURE/larder.db" "SELECT id FROM caches WHERE name = 'bench';")
  load_started=$(date +%s)
  load_paths
  echo "loaded in $(( $(date +%s) - load_started )) s"
  echo "$PATHS" > "$FIXTURE/loaded"
fi

start_server ui
# Sign in as the admin (the sign-in form's CSRF token comes with its cookie).
jar=$work/cookies
csrf=$(curl -sf -c "$jar" "$url/ui/sign-in" | grep -o 'name="csrf" value="[^"]*"' | cut -d'"' -f4)
curl -sf -o /dev/null -b "$jar" -c "$jar" --data-urlencode "csrf=$csrf" --data-urlencode "token@$FIXTURE/admin-token" "$url/ui/sign-in"

middle=$(printf '%032d' $(( (PATHS / 2 * 7919) % 1000003 )))
pages=(
  "caches list|/ui/"
  "cache page|/ui/caches/bench"
  "search by name prefix|/ui/caches/bench/search?q=hello-1234"
  "search by hash prefix|/ui/caches/bench/search?q=${middle:0:8}"
  "path page|/ui/caches/bench/paths/$middle"
  "path list, first page|/ui/caches/bench/paths"
  "path list, deep page|/ui/caches/bench/paths?after=00000000000000000000000000000000-hello-9990"
  "tokens page|/ui/tokens"
)

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
rows=()
for entry in "${pages[@]}"; do
  label=${entry%%|*} path=${entry#*|}
  status=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$url$path")
  [ "$status" = 200 ] || { echo "$bench_name: $path answered $status" >&2; exit 1; }
  times=$(for _ in $(seq 1 "$REQUESTS"); do curl -s -o /dev/null -b "$jar" -w '%{time_starttransfer}\n' "$url$path"; done | sort -n)
  p50=$(awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] * 1000 }' <<<"$times")
  p99=$(awk '{ a[NR] = $1 } END { i = int(NR * 0.99 + 0.999); printf "%.1f", a[i] * 1000 }' <<<"$times")
  verdict=$(awk -v p="$p99" -v t="$TARGET_MS" 'BEGIN { print (p < t ? "yes" : "no") }')
  rows+=("| $label | \`$path\` | $p50 | $p99 | < $TARGET_MS | $verdict |")
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

echo
echo "$PATHS paths, $REQUESTS requests a page, load average $load_before before, $load_after after (a busy machine)"
echo "| page | request | p50 (ms) | p99 (ms) | target p99 (ms) | met |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
