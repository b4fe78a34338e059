#!/usr/bin/env bash
# NAR benchmark: `larder nar hash` against `nix-hash --type sha256 --base32`, and `larder nar dump-path` against
# `nix-store --dump`, on the same ~1 GB tree (a few large files plus many small ones, so both the streaming path and
# the per-file overhead count). Timed with hyperfine (warm page cache: one warmup run each); the table shows the
# mean wall time and the ratio baseline/larder (above 1 means larder is faster).
#   bench/nar/run.sh                               # defaults below
#   LARGE_MB=800 SMALL_FILES=20000 RUNS=5 bench/nar/run.sh
# Needs hyperfine and Nix (Debian: hyperfine, nix-bin; eng/install-deps.sh installs them). About two minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

LARGE_MB=${LARGE_MB:-800}      # split over 4 large files
SMALL_FILES=${SMALL_FILES:-20000}
SMALL_KB=${SMALL_KB:-10}      # average size of a small file
RUNS=${RUNS:-5}
work=$(mktemp -d /tmp/larder-bench-nar.XXXXXX)
export LARDER_ARTIFACTS=${LARDER_ARTIFACTS:-$work/artifacts}
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

for tool in hyperfine nix-hash nix-store python3; do
  command -v "$tool" >/dev/null || { echo "bench/nar: '$tool' is missing (apt-get install hyperfine nix-bin python3)" >&2; exit 1; }
done
# Nix with a private, empty configuration: the baseline must not depend on the machine's nix.conf.
mkdir -p "$work/nix-etc"
: > "$work/nix-etc/nix.conf"
export NIX_CONF_DIR=$work/nix-etc NIX_USER_CONF_FILES=/dev/null XDG_CACHE_HOME=$work/xdg

echo "== building larder (Release)"
dotnet build -c Release -v quiet -nologo "$root/src/Larder.Cli/Larder.Cli.csproj" >/dev/null
larder=$LARDER_ARTIFACTS/bin/Larder.Cli/release/larder
[ -x "$larder" ] || { echo "bench/nar: no larder executable at $larder" >&2; exit 1; }

tree=$work/tree
echo "== tree: 4 files of $((LARGE_MB / 4)) MB, $SMALL_FILES small files (~${SMALL_KB} KB) in nested directories"
python3 - "$tree" "$LARGE_MB" "$SMALL_FILES" "$SMALL_KB" <<'PY'
import os, random, sys
root, large_mb, small_files, small_kb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(42)
block = rng.randbytes(8 << 20)                 # 8 MB of random bytes, repeated: hashing cost does not depend on content
os.makedirs(os.path.join(root, "large"))
for i in range(4):
    with open(os.path.join(root, "large", f"blob-{i}.bin"), "wb") as f:
        left = (large_mb << 20) // 4 + 12345 * i
        while left > 0:
            n = min(left, len(block)); f.write(block[:n]); left -= n
for i in range(small_files):
    d = os.path.join(root, "small", f"d{i % 97:02d}", f"e{i % 13}")
    os.makedirs(d, exist_ok=True)
    size = rng.randint(0, 2 * small_kb * 1024)
    start = rng.randint(0, len(block) - size)
    path = os.path.join(d, f"file-{i}.txt")
    with open(path, "wb") as f:
        f.write(block[start:start + size])
    if i % 10 == 0:
        os.chmod(path, 0o755)
    if i % 50 == 0:
        os.symlink(f"file-{i}.txt", os.path.join(d, f"link-{i}"))
PY
du -sh "$tree" | awk '{ print "   size on disk: " $1 }'

echo "== correctness check before timing"
ours=$("$larder" nar hash "$tree")
theirs=$(nix-hash --type sha256 --base32 "$tree")
[ "$ours" = "sha256:$theirs" ] || { echo "bench/nar: hash mismatch: larder $ours, nix-hash sha256:$theirs" >&2; exit 1; }
cmp <("$larder" nar dump-path "$tree") <(nix-store --dump "$tree") || { echo "bench/nar: dump differs from nix-store --dump" >&2; exit 1; }
nar_bytes=$("$larder" nar hash --json "$tree" | python3 -c 'import json,sys; print(json.load(sys.stdin)["narSize"])')
echo "   NAR size: $nar_bytes bytes; larder and Nix agree: $ours"

# Store paths are read-only, and larder maps large read-only files instead of copying them through a buffer: time
# the tree as written (writable, the read() path) and again after chmod -R a-w (as it would sit in /nix/store).
time_tree() { # $1: which tree, also names the results file
  echo "== timing, $1 tree ($RUNS runs each after one warmup)"
  hyperfine --style basic --warmup 1 --runs "$RUNS" --export-json "$work/results-$1.json" \
    -n "nix-hash" "nix-hash --type sha256 --base32 '$tree'" \
    -n "larder nar hash" "'$larder' nar hash '$tree'" \
    -n "nix-store --dump" "nix-store --dump '$tree' > /dev/null" \
    -n "larder nar dump-path" "'$larder' nar dump-path '$tree' > /dev/null" >&2
}
time_tree writable
chmod -R a-w "$tree"
time_tree read-only
chmod -R u+w "$tree"

python3 - "$work" "$nar_bytes" <<'PY'
import json, sys
work, size = sys.argv[1], int(sys.argv[2])
rows = [("hash", "nix-hash", "larder nar hash"), ("dump", "nix-store --dump", "larder nar dump-path")]
cpu = lambda r: r["user"] + r["system"]
print()
print(f"{'operation':<10} {'tree':<10} {'baseline':<18} {'baseline s':>11} {'larder s':>9} {'larder GB/s':>12} {'ratio':>6}   {'cpu: baseline s':>15} {'larder s':>9} {'ratio':>6}")
for tree in ("writable", "read-only"):
    results = {r["command"]: r for r in json.load(open(f"{work}/results-{tree}.json"))["results"]}
    for op, base, ours in rows:
        b, o = results[base], results[ours]
        print(f"{op:<10} {tree:<10} {base:<18} {b['mean']:>11.3f} {o['mean']:>9.3f} {size / o['mean'] / 1e9:>12.2f} {b['mean'] / o['mean']:>6.2f}"
              f"   {cpu(b):>15.3f} {cpu(o):>9.3f} {cpu(b) / cpu(o):>6.2f}")
print("\nratio = baseline mean time / larder mean time (above 1: larder is faster); wall time first, then CPU time")
print("(user + system), which a busy shared machine distorts less. larder's times include .NET start-up (~0.07 s).")
print("read-only: the same tree after chmod -R a-w, as files sit in /nix/store; larder maps large read-only files.")
with open("/proc/loadavg") as f:
    print("load average during the run:", " ".join(f.read().split()[:3]))
PY
