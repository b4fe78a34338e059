#!/usr/bin/env bash
# Runs every Larder test project against real peers: the real Nix (Debian nix-bin), a real PostgreSQL 15 and a real
# Ceph radosgw, all on 127.0.0.1. Installs what is missing, starts the services, stops them (by PID) on exit, and
# ends with one line of totals over all test projects: "N passed, N failed".
#   eng/test.sh                       # everything
#   eng/test.sh --filter 'FullyQualifiedName~Nar'    # extra arguments go to `dotnet test`
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

eng/install-deps.sh

# Ports and folders of their own, so a test run never meets a developer's services.
export PGPORT=${LARDER_TEST_PGPORT:-55442} PGD=/tmp/larder-test-pg
export CEPH_DIR=/tmp/larder-test-ceph RGW_PORT=${LARDER_TEST_RGW_PORT:-7490} MON_PORT=${LARDER_TEST_MON_PORT:-6799}
export S3_ACCESS_KEY=LARDERTESTACCESS S3_SECRET_KEY=LARDERTESTSECRET0123
results=$root/artifacts/test-results
logs=$root/artifacts/test-logs
rm -rf "$results" "$root/artifacts/test-screenshots"; mkdir -p "$results" "$logs"
# Browser tests write their screenshots under here.
export LARDER_TEST_ARTIFACTS=$root/artifacts/test-screenshots

stop_services() {
  eng/services/pg-down.sh >/dev/null 2>&1 || true
  eng/services/ceph-down.sh >/dev/null 2>&1 || true
}
trap stop_services EXIT

echo "== starting PostgreSQL and Ceph radosgw"
LARDER_TEST_POSTGRES=$(eng/services/pg-up.sh 2>"$logs/pg-up.log") || { cat "$logs/pg-up.log" >&2; exit 1; }
LARDER_TEST_S3_URL=$(eng/services/ceph-up.sh 2>"$logs/ceph-up.log") || { cat "$logs/ceph-up.log" >&2; exit 1; }
export LARDER_TEST_POSTGRES LARDER_TEST_S3_URL
export LARDER_TEST_S3_ACCESS_KEY=$S3_ACCESS_KEY LARDER_TEST_S3_SECRET_KEY=$S3_SECRET_KEY

echo "== building"
if ! dotnet build Larder.sln -c Debug -nologo -clp:ErrorsOnly; then
  echo "the build failed: no test ran"
  echo "0 passed, 1 failed"
  exit 1
fi

echo "== testing"
projects=(tests/*.Tests/*.csproj)
status=0
# Test projects run one after another: each already runs its classes in parallel, and the machines have 2 cores.
for project in "${projects[@]}"; do
  name=$(basename "$project" .csproj)
  echo "-- $name"
  dotnet test "$project" --no-build -nologo --results-directory "$results" \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --blame-hang-timeout 10m "$@" >"$logs/$name.log" 2>&1 || status=1
  grep -E "^\s+(Failed|Passed|Skipped) |^(Passed|Failed)!|error" "$logs/$name.log" | grep -vE "^\s+Passed " | tail -n 60 || true
done

passed=0; failed=0; skipped=0; missing=0
for project in "${projects[@]}"; do
  name=$(basename "$project" .csproj)
  trx="$results/$name.trx"
  if [ ! -f "$trx" ]; then
    echo "$name: no results (the test host crashed or did not build); see $logs/$name.log"
    missing=$((missing + 1))
    continue
  fi
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  count() { local n; n=$(echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'); echo "${n:-0}"; }
  total=$(count total); executed=$(count executed); p=$(count passed)
  f=$(( $(count failed) + $(count error) + $(count timeout) + $(count aborted) ))
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + total - executed))
done
failed=$((failed + missing))
[ "$failed" -gt 0 ] && status=1
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit $status
