#!/usr/bin/env bash
# Explain benchmark: `larder explain` of a COUNT-derivation graph (bench/explain/graph.nix) against a local
# `larder serve`, with the graph's PUSHED base derivations built, pushed and then deleted from the local store (so
# they are substitutable) and every other derivation never built (so it is explained as to be built). Times the
# explanation of the instantiated .drv (the graph walk, the validity check, the one batched request, the analysis and
# the JSON report) RUNS times, and prints the median with the load average. Target: under 5 s for 5,000 paths.
#   bench/explain/run.sh
#   COUNT=5000 PUSHED=500 RUNS=5 bench/explain/run.sh
# Needs root and Debian's nix-bin (eng/install-deps.sh). Nix runs with a private configuration; paths are salted per run.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

COUNT=${COUNT:-5000}
PUSHED=${PUSHED:-500}
RUNS=${RUNS:-5}
work=$(mktemp -d /tmp/larder-bench-explain.XXXXXX)
export LARDER_ARTIFACTS=${LARDER_ARTIFACTS:-$work/artifacts}
bench_name=bench/explain
# shellcheck source=bench/lib/larder-bench.sh
. "$root/bench/lib/larder-bench.sh"
trap bench_cleanup EXIT

for tool in nix nix-build nix-store nix-instantiate dotnet curl python3; do
  command -v "$tool" >/dev/null || { echo "bench/explain: '$tool' is missing (eng/install-deps.sh installs it)" >&2; exit 1; }
done

bench_private_nix
bench_build_larder

echo "== starting larder serve"
start_server data
export LARDER_CONFIG=$work/larder.json
larder login bench "$url" "$(cat "$work/data/admin-token")" --no-verify >/dev/null
larder cache create explain --public >/dev/null
key=$(larder cache info explain --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["publicKey"])')

salt=$(date +%s%N)
graph=(--arg count "$COUNT" --arg pushed "$PUSHED" --argstr salt "$salt")
echo "== building and pushing the $PUSHED base derivations"
base=$(nix-build "$root/bench/explain/graph.nix" -A base "${graph[@]}" --no-out-link -j "$(nproc)" 2>/dev/null)
mapfile -t base_closure < <(nix-store -qR "$base")
seconds larder push explain "$base" >/dev/null
seconds nix-store --delete "${base_closure[@]}" >/dev/null
drv=$(nix-instantiate "$root/bench/explain/graph.nix" -A root "${graph[@]}" 2>/dev/null)
paths=$(nix-store -qR "$drv" | grep -c '\.drv$')

# From here on, the client substitutes from the cache and trusts its key.
printf '%s\n' "substituters = $url/explain" "trusted-public-keys = $key" >> "$work/nix/nix.conf"
echo "== larder explain of $paths derivations (warm-up, then $RUNS timed runs)"
larder explain "$drv" --json > "$work/report.json"
python3 - "$work/report.json" "$PUSHED" "$paths" <<'PY'
import json, sys
report, pushed, paths = json.load(open(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3])
summary = report["summary"]
assert summary["download"] == pushed, summary
assert summary["build"] == paths - pushed, summary
print(f"   {summary['build']} to build, {summary['download']} to download, {len(report['rootCauses'])} root causes")
PY
# CPU seconds (user + system) the server has used so far: on a busy machine wall time is noisy, CPU time less so.
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15) / hz }' "/proc/$server_pid/stat"; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
times=() client_cpu=() server_cpus=()
for _ in $(seq 1 "$RUNS"); do
  c0=$(server_cpu)
  # /usr/bin/time counts the CPU of the client and of the Nix processes it waits for.
  /usr/bin/time -f '%e %U %S' -o "$work/time" "${larder_cmd[@]}" explain "$drv" --json > /dev/null
  c1=$(server_cpu)
  read -r wall user sys < "$work/time"
  times+=("$wall")
  client_cpu+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')")
  server_cpus+=("$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')")
done
echo
printf '%-44s %s\n' "explain of $paths paths, median of $RUNS" "$(printf '%s\n' "${times[@]}" | median) s wall (target < 5 s)"
printf '%-44s %s\n' "  CPU: client + Nix processes, server" "$(printf '%s\n' "${client_cpu[@]}" | median) s, $(printf '%s\n' "${server_cpus[@]}" | median) s"
printf '%-44s %s\n' "  runs (wall)" "${times[*]}"
printf '%-44s %s\n' "load average, cores" "$(cut -d' ' -f1-3 /proc/loadavg), $(nproc)"
