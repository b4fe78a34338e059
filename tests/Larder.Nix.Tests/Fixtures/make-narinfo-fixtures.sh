#!/usr/bin/env bash
# make-narinfo-fixtures.sh - regenerate the golden narinfo and key fixtures with the real Nix (Debian nix-bin).
#
# Writes, next to this script:
#   keys/nix-fixture-{1,2}.{sk,pk}   key pairs from `nix-store --generate-binary-cache-key`
#   narinfo/<compression>/*.narinfo  what `nix copy --to file://DIR?compression=C` writes, for a built chain
#                                    (input-addressed, with Deriver, References and two Sig lines) and for
#                                    content-addressed paths (`nix-store --add`, `--add-fixed`, `builtins.toFile`)
#   narinfo/path-info.json           `nix path-info --json` of the same paths, to cross-check parsed fields
# Compressions: none xz zstd bzip2 br gzip. Needs root (it builds into /nix/store) and nix on PATH.
# Re-running makes new keys and so new signatures; commit the result as a whole.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/larder-narinfo-fixtures.XXXXXX)
trap 'rm -rf "$work"' EXIT

# An isolated Nix configuration: no user config, no substituters, no narinfo caching.
mkdir -p "$work/etc" "$work/xdg"
cat > "$work/etc/nix.conf" <<'CONF'
build-users-group =
sandbox = false
substituters =
require-sigs = true
experimental-features = nix-command
narinfo-cache-negative-ttl = 0
narinfo-cache-positive-ttl = 0
download-attempts = 1
fsync-metadata = false
warn-dirty = false
CONF
export NIX_CONF_DIR="$work/etc" NIX_USER_CONF_FILES=/dev/null XDG_CACHE_HOME="$work/xdg"
nix() { timeout 300 "$(type -P nix)" "$@"; }

# Key pairs, exactly as Nix writes them.
rm -rf "$here/keys" "$here/narinfo"
mkdir -p "$here/keys" "$here/narinfo"
for i in 1 2; do
  timeout 60 nix-store --generate-binary-cache-key "nix-fixture-$i" "$here/keys/nix-fixture-$i.sk" "$here/keys/nix-fixture-$i.pk"
done

# A chain of built derivations whose outputs reference each other (fixed salt: stable store paths).
cat > "$work/chain.nix" <<'NIX'
let
  fibs = builtins.genList mk 5;
  mk = k: derivation {
    name = "larder-fixture-${toString k}";
    builder = "/bin/sh";
    system = builtins.currentSystem;
    PATH = "/usr/bin:/bin";
    salt = "larder-narinfo-fixtures";
    args = [ "-c" (if k < 2 then "mkdir -p $out; echo ${toString k} > $out/value" else
      let a = builtins.elemAt fibs (k - 1); b = builtins.elemAt fibs (k - 2); in ''
        read x < ${a}/value; read y < ${b}/value
        mkdir -p $out; echo $((x + y)) > $out/value
        echo ${a} > $out/deps; echo ${b} >> $out/deps
        head -c 20000 /dev/zero | tr '\0' 'n' > $out/padding
      '') ];
  };
in builtins.elemAt fibs 4
NIX
chain=$(timeout 300 nix-build "$work/chain.nix" --no-out-link)
# Signed locally with key 1 (the Sig travels with the copy); the binary cache adds key 2's Sig.
nix store sign --key-file "$here/keys/nix-fixture-1.sk" -r "$chain"

# Content-addressed paths: recursive (nix-store --add), flat (--add-fixed), text (builtins.toFile).
printf 'larder fixture file\n' > "$work/larder-fixture-flat.txt"
mkdir -p "$work/larder-fixture-tree/sub"
printf 'a\n' > "$work/larder-fixture-tree/sub/a"
ln -s sub/a "$work/larder-fixture-tree/link"
recursive=$(timeout 60 nix-store --add "$work/larder-fixture-tree")
flat=$(timeout 60 nix-store --add-fixed sha256 "$work/larder-fixture-flat.txt")
text=$(timeout 60 nix-instantiate --eval --read-write-mode -E 'builtins.toFile "larder-fixture-text" "hello from larder\n"' | tr -d '"')

for c in none xz zstd bzip2 br gzip; do
  cache="$work/cache-$c"
  nix copy --to "file://$cache?compression=$c&secret-key=$here/keys/nix-fixture-2.sk" "$chain" "$recursive" "$flat" "$text"
  mkdir -p "$here/narinfo/$c"
  cp "$cache"/*.narinfo "$cache/nix-cache-info" "$here/narinfo/$c/"
done
nix path-info --json -r "$chain" "$recursive" "$flat" "$text" > "$here/narinfo/path-info.json"
echo "fixtures written to $here/keys and $here/narinfo"
