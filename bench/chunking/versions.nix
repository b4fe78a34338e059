# Successive versions of one file of `size` pseudo-random bytes (bench/chunking/e2e.sh): version 1 is fresh; each
# later version copies the one before, inserts 4 KiB a third of the way in (shifting everything after it) and
# overwrites `percent` % of the bytes in 4 places. Attributes v1 … v<count>; no version references another.
{ salt, size, count ? 10, percent ? 1 }:
let
  make = n: derivation {
    name = "chunking-version-${toString n}"; builder = "/bin/sh"; system = builtins.currentSystem; PATH = "/usr/bin:/bin"; inherit salt;
    args = [ "-c" (if n == 1 then "mkdir -p $out; head -c ${toString size} /dev/urandom > $out/blob" else ''
      mkdir -p $out
      prev=${make (n - 1)}/blob
      size=$(stat -c %s $prev)
      at=$((size / 3))
      head -c $at $prev > $out/blob
      head -c 4096 /dev/urandom >> $out/blob
      tail -c +$((at + 1)) $prev >> $out/blob
      total=$((size + 4096))
      piece=$((total * ${toString percent} / 400))
      for i in 1 2 3 4; do
        dd if=/dev/urandom of=$out/blob bs=$piece count=1 seek=$((i * total / 5 / piece)) conv=notrunc 2>/dev/null
      done
    '') ];
  };
in builtins.listToAttrs (builtins.genList (i: { name = "v${toString (i + 1)}"; value = make (i + 1); }) count)
