# A chain of N store paths, each referring to the one before it, with outputs of mixed sizes: mostly small
# (a few KiB to ~1 MiB), every tenth one large (8-32 MiB), half of the bytes random (incompressible), half text.
{ n ? 30, salt ? "" }:
let
  sizeOf = k: if k - (k / 10) * 10 == 9 then (8 + (k / 10) * 12) * 1024 * 1024 else 4096 * (1 + k * k);
  paths = builtins.genList mk n;
  mk = k: derivation {
    name = "bench-${toString k}";
    builder = "/bin/sh";
    system = builtins.currentSystem;
    PATH = "/usr/bin:/bin";
    inherit salt;
    args = [ "-c" ''
      mkdir -p $out/share
      head -c ${toString (sizeOf k / 2)} /dev/urandom > $out/share/random.bin
      yes "line ${toString k} of a compressible text file in a benchmark output" | head -c ${toString (sizeOf k / 2)} > $out/share/text.txt
      ${if k == 0 then "" else "echo ${builtins.elemAt paths (k - 1)} > $out/previous"}
    '' ];
  };
in builtins.elemAt paths (n - 1)
