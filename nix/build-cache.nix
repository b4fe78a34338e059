# Larder build-artifact cache for Nix builds: restore intermediate build directories (build/, dist/, target/, ...)
# before a build and save them after it, so that a build that starts from an empty directory, as every Nix build
# does, recompiles only what changed.
#
# THIS IS AN IMPURE OPTIMISATION. A derivation using it reads the network and a file outside the store at build
# time. The rule that keeps it sound: the output must not depend on the cache. The restored directories only let
# make-style tools skip work whose result would be the same; a build that restores nothing (cold) must produce the
# same output, bit for bit. Do not cache anything whose content depends on the build directory's path or the time,
# and do not use it for fixed-output derivations.
#
# Nix settings the build needs (nix.conf of the machine that builds):
#   - network access and the token file: either `sandbox = false`, or `sandbox = relaxed` (the derivations set
#     `__noChroot = true`, which relaxed honours). `extra-sandbox-paths = /run/keys/larder-token` alone is not
#     enough: a sandboxed build has no network.
#   - the token is read at build time from `tokenFile`, a string path OUTSIDE the store. It never enters a
#     derivation, the store or the build log; passing a Nix path (./token) is refused, since Nix would copy it into
#     the store. Give the token read permission on the cache (to restore) and write (to save), nothing more.
#
# If the server is unreachable, the token is refused or the archive is corrupt, the restore step prints why and the
# build proceeds cold; a failed save is reported and ignored. Neither can fail the build.
#
# Usage with stdenv.mkDerivation (nixpkgs):
#   let buildCache = import ./nix/build-cache.nix {
#         larder = "/usr/local/bin/larder";               # the CLI, outside the store or "${pkgs.larder}/bin/larder"
#         server = "https://cache.example.com";
#         cache = "main";
#         tokenFile = "/run/keys/larder-token";           # a STRING: read at build time
#       };
#   in buildCache.withBuildCache {
#     key = "myapp-${branch}"; fallbacks = [ "myapp-master" ]; dirs = [ "build" ];
#   } (stdenv.mkDerivation { ... })
#
# Usage with a plain `derivation` (no stdenv): call the two commands from the builder script, after the sources
# are unpacked into the working directory and before the build, then after the build and before the install:
#   ${buildCache.restoreCommand { key = "myapp-x"; fallbacks = [ "myapp-master" ]; }}
#   make
#   ${buildCache.saveCommand { key = "myapp-x"; dirs = [ "build" ]; }}
# and set `__noChroot = true` on the derivation if the builder runs with `sandbox = relaxed`.
{
  # How to run the larder CLI: a command (shell words), e.g. "/usr/local/bin/larder" or "dotnet /opt/larder/larder.dll".
  larder,
  # The Larder server's URL.
  server,
  # The cache holding the archives.
  cache,
  # Path (a string) of a file outside the store holding the token; read at build time only.
  tokenFile,
}:
let
  quote = s: "'" + builtins.replaceStrings [ "'" ] [ "'\\''" ] (toString s) + "'";
  token =
    if builtins.isPath tokenFile then
      throw "build-cache.nix: tokenFile must be a string such as \"/run/keys/larder-token\", not a Nix path: Nix would copy the token into the store"
    else
      tokenFile;
  connection = "${quote cache} --server ${quote server} --token-file ${quote token}";
in
rec {
  # Shell command restoring the newest archive of `key`, else of the first of `fallbacks` that has one, into the
  # current directory; `sources` is the directory whose files are compared with the saved manifest.
  restoreCommand =
    {
      key,
      fallbacks ? [ ],
      sources ? ".",
    }:
    ''
      ${larder} artifact restore ${connection} ${quote key} ${
        toString (map (k: "--fallback ${quote k}") fallbacks)
      } --sources ${quote sources} \
        || echo "build-cache: no usable archive (see above); building cold" >&2
    '';

  # Shell command saving `dirs` (relative to the current directory) under `key`.
  saveCommand =
    {
      key,
      dirs,
      sources ? ".",
    }:
    ''
      ${larder} artifact save ${connection} ${quote key} ${toString (map quote dirs)} --sources ${quote sources} \
        || echo "build-cache: saving the build directories failed (see above); the build result is unaffected" >&2
    '';

  # Adds the restore step to preConfigure and the save step to preInstall of a stdenv.mkDerivation result.
  withBuildCache =
    {
      key,
      fallbacks ? [ ],
      dirs,
      sources ? ".",
    }:
    drv:
    drv.overrideAttrs (old: {
      __noChroot = true;
      preConfigure = restoreCommand { inherit key fallbacks sources; } + (old.preConfigure or "");
      preInstall = (old.preInstall or "") + saveCommand { inherit key dirs sources; };
    });
}
