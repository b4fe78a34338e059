# A closure for the push benchmark, without nixpkgs: `count` leaf-ish paths in a shallow tree (path i refers to
# path i/2, so uploads can run in parallel), every `bigEvery`-th one holding `bigMiB` MiB of base64 text (compressible,
# like real binaries and docs), the rest a few KiB; `root` refers to all of them.
{ count ? 300, bigEvery ? 50, bigMiB ? 16, salt ? "" }:
let
  mk = i: derivation {
    name = "bench-${toString i}";
    builder = "/bin/sh";
    system = builtins.currentSystem;
    PATH = "/usr/bin:/bin";
    inherit salt;
    parent = if i == 0 then "" else builtins.elemAt paths (i / 2);
    size = if i > 0 && builtins.div i bigEvery * bigEvery == i then bigMiB * 786432 else 3072 + i * 37;
    args = [ "-c" ''
      mkdir -p $out/share
      head -c $size /dev/urandom | base64 > $out/share/data
      echo "$parent" > $out/parent
      echo ${toString i} > $out/index
    '' ];
  };
  paths = builtins.genList mk count;
in derivation {
  name = "bench-root";
  builder = "/bin/sh";
  system = builtins.currentSystem;
  PATH = "/usr/bin:/bin";
  inherit salt;
  all = builtins.concatStringsSep "\n" (map toString paths);
  passAsFile = [ "all" ];
  args = [ "-c" "cp $allPath $out" ];
}
