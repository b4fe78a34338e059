#!/usr/bin/env bash
# End-to-end part of the chunking benchmark (issue 9), with real `larder serve` (SQLite + folder) and the real Nix:
#   a. E2E_VERSIONS versions of an E2E_MB MiB path (bench/chunking/versions.nix: CHANGED_PERCENT % overwritten in 4
#      places plus a 4 KiB insertion each): `larder push` of version N+1 after N, bytes sent / NAR size (goal <= 5%),
#      and its wall time against `nix copy --to` of the same path to the same server (goal >= 5x faster);
#      then the stored bytes / one version (goal <= 1.5) and objects per stored MiB (goal <= 2) of those versions;
#   b. `nix copy --from` of the last version stored chunked against the same NAR stored whole, by a second server
#      whose chunk sizes keep it one chunk (goal <= 1.1x), median of FROM_RUNS alternating runs;
#   c. peak server RSS while `nix copy --to` ingests an INGEST_MB MiB NAR (goal < 200 MiB), with the RSS before it.
# Every figure is printed with the load average measured right after it (the machine may be shared), and the load
# averages of the whole run at its start and end. On a busy machine wall times are noise: part a also prints the CPU
# seconds each push took (client + server, from /usr/bin/time and /proc/PID/stat), which do not depend on the load.
#   bench/chunking/e2e.sh
#   E2E_MB=50 E2E_VERSIONS=4 INGEST_MB=256 FROM_RUNS=1 bench/chunking/e2e.sh     # a quick run
#   XZ=0 bench/chunking/e2e.sh     # without the (slow) nix copy --to with xz
# Needs root and Debian's nix-bin (eng/install-deps.sh); Nix runs with a private configuration, and store paths are
# salted per run. bench/chunking/run.sh runs it after the in-memory parts.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

E2E_MB=${E2E_MB:-200}
E2E_VERSIONS=${E2E_VERSIONS:-10}
CHANGED_PERCENT=${CHANGED_PERCENT:-1}
FROM_RUNS=${FROM_RUNS:-3}
INGEST_MB=${INGEST_MB:-2048}
NIX_COMPRESSION=${NIX_COMPRESSION:-zstd}
XZ=${XZ:-1}
JOBS=${JOBS:-4}
work=$(mktemp -d /tmp/larder-bench-chunking-e2e.XXXXXX)
export LARDER_ARTIFACTS=${LARDER_ARTIFACTS:-$work/artifacts}
bench_name=bench/chunking/e2e
# shellcheck source=bench/lib/larder-bench.sh
. "$root/bench/lib/larder-bench.sh"
trap bench_cleanup EXIT

for tool in nix nix-build nix-store dotnet curl sqlite3 python3; do
  command -v "$tool" >/dev/null || { echo "bench/chunking/e2e: '$tool' is missing (eng/install-deps.sh installs it)" >&2; exit 1; }
done

bench_private_nix
# The larder users run (a push's time includes the CLI's start-up).
bench_install_larder
load() { cut -d' ' -f1 /proc/loadavg; }
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

echo "== starting two servers: default chunking, and chunks large enough to keep a ${E2E_MB} MiB NAR whole"
start_server chunked
chunked_url=$url chunked_pid=$server_pid
start_server whole --Larder:Chunking:MinSize=67108864 --Larder:Chunking:AverageSize=134217728 \
  --Larder:Chunking:MaxSize=268435456 --Larder:Chunking:SingleChunkThreshold=268435456
# Nix sends the netrc password of a host with every request: the second server is reached as localhost, so it does
# not get the first one's token (the netrc below names 127.0.0.1 only).
whole_url=${url/127.0.0.1/localhost}
token=$(cat "$work/chunked/admin-token")
whole_token=$(cat "$work/whole/admin-token")
printf 'machine 127.0.0.1 login larder password %s\n' "$token" > "$work/nix/netrc"
export LARDER_CONFIG=$work/larder.json
larder login chunked "$chunked_url" "$token" --no-verify >/dev/null
larder login whole "$whole_url" "$whole_token" --no-verify >/dev/null
larder cache create chunked:pushed --public >/dev/null
larder cache create chunked:nixcopy --public >/dev/null
larder cache create chunked:nixcopy-xz --public >/dev/null
larder cache create chunked:ingest --public >/dev/null
larder cache create whole:whole --public >/dev/null

