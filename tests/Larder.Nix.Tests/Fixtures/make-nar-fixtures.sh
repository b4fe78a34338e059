#!/usr/bin/env bash
# make-nar-fixtures.sh - regenerate the golden NAR fixtures in Fixtures/nar/ with the real Nix.
#
# For every fixture tree NAME built below it writes:
#   nar/NAME.nar       `nix-store --dump` of the tree
#   nar/NAME.hash      `nix-hash --type sha256 --base32` of the tree (one line)
#   nar/NAME.ls        the listing `nix copy --to file://...?write-nar-listing=true` writes
#   nar/NAME.ls.txt    `nix nar ls -R --long NAME.nar /`
# Needs root and Debian's nix-bin (Nix 2.8). Nix runs with a private, throwaway config.
# Usage: bash tests/Larder.Nix.Tests/Fixtures/make-nar-fixtures.sh
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/nar
WORK=$(mktemp -d /tmp/larder-nar-fixtures.XXXXXX)
trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT

mkdir -p "$WORK/etc" "$WORK/xdg"
cat > "$WORK/etc/nix.conf" <<'CONF'
build-users-group =
sandbox = false
substituters =
experimental-features = nix-command
narinfo-cache-negative-ttl = 0
narinfo-cache-positive-ttl = 0
download-attempts = 1
fsync-metadata = false
CONF
export NIX_CONF_DIR=$WORK/etc NIX_USER_CONF_FILES=/dev/null XDG_CACHE_HOME=$WORK/xdg
nixrun() { timeout 60 "$@"; }

T=$WORK/trees
mkdir -p "$T"

# --- single-node archives ---
printf 'hello\n' > "$T/regular"
: > "$T/empty"
printf '#!/bin/sh\necho hi\n' > "$T/executable"; chmod 755 "$T/executable"
ln -s 'some/relative target' "$T/symlink"
mkdir "$T/empty-dir"

# --- padding: contents of every length 0..17 in one directory ---
mkdir "$T/padding"
for n in $(seq 0 17); do head -c "$n" /dev/zero | tr '\0' 'x' > "$T/padding/len-$n"; done

# --- a mixed tree: nesting, executables, all kinds of symlinks, empty dirs ---
m=$T/mixed
mkdir -p "$m/bin" "$m/share/doc/pkg" "$m/lib/empty" "$m/deep/a/b/c/d/e"
printf '#!/bin/sh\nexec true\n' > "$m/bin/tool"; chmod 755 "$m/bin/tool"
printf 'not executable\n' > "$m/bin/data"; chmod 644 "$m/bin/data"
printf 'only owner x\n' > "$m/bin/owner-x"; chmod 744 "$m/bin/owner-x"
printf 'readme\n' > "$m/share/doc/pkg/README"
: > "$m/share/doc/pkg/empty"
ln -s ../bin/tool "$m/share/link-relative"
ln -s /nix/store/does-not-exist-anywhere "$m/share/link-absolute"
ln -s missing/file "$m/share/link-dangling"
ln -s pkg "$m/share/doc/link-to-dir"
printf 'deep\n' > "$m/deep/a/b/c/d/e/leaf"
# deterministic "random" bytes (no pipe into head: with pipefail its early exit would abort the script)
for i in $(seq 1 100); do printf %s "$i" | sha256sum; done > "$WORK/digests"
head -c 3000 "$WORK/digests" > "$m/lib/random.bin"

# --- names: byte order, unicode, odd but legal characters, a 255-byte name ---
n=$T/names
mkdir "$n"
for name in a A b _ a.b a-b ab 'with space' 'plus+sign' 'eq=sign' 'tilde~' '-leading-dash' \
  '.hidden' '..dots' '...' 'é' 'e' 'z' '日本語' '！fullwidth' '🎉party' 'tab	char' 'quote"back\slash' \
  'new
line' "$(printf 'x%.0s' $(seq 1 255))"; do
  printf '%s\n' "$name" > "$n/$name"
done
ln -s 'target with "quotes" and \ and é' "$n/sym-odd-target"
# control bytes: Nix's JSON writes \u00XX for bytes below 0x20, DEL stays raw
for name in "$(printf 'ctl\001x')" "$(printf 'ctl\037x')" "$(printf 'del\177x')" "$(printf 'cr\rx')"; do
  printf 'control\n' > "$n/$name"
done

for tree in regular empty executable symlink empty-dir padding mixed names; do
  src=$T/$tree
  nixrun nix-store --dump "$src" > "$OUT/$tree.nar"
  nixrun nix-hash --type sha256 --base32 "$src" > "$OUT/$tree.hash"
  # Nix's own listing: add the tree to the store, copy it to a file:// cache with listings on.
  sp=$(nixrun nix-store --add "$src")
  cache=$WORK/cache-$tree
  nixrun nix copy --to "file://$cache?compression=none&write-nar-listing=true" "$sp"
  cp "$cache/$(basename "$sp" | cut -c1-32).ls" "$OUT/$tree.ls"
  nixrun nix nar ls -R --long "$OUT/$tree.nar" / > "$OUT/$tree.ls.txt"
done
ls -l "$OUT"
