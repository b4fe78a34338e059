# 10,000 small text paths made at evaluation time (builtins.toFile: no builds) and one root that refers to all of
# them (through passAsFile: the list is far too long for a command line). Used for the no-op re-push timing.
{ count ? 10000, salt ? "" }:
let
  files = builtins.genList (i: builtins.toFile "many-${toString i}" "${salt} ${toString i}\n") count;
in derivation {
  name = "many-root";
  builder = "/bin/sh";
  system = builtins.currentSystem;
  PATH = "/usr/bin:/bin";
  all = builtins.concatStringsSep "\n" files;
  passAsFile = [ "all" ];
  args = [ "-c" "cp $allPath $out" ];
}
