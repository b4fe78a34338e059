#!/usr/bin/env bash
# Fuzzes Larder's parsers of client input with AFL++ and SharpFuzz, each target for a bounded time, and prints a table
# (target, executions, exec/s, corpus, crashes, hangs, load average; corpus counts inputs that reached new code).
# Every saved crash and hang is replayed outside afl-fuzz; the exit code is 1 if one reproduces. Findings stay in
# artifacts/fuzz/findings/TARGET/default/{crashes,hangs}. A self-check runs first: afl-fuzz must find a planted crash.
#   eng/fuzz.sh                       # every target, 600 s each
#   eng/fuzz.sh 300 narinfo nar-restore
# Reproduce a finding: dotnet artifacts/fuzz/bin/Larder.Fuzz.dll TARGET < FILE   (prints the exception)
# Environment: LARDER_FUZZ_TIMEOUT_MS (default 5000) is afl-fuzz's hang threshold per input: generous, because the
# machines are shared and a busy one stalls the odd run for seconds; replays then tell real hangs from stalls.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds=${1:-600}
[ $# -gt 0 ] && shift
case $seconds in '' | *[!0-9]*) echo "usage: eng/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]" >&2; exit 2 ;; esac
timeout_ms=${LARDER_FUZZ_TIMEOUT_MS:-5000}

eng/install-deps.sh --fuzz

out=$root/artifacts/fuzz
bin=$out/bin
tools=$out/tools
mkdir -p "$out/logs"

echo "== building the fuzz targets (Release) and instrumenting Larder's assemblies"
rm -rf "$bin"
dotnet publish fuzz/Larder.Fuzz/Larder.Fuzz.csproj -c Release -o "$bin" -nologo -clp:ErrorsOnly >"$out/logs/publish.log" 2>&1 ||
  { cat "$out/logs/publish.log" >&2; exit 1; }
if [ ! -x "$tools/sharpfuzz" ]; then
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$tools" >"$out/logs/tool.log" 2>&1 ||
    { cat "$out/logs/tool.log" >&2; exit 1; }
fi
# Coverage feedback only from Larder's own code: the parsers, and the server's request-handling namespaces.
"$tools/sharpfuzz" "$bin/Larder.Nix.dll"
"$tools/sharpfuzz" "$bin/Larder.Server.dll" Larder.Server.Api Larder.Server.BinaryCache Larder.Server.Ingest Larder.Server.Errors
"$tools/sharpfuzz" "$bin/Larder.Fuzz.dll" Larder.Fuzz.Targets.PlantedCrashTarget/

all_targets=$(dotnet "$bin/Larder.Fuzz.dll" --list | cut -f1)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && mapfile -t targets <<<"$all_targets"
for target in "${targets[@]}"; do
  grep -qx "$target" <<<"$all_targets" || { echo "unknown target '$target' (targets: $(echo $all_targets))" >&2; exit 2; }
done

# Seeds: the golden fixtures the tests use, and fuzz/seeds/TARGET; plus every input a regression test keeps.
seed() {
  local target=$1 corpus=$2
  case $target in
    nar-*) cp tests/Larder.Nix.Tests/Fixtures/nar/*.nar "$corpus/" ;;
    narinfo) for c in none zstd xz; do for f in tests/Larder.Nix.Tests/Fixtures/narinfo/$c/*.narinfo; do cp "$f" "$corpus/$c-$(basename "$f")"; done; done ;;
    planted-crash) printf 'CRASx' >"$corpus/planted" ;;
    *) cp fuzz/seeds/"$target"/* "$corpus/" ;;
  esac
  for f in tests/*/Fixtures/fuzz/"$target"/*; do [ -f "$f" ] && cp "$f" "$corpus/regression-$(basename "$f")"; done
  return 0
}
dictionary() {
  case $1 in
    nar-*) echo fuzz/dict/nar.dict ;;
    narinfo) echo fuzz/dict/narinfo.dict ;;
    push-metadata | chunk-request) echo fuzz/dict/json.dict ;;
    request-path) echo fuzz/dict/request.dict ;;
    planted-crash) echo fuzz/dict/planted.dict ;;
  esac
}
stat_of() { grep -E "^$1 *:" "$2" | head -1 | sed 's/^[^:]*: *//'; }
load() { cut -d' ' -f1 /proc/loadavg; }

