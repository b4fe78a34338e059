#!/usr/bin/env bash
# Push benchmark. In one run, on the same machine and the same closure:
#   1. `larder push` vs `nix copy --to http://larder/<cache>?compression=zstd` vs `nix copy --to file://DIR?compression=zstd`,
#      each into a fresh cache, on a closure of COUNT paths (every BIG_EVERY-th holds BIG_MIB MiB, the rest a few KiB);
#   2. a no-op re-push (everything already there) of a MANY-path closure: `larder push` vs `nix copy` to Larder.
# Prints a table with ratios. Targets: larder push >= 1.5x faster than nix copy to Larder; no-op re-push < 2 s.
#   bench/push/run.sh
#   COUNT=300 BIG_EVERY=50 BIG_MIB=16 MANY=10000 JOBS=4 bench/push/run.sh
# Needs root and Debian's nix-bin (eng/install-deps.sh). Nix runs with a private configuration (no daemon, no
# substituters, no narinfo caching); store paths are salted per run so every run pushes fresh paths.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

COUNT=${COUNT:-300}
BIG_EVERY=${BIG_EVERY:-50}
BIG_MIB=${BIG_MIB:-16}
MANY=${MANY:-10000}
JOBS=${JOBS:-4}
work=$(mktemp -d /tmp/larder-bench-push.XXXXXX)
export LARDER_ARTIFACTS=${LARDER_ARTIFACTS:-$work/artifacts}
bench_name=bench/push
# shellcheck source=bench/lib/larder-bench.sh
. "$root/bench/lib/larder-bench.sh"
trap bench_cleanup EXIT

for tool in nix nix-build nix-store dotnet curl python3; do
  command -v "$tool" >/dev/null || { echo "bench/push: '$tool' is missing (eng/install-deps.sh installs it)" >&2; exit 1; }
done

bench_private_nix "require-sigs = true"
bench_build_larder

echo "== starting larder serve"
start_server data
token=$(cat "$work/data/admin-token")
printf 'machine 127.0.0.1 login larder password %s\n' "$token" > "$work/nix/netrc"
export LARDER_CONFIG=$work/larder.json
larder login bench "$url" "$token" --no-verify >/dev/null

salt=$(date +%s%N)
echo "== building the closure: $COUNT paths, every ${BIG_EVERY}th of $BIG_MIB MiB"
closure=$(nix-build "$root/bench/push/closure.nix" --no-out-link -j "$(nproc)" --argstr salt "$salt" \
  --arg count "$COUNT" --arg bigEvery "$BIG_EVERY" --arg bigMiB "$BIG_MIB" 2>/dev/null)
paths=$(nix-store -qR "$closure" | wc -l)
nar_bytes=$(nix path-info -S "$closure" | awk '{ print $2 }')
echo "   $paths paths, $((nar_bytes / 1048576)) MiB of NAR"

# The server JIT-compiles its upload paths on first use: warm both (larder push and nix copy) on a small closure of
# its own, so neither timed client pays for it.
warm=$(nix-build "$root/bench/push/closure.nix" --no-out-link --argstr salt "warm-$salt" --arg count 20 --arg bigEvery 10 \
  --arg bigMiB 1 2>/dev/null)

echo "== building the $MANY-path closure"
many=$(nix-build "$root/bench/push/many.nix" --no-out-link --argstr salt "$salt" --arg count "$MANY" 2>/dev/null)
many_paths=$(nix-store -qR "$many" | wc -l)

larder cache create push-larder >/dev/null
larder cache create push-nixcopy >/dev/null
larder cache create many >/dev/null
larder cache create warm-larder >/dev/null
larder cache create warm-nixcopy >/dev/null
echo "== warming the server up (not timed)"
seconds larder push warm-larder "$warm" -j "$JOBS" >/dev/null
seconds timeout 600 nix copy --to "$url/warm-nixcopy?compression=zstd" "$warm" >/dev/null

# CPU seconds the server has used so far (user + system): on a busy machine wall time is noisy, CPU time less so.
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15) / hz }' "/proc/$server_pid/stat"; }

echo "== larder push ($paths paths, -j $JOBS)"
c0=$(server_cpu)
t_larder=$(seconds larder push push-larder "$closure" -j "$JOBS")
c1=$(server_cpu)
echo "== nix copy to Larder (zstd)"
t_nix_http=$(seconds timeout 1800 nix copy --to "$url/push-nixcopy?compression=zstd" "$closure")
c2=$(server_cpu)
cpu_larder=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')
cpu_nix_http=$(awk -v a="$c1" -v b="$c2" 'BEGIN { printf "%.2f", b - a }')
echo "== nix copy to file:// (zstd)"
t_nix_file=$(seconds timeout 1800 nix copy --to "file://$work/filecache?compression=zstd" "$closure")

echo "== first push of the $MANY-path closure (not timed for the table)"
t_many_first=$(seconds larder push many "$many" -j "$JOBS")
echo "== no-op re-push: larder push"
t_noop=$(seconds larder push many "$many")
echo "== no-op re-push: nix copy"
t_noop_nix=$(seconds timeout 1800 nix copy --to "$url/many?compression=zstd" "$many")

mib=$(awk -v b="$nar_bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
echo
echo "push benchmark: $paths paths, $mib MiB NAR (every ${BIG_EVERY}th path $BIG_MIB MiB); $(nproc) cores; loopback; load average $(cut -d' ' -f1 /proc/loadavg)"
printf '%-44s %9s %10s %14s %12s\n' "what" "seconds" "MiB/s" "vs larder push" "server CPU s"
row() { awk -v l="$1" -v t="$2" -v m="$mib" -v base="$t_larder" -v cpu="$3" 'BEGIN { printf "%-44s %9.2f %10.1f %13.2fx %12s\n", l, t, m / t, t / base, cpu }'; }
row "larder push (-j $JOBS)" "$t_larder" "$cpu_larder"
row "nix copy --to http://larder (zstd)" "$t_nix_http" "$cpu_nix_http"
row "nix copy --to file:// (zstd)" "$t_nix_file" "-"
echo
printf '%-44s %9s\n' "no-op re-push, $many_paths paths" "seconds"
printf '%-44s %9.2f\n' "larder push (first push, for reference)" "$t_many_first"
printf '%-44s %9.2f\n' "larder push (no-op)" "$t_noop"
awk -v t="$t_noop_nix" -v b="$t_noop" 'BEGIN { printf "%-44s %9.2f   (%.1fx larder)\n", "nix copy --to http://larder (no-op)", t, t / b }'
echo
awk -v a="$t_nix_http" -v b="$t_larder" 'BEGIN { r = a / b; printf "target larder push >= 1.5x nix copy to Larder: %.2fx %s\n", r, (r >= 1.5 ? "MET" : "NOT MET") }'
awk -v t="$t_noop" 'BEGIN { printf "target no-op re-push < 2 s: %.2f s %s\n", t, (t < 2 ? "MET" : "NOT MET") }'
