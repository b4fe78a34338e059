#!/usr/bin/env bash
# The long variants of the reliability suite (issue 17): the tests in tests/Larder.Server.Tests/Reliability, whose short
# variants run in eng/test.sh, run here with their full sizes against a Release build, and their figures printed.
#   bench/reliability/run.sh crash        # 20 rounds x 50 concurrent pushes, server SIGKILLed, SQLite+folder and PostgreSQL+S3
#   bench/reliability/run.sh sustained    # 60 s of wrk narinfo+NAR GETs with parallel pushes
#   bench/reliability/run.sh resources    # a 2 GiB NAR by nix copy (server RSS), full disk, failing object store
#   bench/reliability/run.sh all
# Sizes: ROUNDS (20), PUSHES (50), CHAIN (16), LOAD_SECONDS (60), LARGE_NAR_MIB (2048).
# Needs root (the Nix peer, the tmpfs of the full-disk test), wrk, and the services of helper runs: LARDER_TEST_POSTGRES,
# LARDER_TEST_S3_URL, LARDER_TEST_S3_ACCESS_KEY, LARDER_TEST_S3_SECRET_KEY (eng/services/pg-up.sh and ceph-up.sh print
# them). Not part of the test suite: the crash part takes about an hour on a busy 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

part=${1:-all}
case "$part" in
  crash) filter='FullyQualifiedName~Reliability.CrashUnderLoadTests' ;;
  sustained) filter='FullyQualifiedName~Reliability.SustainedLoadTests' ;;
  resources) filter='FullyQualifiedName~Reliability.ResourceTests' ;;
  all) filter='FullyQualifiedName~Reliability.' ;;
  *) echo "usage: bench/reliability/run.sh crash|sustained|resources|all" >&2; exit 2 ;;
esac
for variable in LARDER_TEST_POSTGRES LARDER_TEST_S3_URL LARDER_TEST_S3_ACCESS_KEY LARDER_TEST_S3_SECRET_KEY; do
  [ -n "${!variable:-}" ] || { echo "bench/reliability: $variable is not set (see the header of this script)" >&2; exit 2; }
done
command -v wrk >/dev/null || { echo "bench/reliability: 'wrk' is missing (eng/install-deps.sh installs it)" >&2; exit 2; }

export LARDER_RELIABILITY_ROUNDS=${ROUNDS:-20} LARDER_RELIABILITY_PUSHES=${PUSHES:-50} LARDER_RELIABILITY_CHAIN=${CHAIN:-16}
export LARDER_RELIABILITY_SECONDS=${LOAD_SECONDS:-60} LARDER_RELIABILITY_LARGE_NAR_MIB=${LARGE_NAR_MIB:-2048}
# LARDER_RELIABILITY_REPORT=FILE keeps the figures (appended as they are measured, so an interrupted run keeps them too).
if [ -n "${LARDER_RELIABILITY_REPORT:-}" ]; then
  report=$LARDER_RELIABILITY_REPORT log=$LARDER_RELIABILITY_REPORT.log
  trap 'rm -f "$log"' EXIT
else
  report=$(mktemp /tmp/larder-reliability.XXXXXX) log=$report.log
  export LARDER_RELIABILITY_REPORT=$report
  trap 'rm -f "$report" "$log"' EXIT
fi

echo "== building the server tests (Release)"
dotnet build -c Release -v quiet -nologo -clp:ErrorsOnly "$root/tests/Larder.Server.Tests/Larder.Server.Tests.csproj"
echo "== running: $filter (load average at start: $(cut -d' ' -f1-3 /proc/loadavg))"
status=0
dotnet test -c Release --no-build -nologo "$root/tests/Larder.Server.Tests/Larder.Server.Tests.csproj" --filter "$filter" \
  --logger "console;verbosity=normal" >"$log" 2>&1 || status=$?
grep -E "^\s+(Passed|Failed) |^(Passed|Failed)!|Total tests|Passed:|Failed:" "$log" || true
echo
cat "$report"
[ "$status" = 0 ] || { echo; echo "failures (full log kept in $log.failed):"; cp "$log" "$log.failed"; grep -A12 "Error Message" "$log" | head -80; }
exit "$status"