salt=$(date +%s%N)
echo "== building $E2E_VERSIONS versions of a $E2E_MB MiB path"
mapfile -t versions < <(nix-build "$root/bench/chunking/versions.nix" --no-out-link --argstr salt "$salt" \
  --arg size "$((E2E_MB * 1048576))" --arg count "$E2E_VERSIONS" --arg percent "$CHANGED_PERCENT" \
  $(for i in $(seq 1 "$E2E_VERSIONS"); do echo "-A v$i"; done) 2>/dev/null | sort -t- -k4,4n)
nar_size() { nix path-info --json "$1" | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["narSize"])'; }
v1_size=$(nar_size "${versions[0]}")

echo "== a. version 1 (every chunk new), then each next version: larder push vs nix copy --to"
t_first_larder=$(seconds larder push chunked:pushed "${versions[0]}" -j "$JOBS")
t_first_nix=$(seconds timeout 1800 nix copy --to "$chunked_url/nixcopy?compression=$NIX_COMPRESSION" "${versions[0]}")
load_first=$(load)
server_cpu() { awk -v t="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$chunked_pid/stat"; }
# measure COMMAND…: "wall_s client_cpu_s server_cpu_s" of COMMAND (the first server's CPU); its stdout in $work/out.
measure() {
  local s0 s1 start end
  s0=$(server_cpu)
  start=$(date +%s.%N)
  /usr/bin/time -f '%U %S' -o "$work/time" "$@" > "$work/out" 2>>"$work/commands.log" ||
    { echo "$bench_name: '$*' failed:" >&2; tail -20 "$work/commands.log" >&2; exit 1; }
  end=$(date +%s.%N)
  s1=$(server_cpu)
  tail -1 "$work/time" | awk -v a="$start" -v b="$end" -v s0="$s0" -v s1="$s1" '{ printf "%.3f %.3f %.3f\n", b - a, $1 + $2, s1 - s0 }'
}
rows=()
for ((n = 1; n < E2E_VERSIONS; n++)); do
  path=${versions[$n]}
  size=$(nar_size "$path")
  read -r t_larder c_larder s_larder < <(measure "${larder_cmd[@]}" push chunked:pushed "$path" -j "$JOBS" --json)
  load_larder=$(load)
  sent=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["sentBytes"])' "$work/out")
  read -r t_nix c_nix s_nix < <(measure timeout 1800 nix copy --to "$chunked_url/nixcopy?compression=$NIX_COMPRESSION" "$path")
  rows+=("$((n + 1)) $size $sent $t_larder $t_nix $load_larder $c_larder $s_larder $c_nix $s_nix")
done
printf '%-8s %8s %9s %7s %9s %9s %7s %15s %15s %9s %6s\n' version NAR_MiB sent_MiB sent_% larder_s nixcopy_s speedup \
  larder_cpu_c+s nixcopy_cpu_c+s cpu_ratio load
for row in "${rows[@]}"; do
  echo "$row" | awk '{ printf "%-8s %8.1f %9.2f %7.2f %9.2f %9.2f %6.1fx %7.2f+%-7.2f %7.2f+%-7.2f %8.1fx %6s\n", $1, $2 / 1048576, $3 / 1048576, 100 * $3 / $2, $4, $5, $5 / $4, $7, $8, $9, $10, ($9 + $10) / ($7 + $8), $6 }'
