# A chain of N small store paths, each referring to the one before it (1-64 KiB each, half random, half text), and,
# when bigMiB > 0, one path of bigMiB MiB of random bytes on top of the chain: issue 16's "about 120 small paths plus
# one 300 MB path".
{ n ? 120, bigMiB ? 0, salt ? "" }:
let
  sizeOf = k: 1024 * (1 + (k * 37) - ((k * 37) / 64) * 64);
  mkSmall = k: derivation {
    name = "bench-${toString k}";
    builder = "/bin/sh";
    system = builtins.currentSystem;
    PATH = "/usr/bin:/bin";
    inherit salt;
    args = [ "-c" ''
      mkdir -p $out/share
      head -c ${toString (sizeOf k / 2)} /dev/urandom > $out/share/random.bin
      yes "line ${toString k} of a compressible text file in a benchmark output" | head -c ${toString (sizeOf k / 2)} > $out/share/text.txt
      ${if k == 0 then "" else "echo ${builtins.elemAt chain (k - 1)} > $out/previous"}
    '' ];
  };
  chain = builtins.genList mkSmall n;
  top = builtins.elemAt chain (n - 1);
  big = derivation {
    name = "bench-big";
    builder = "/bin/sh";
    system = builtins.currentSystem;
    PATH = "/usr/bin:/bin";
    inherit salt;
    args = [ "-c" ''
      mkdir -p $out
      head -c ${toString (bigMiB * 1024 * 1024)} /dev/urandom > $out/random.bin
      echo ${top} > $out/previous
    '' ];
  };
in if bigMiB > 0 then big else top
