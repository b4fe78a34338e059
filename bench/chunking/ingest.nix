# One path holding a file of `size` pseudo-random bytes (bench/chunking/e2e.sh: server memory during a large ingest).
{ salt, size }:
derivation {
  name = "chunking-ingest"; builder = "/bin/sh"; system = builtins.currentSystem; PATH = "/usr/bin:/bin"; inherit salt;
  args = [ "-c" "mkdir -p $out; head -c ${toString size} /dev/urandom > $out/blob" ];
}
