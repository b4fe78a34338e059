#!/usr/bin/env bash
# Codec benchmark: Larder's zstd and xz streams (P/Invoke to the system libzstd/liblzma) against the zstd and xz
# command-line tools, which use the same libraries, on the same input. The ratio shows our wrapper's overhead.
#   bench/codecs/run.sh                          # defaults below
#   SIZE_MB=200 XZ_SIZE_MB=16 RUNS=3 bench/codecs/run.sh
# Input: a tar of /usr/lib and /usr/share (binaries, text: NAR-like), cut to SIZE_MB. xz at its default level 6 runs
# at a few MB/s, so it gets the first XZ_SIZE_MB only. Both sides are single-threaded, read a file and write a file
# (decompression output is discarded). Each timing is the best of RUNS by CPU time (xz compression: one run); CPU
# time is what the table compares, since wall time swings on a shared machine. Not part of the
# test suite; takes about two minutes on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

SIZE_MB=${SIZE_MB:-200}
XZ_SIZE_MB=${XZ_SIZE_MB:-16}
RUNS=${RUNS:-3}
ZSTD_LEVEL=${ZSTD_LEVEL:-3}
XZ_LEVEL=${XZ_LEVEL:-6}
work=$(mktemp -d /tmp/larder-bench-codecs.XXXXXX)
export LARDER_ARTIFACTS=${LARDER_ARTIFACTS:-$work/artifacts}
trap 'rm -rf "$work"' EXIT

for tool in zstd xz tar; do
  command -v "$tool" >/dev/null || { echo "bench/codecs: '$tool' is missing (eng/install-deps.sh installs it)" >&2; exit 1; }
done

echo "== building the bench tool (Release)"
dotnet build -c Release -v quiet -nologo "$root/bench/codecs/Larder.Bench.Codecs.csproj" >/dev/null
bench_dll=$LARDER_ARTIFACTS/bin/Larder.Bench.Codecs/release/Larder.Bench.Codecs.dll
ours() { dotnet "$bench_dll" "$@"; }

echo "== input: ${SIZE_MB} MB of tar(/usr/lib /usr/share), xz on the first ${XZ_SIZE_MB} MB"
(tar -cf - /usr/lib /usr/share 2>/dev/null || true) | head -c "$((SIZE_MB * 1024 * 1024))" > "$work/input"
head -c "$((XZ_SIZE_MB * 1024 * 1024))" "$work/input" > "$work/input-xz"

# "wall cpu" seconds of a shell command (cpu = user + sys of its processes).
native_clock() {
  local TIMEFORMAT='%R %U %S' t
  t=$( { time sh -c "$1" >/dev/null; } 2>&1 )
  awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' <<<"$t"
}
ours_clock() { ours "$@" | awk '{ print $1, $2 }'; }
# best of N "wall cpu" lines, by CPU time
repeat() { local runs=$1; shift; for _ in $(seq 1 "$runs"); do "$@"; done | sort -g -k2 | head -1; }

declare -a rows
measure() { # label codec input-bytes runs native-command ours-args...
  local label=$1 codec=$2 bytes=$3 runs=$4 native=$5; shift 5
  echo "== $label $codec" >&2
  local n o
  n=$(repeat "$runs" native_clock "$native")
  o=$(repeat "$runs" ours_clock "$@")
  rows+=("$(awk -v l="$label" -v c="$codec" -v b="$bytes" -v n="$n" -v o="$o" 'BEGIN {
    split(n, nn, " "); split(o, oo, " "); mb = b / 1048576
    printf "%-10s %-7s %6.1f %9.3f %9.3f %9.1f %9.1f %6.2f %8.3f %8.3f", l, c, mb, nn[2], oo[2], mb / nn[2], mb / oo[2], nn[2] / oo[2], nn[1], oo[1] }')")
}

in=$work/input
inxz=$work/input-xz
bytes=$(stat -c %s "$in")
bytesxz=$(stat -c %s "$inxz")

zstd -q -T1 "-$ZSTD_LEVEL" -c "$in" > "$work/native.zst"
xz -q -T1 "-$XZ_LEVEL" -c "$inxz" > "$work/native.xz"

measure compress "zstd-$ZSTD_LEVEL" "$bytes" "$RUNS" "zstd -q -T1 -$ZSTD_LEVEL -c '$in' > '$work/n.zst'" compress zstd "$ZSTD_LEVEL" "$in" "$work/ours.zst"
measure decompress zstd "$bytes" "$RUNS" "zstd -q -d -c '$work/native.zst' > /dev/null" decompress zstd "$work/native.zst" -
measure compress "xz-$XZ_LEVEL" "$bytesxz" 1 "xz -q -T1 -$XZ_LEVEL -c '$inxz' > '$work/n.xz'" compress xz "$XZ_LEVEL" "$inxz" "$work/ours.xz"
measure decompress xz "$bytesxz" "$RUNS" "xz -q -T1 -d -c '$work/native.xz' > /dev/null" decompress xz "$work/native.xz" -

echo "== checking our output with the tools"
zstd -q -d -c "$work/ours.zst" | cmp - "$in"
xz -q -d -c "$work/ours.xz" | cmp - "$inxz"
echo "compressed sizes: zstd native $(stat -c %s "$work/native.zst") ours $(stat -c %s "$work/ours.zst");" \
  "xz native $(stat -c %s "$work/native.xz") ours $(stat -c %s "$work/ours.xz")"

echo
echo "CPU seconds (user + sys) and MB/s of uncompressed data per CPU second; ratio = native CPU / our CPU"
echo "(1.00 = same cost, < 1 = we cost more). Wall seconds too, but they only mean something on an idle machine."
printf "%-10s %-7s %6s %9s %9s %9s %9s %6s %8s %8s\n" op codec MB cpu_tool cpu_ours MB/s_tool MB/s_ours ratio wall_tool wall_ours
printf '%s\n' "${rows[@]}"
