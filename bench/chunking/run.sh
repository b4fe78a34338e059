#!/usr/bin/env bash
# Chunking benchmark (issue 9), one command, all ratios from the same run:
#   1. throughput on SIZE_MB of pseudo-random bytes in memory: FastCDC cut-point finding and chunking + SHA-256,
#      against a vectorized memory scan and plain SHA-256 of the same bytes (GB/s per CPU second of one core);
#   2. storage: VERSIONS versions of a VERSION_MB file, each overwriting CHANGED_PERCENT % of the previous one in
#      PLACES places plus one insertion of INSERTED bytes; chunked with each of SETTINGS (min/avg/max KiB), every
#      distinct chunk zstd-compressed once. Reports stored bytes / one version (goal <= 1.5), objects per stored MiB
#      (goal <= 2) and the share of version N+1 a chunk-level push would send. CONTENT=text repeats it on
#      compressible bytes (16 letters), where objects per stored MiB grow with the compression ratio.
#   3. end to end (bench/chunking/e2e.sh, its own variables E2E_MB, E2E_VERSIONS, FROM_RUNS, INGEST_MB, …): real
#      `larder serve` and the real Nix: bytes sent and wall time of `larder push` of version N+1 after N against
#      `nix copy --to`, stored bytes and objects per MiB, `nix copy --from` of a chunked NAR against the same NAR
#      stored whole, server RSS while `nix copy` ingests a 2 GiB NAR.
#   bench/chunking/run.sh                               # defaults below
#   SIZE_MB=256 VERSION_MB=50 CONTENT=text bench/chunking/run.sh
#   PARTS=e2e E2E_MB=50 bench/chunking/run.sh           # only some parts: throughput, versions, e2e
# Not part of the test suite; about two minutes on an idle 2-core machine without the end-to-end part (which needs
# root and nix-bin, and about ten more minutes).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

SIZE_MB=${SIZE_MB:-1024}
RUNS=${RUNS:-3}
VERSION_MB=${VERSION_MB:-200}
VERSIONS=${VERSIONS:-10}
CHANGED_PERCENT=${CHANGED_PERCENT:-1}
PLACES=${PLACES:-4}
INSERTED=${INSERTED:-4096}
CONTENT=${CONTENT:-binary}
SETTINGS=${SETTINGS:-64/256/1024 128/512/2048 256/1024/4096 512/2048/8192}
PARTS=${PARTS:-throughput,versions,e2e}
part() { [[ ",$PARTS," == *",$1,"* ]]; }
work=$(mktemp -d /tmp/larder-bench-chunking.XXXXXX)
export LARDER_ARTIFACTS=${LARDER_ARTIFACTS:-$work/artifacts}
trap 'rm -rf "$work"' EXIT

if part throughput || part versions; then
  echo "== building the bench tool (Release)"
  dotnet build -c Release -v quiet -nologo "$root/bench/chunking/Larder.Bench.Chunking.csproj" >"$work/build.log" ||
    { cat "$work/build.log" >&2; exit 1; }
fi
bench() { dotnet "$LARDER_ARTIFACTS/bin/Larder.Bench.Chunking/release/Larder.Bench.Chunking.dll" "$@"; }

echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
echo
if part throughput; then
  echo "== throughput"
  bench throughput "$SIZE_MB" "$RUNS"
  echo
fi
if part versions; then
  echo "== storage across versions"
  # shellcheck disable=SC2086 # SETTINGS is a list
  bench versions "$VERSION_MB" "$VERSIONS" "$CHANGED_PERCENT" "$PLACES" "$INSERTED" "$CONTENT" $SETTINGS
  echo
fi
if part e2e; then
  echo "== end to end"
  CHANGED_PERCENT=$CHANGED_PERCENT "$root/bench/chunking/e2e.sh"
  echo
fi
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