done
summary_a=$(printf '%s\n' "${rows[@]}" | awk '{ s += $3 / $2; if ($3 / $2 > m) m = $3 / $2; tl += $4; tn += $5; cl += $7 + $8; cn += $9 + $10 } END { printf "%.2f %.2f %.3f %.3f %.3f %.3f", 100 * s / NR, 100 * m, tl / NR, tn / NR, cl / NR, cn / NR }')
read -r sent_mean sent_max t_larder_mean t_nix_mean cpu_larder_mean cpu_nix_mean <<< "$summary_a"
load_a=$(load)
# Distinct chunks the pushed versions use, as the server stores them (zstd), and how many objects hold them (a pack
# holds many chunks).
read -r objects stored_bytes < <(sqlite3 -separator ' ' "$work/chunked/larder.db" "
  SELECT COUNT(DISTINCT COALESCE(pack_key, storage_key)), COALESCE(SUM(stored_size), 0) FROM chunks WHERE id IN (
    SELECT n.chunk_id FROM nar_chunks n JOIN paths p ON p.nar_id = n.nar_id JOIN caches c ON c.id = p.cache_id
    WHERE c.name = 'pushed')")

t_nix_xz="" load_xz=-
if [[ $XZ == 1 ]]; then
  echo "== a. nix copy --to of version $E2E_VERSIONS with Nix's default compression (xz)"
  t_nix_xz=$(seconds timeout 3600 nix copy --to "$chunked_url/nixcopy-xz" "${versions[$((E2E_VERSIONS - 1))]}")
  load_xz=$(load)
fi

echo "== b. nix copy --from: version $E2E_VERSIONS stored chunked vs stored whole ($FROM_RUNS runs each, alternating)"
last=${versions[$((E2E_VERSIONS - 1))]}
larder push whole:whole "$last" --no-chunks >/dev/null
whole_chunks=$(sqlite3 "$work/whole/larder.db" "SELECT COUNT(*) FROM nar_chunks n JOIN paths p ON p.nar_id = n.nar_id")
from_chunked=() from_whole=()
for ((run = 0; run < FROM_RUNS; run++)); do
  for kind in chunked whole; do
    base=$chunked_url/pushed
    [ "$kind" = whole ] && base=$whole_url/whole
    t=$(seconds timeout 1800 nix copy --no-check-sigs --from "$base" --to "$work/store-$kind-$run" "$last")
    rm -rf "$work/store-$kind-$run"
    if [ "$kind" = chunked ]; then from_chunked+=("$t"); else from_whole+=("$t"); fi
  done
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
t_from_chunked=$(median "${from_chunked[@]}")
t_from_whole=$(median "${from_whole[@]}")
load_b=$(load)

echo "== c. server RSS while nix copy --to ingests a $INGEST_MB MiB NAR"
ingest=$(nix-build "$root/bench/chunking/ingest.nix" --no-out-link --argstr salt "$salt" --arg size "$((INGEST_MB * 1048576))" 2>/dev/null)
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$chunked_pid/status"; }
rss_before=$(rss)
hwm_before=$(awk '/^VmHWM:/ { print $2 }' "/proc/$chunked_pid/status")
(
  peak=0
  while kill -0 "$chunked_pid" 2>/dev/null && [ ! -e "$work/ingest.done" ]; do
    now=$(rss)
    [ "$now" -gt "$peak" ] && peak=$now && echo "$peak" > "$work/ingest.peak"
    sleep 0.05
  done
) &
sampler=$!
t_ingest=$(seconds timeout 3600 nix copy --to "$chunked_url/ingest?compression=$NIX_COMPRESSION" "$ingest")
touch "$work/ingest.done"
wait "$sampler"
rss_peak=$(cat "$work/ingest.peak")
# A VmHWM above the one before the ingest is the ingest's exact peak (the sampler may miss a short one).
hwm_after=$(awk '/^VmHWM:/ { print $2 }' "/proc/$chunked_pid/status")
[ "$hwm_after" -gt "$hwm_before" ] && [ "$hwm_after" -gt "$rss_peak" ] && rss_peak=$hwm_after
load_c=$(load)

mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
verdict() { awk -v v="$1" -v g="$2" -v op="$3" 'BEGIN { ok = (op == "le" ? v <= g : (op == "ge" ? v >= g : v < g)); print (ok ? "MET" : "NOT MET") }'; }
speedup=$(awk -v a="$t_nix_mean" -v b="$t_larder_mean" 'BEGIN { printf "%.2f", a / b }')
from_ratio=$(awk -v a="$t_from_chunked" -v b="$t_from_whole" 'BEGIN { printf "%.2f", a / b }')
stored_ratio=$(awk -v s="$stored_bytes" -v v="$v1_size" 'BEGIN { printf "%.2f", s / v }')
per_mib=$(awk -v o="$objects" -v s="$stored_bytes" 'BEGIN { printf "%.2f", o / (s / 1048576) }')
rss_peak_mib=$(awk -v k="$rss_peak" 'BEGIN { printf "%.0f", k / 1024 }')
echo
echo "chunking end to end: $E2E_VERSIONS versions of $(mib "$v1_size") MiB ($CHANGED_PERCENT% changed in 4 places + 4 KiB inserted each); $(nproc) cores; loopback; nix copy with compression=$NIX_COMPRESSION"
printf '%-58s %-34s %-9s %-8s %s\n' figure result goal target load
printf '%-58s %-34s %-9s %-8s %s\n' "a. larder push of version N+1 after N: sent / NAR" "mean $sent_mean%, max $sent_max%" "<= 5%" "$(verdict "$sent_mean" 5 le)" "$load_a"
printf '%-58s %-34s %-9s %-8s %s\n' "a. larder push vs nix copy --to of the same path (mean s)" "$t_larder_mean s vs $t_nix_mean s: ${speedup}x" ">= 5x" "$(verdict "$speedup" 5 ge)" "$load_a"
printf '%-58s %-34s %-9s %-8s %s\n' "a. same, CPU seconds (larder + server vs nix + server, mean)" "$cpu_larder_mean s vs $cpu_nix_mean s: $(awk -v a="$cpu_nix_mean" -v b="$cpu_larder_mean" 'BEGIN { printf "%.2f", a / b }')x" "-" "-" "$load_a"
if [[ -n $t_nix_xz ]]; then
  printf '%-58s %-34s %-9s %-8s %s\n' "a. same, against nix copy --to with xz (Nix's default)" "$t_larder_mean s vs $t_nix_xz s: $(awk -v a="$t_nix_xz" -v b="$t_larder_mean" 'BEGIN { printf "%.1f", a / b }')x" ">= 5x" "$(verdict "$(awk -v a="$t_nix_xz" -v b="$t_larder_mean" 'BEGIN { print a / b }')" 5 ge)" "$load_xz"
else
  printf '%-58s %-34s %-9s %-8s %s\n' "a. same, against nix copy --to with xz (Nix's default)" "not run (XZ=0)" ">= 5x" "-" "-"
fi
printf '%-58s %-34s %-9s %-8s %s\n' "a. version 1, every chunk new: larder push vs nix copy" "$t_first_larder s vs $t_first_nix s: $(awk -v a="$t_first_nix" -v b="$t_first_larder" 'BEGIN { printf "%.2f", a / b }')x" "-" "-" "$load_first"
printf '%-58s %-34s %-9s %-8s %s\n' "a. stored after $E2E_VERSIONS versions / one version" "$(mib "$stored_bytes") MiB: ${stored_ratio}x" "<= 1.5x" "$(verdict "$stored_ratio" 1.5 le)" "$load_a"
printf '%-58s %-34s %-9s %-8s %s\n' "a. objects per stored MiB" "$objects objects: $per_mib" "<= 2" "$(verdict "$per_mib" 2 le)" "$load_a"
printf '%-58s %-34s %-9s %-8s %s\n' "b. nix copy --from, chunked vs whole ($whole_chunks chunk; median)" "$t_from_chunked s vs $t_from_whole s: ${from_ratio}x" "<= 1.1x" "$(verdict "$from_ratio" 1.1 le)" "$load_b"
printf '%-58s %-34s %-9s %-8s %s\n' "c. server peak RSS, nix copy --to of $INGEST_MB MiB ($t_ingest s)" "$rss_peak_mib MiB (at rest before: $((rss_before / 1024)), VmHWM before: $((hwm_before / 1024)))" "< 200 MiB" "$(verdict "$rss_peak_mib" 200 lt)" "$load_c"
echo "load average: $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