# afl-fuzz checks that the target is instrumented C, wants core dumps piped nowhere, and pins CPUs: none of it fits
# a .NET target on a shared machine. SharpFuzz's fork server starts dotnet, which needs time on a busy machine.
export AFL_SKIP_BIN_CHECK=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1
export AFL_FORKSRV_INIT_TMOUT=120000 DOTNET_CLI_TELEMETRY_OPTOUT=1

# Runs afl-fuzz on $1 for at most $2 seconds, then replays every saved crash and hang outside afl-fuzz. Sets execs,
# rate, corpus, crashes, hangs, load_before, reproduced_here and report (one line per finding).
fuzz_target() {
  local target=$1 limit=$2 corpus=$out/corpus/$1 findings=$out/findings/$1 scratch=$out/tmp/$1 dict stats finding status
  rm -rf "$corpus" "$findings" "$scratch"
  mkdir -p "$corpus" "$scratch" "$out/findings"
  seed "$target" "$corpus"
  dict=$(dictionary "$target")
  load_before=$(load)
  TMPDIR=$scratch afl-fuzz -i "$corpus" -o "$findings" -m none -t "$timeout_ms" -V "$limit" ${dict:+-x "$dict"} \
    -- "$(command -v dotnet)" "$bin/Larder.Fuzz.dll" "$target" >"$out/logs/$target.log" 2>&1 ||
    { echo "afl-fuzz failed for $target:" >&2; tail -n 30 "$out/logs/$target.log" >&2; exit 1; }
  stats=$findings/default/fuzzer_stats
  execs=$(stat_of execs_done "$stats") rate=$(stat_of execs_per_sec "$stats") corpus_count=$(stat_of corpus_count "$stats")
  crashes=$(stat_of saved_crashes "$stats") hangs=$(stat_of saved_hangs "$stats")
  reproduced_here=0 report=""
  for finding in "$findings"/default/crashes/id:* "$findings"/default/hangs/id:*; do
    [ -f "$finding" ] || continue
    status=0
    # In a subshell (not exec-ed: "; exit") whose stderr is dropped: bash prints "Aborted" for a replay that crashes.
    (TMPDIR=$scratch timeout 60 dotnet "$bin/Larder.Fuzz.dll" "$target" <"$finding" >"$finding.replay.txt" 2>&1; exit $?) 2>/dev/null || status=$?
    if [ $status -ne 0 ]; then
      reproduced_here=$((reproduced_here + 1))
      report+="    reproduces (exit $status): $finding (see $finding.replay.txt)"$'\n'
    else
      report+="    does not reproduce alone (a stall of the busy machine?): $finding"$'\n'
    fi
  done
}

# Self-check: afl-fuzz must find a planted crash (and its replay must reproduce it), or no result below means anything.
echo "== self-check: afl-fuzz must find the planted crash (at most 120 s)"
AFL_BENCH_UNTIL_CRASH=1 fuzz_target planted-crash 120
if [ "${crashes:-0}" -lt 1 ] || [ "$reproduced_here" -lt 1 ]; then
  echo "self-check failed: afl-fuzz found no planted crash in 120 s (see $out/logs/planted-crash.log); fuzzing results would mean nothing" >&2
  exit 1
fi
self_check="self-check: the planted crash was found after $execs executions and reproduces"

rows=()
reproduced=0
for target in "${targets[@]}"; do
  echo "== $target: ${seconds} s (load $(load))"
  fuzz_target "$target" "$seconds"
  reproduced=$((reproduced + reproduced_here))
  rows+=("$(printf '%-14s %12s %8s %7s %8s %6s   %s -> %s' "$target" "$execs" "$rate" "$corpus_count" "$crashes" "$hangs" "$load_before" "$(load)")")
  [ -n "$report" ] && rows+=("${report%$'\n'}")
done

echo
echo "== fuzzing: ${seconds} s per target, hang threshold ${timeout_ms} ms (afl-fuzz $(afl-fuzz -h 2>&1 | grep -o 'afl-fuzz++[0-9.a-z]*' | head -1), SharpFuzz 2.3.0)"
printf '%-14s %12s %8s %7s %8s %6s   %s\n' target executions exec/s corpus crashes hangs "load average (start -> end)"
printf '%s\n' "${rows[@]}"
echo "$self_check"
[ $reproduced -eq 0 ] || { echo "$reproduced finding(s) reproduce: fix them and keep each input as a regression test"; exit 1; }
