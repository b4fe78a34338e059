#!/usr/bin/env bash
# Builds the `larder` executable from this checkout and installs it, so it runs from any directory:
#   eng/install.sh            # into ~/.local: ~/.local/lib/larder (the program) and ~/.local/bin/larder (a link to it)
#   eng/install.sh /usr/local # needs write access to /usr/local
#   LARDER_INSTALL=readytorun eng/install.sh PREFIX   # skip Native AOT (also: LARDER_INSTALL=plain)
# Release, compiled ahead of time with Native AOT into one native executable when a C compiler and linker are there
# (clang or gcc, with libc's development files: eng/install-deps.sh installs them): no JIT, so `larder push` starts in
# milliseconds and the server runs no compiler beside its requests. Without one it falls back to a framework-dependent
# build precompiled with ReadyToRun (runs on the installed .NET 10 runtime), and without the runtime packages for
# that to a plain Release build. Running it again replaces the installed version.
set -euo pipefail

prefix="${1:-$HOME/.local}"
case "$prefix" in
  -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  /*) ;;
  *) prefix="$PWD/$prefix" ;;
esac
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lib="$prefix/lib/larder"
bin="$prefix/bin"

command -v dotnet >/dev/null || { echo "error: the .NET 10 SDK (dotnet) is not on PATH" >&2; exit 1; }

staging="$(mktemp -d "${TMPDIR:-/tmp}/larder-install.XXXXXX")"
trap 'rm -rf "$staging"' EXIT

publish() {
  dotnet publish "$repo/src/Larder.Cli/Larder.Cli.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly \
    -o "$staging/out" "$@"
}
c_compiler() { command -v clang >/dev/null && echo clang || { command -v gcc >/dev/null && echo gcc; }; }
mode=${LARDER_INSTALL:-native}
case "$mode" in
  native|readytorun|plain) ;;
  *) echo "error: LARDER_INSTALL is '$mode'; use native (the default), readytorun or plain" >&2; exit 2 ;;
esac
built=""
if [ "$mode" = native ] && cc=$(c_compiler); then
  if publish -r linux-x64 -p:PublishAot=true -p:CppCompilerAndLinker="$cc" >"$staging/aot.log" 2>&1; then
    # Debug symbols for native debuggers only (stack traces need none): about 90 MiB that nothing else reads.
    rm -f "$staging/out/"*.dbg "$staging/out/"*.pdb "$staging/out/"*.xml
    built=native
    echo "built larder (Release, Native AOT with $cc)"
  else
    echo "Native AOT did not build (see below); building with ReadyToRun" >&2
    tail -n 5 "$staging/aot.log" >&2
    rm -rf "$staging/out"
  fi
elif [ "$mode" = native ]; then
  echo "no C compiler (clang or gcc) for Native AOT: building with ReadyToRun (eng/install-deps.sh installs gcc)" >&2
fi
if [ -z "$built" ] && [ "$mode" != plain ]; then
  if publish --self-contained false -r linux-x64 -p:PublishReadyToRun=true >"$staging/r2r.log" 2>&1; then
    built=readytorun
    echo "built larder (Release, ReadyToRun)"
  else
    echo "ReadyToRun did not build (see below); building without it" >&2
    tail -n 5 "$staging/r2r.log" >&2
    rm -rf "$staging/out"
  fi
fi
if [ -z "$built" ]; then
  publish --self-contained false
  built=plain
  echo "built larder (Release)"
fi

mkdir -p "$bin" "$prefix/lib"
rm -rf "$lib.new"
mv "$staging/out" "$lib.new"
rm -rf "$lib"
mv "$lib.new" "$lib"
rm -f "$bin/larder.new"  # a leftover link of an interrupted run must not be written through
if [ "$built" = native ]; then
  ln -s "$lib/larder" "$bin/larder.new"
else
  dotnet="$(command -v dotnet)"
  cat >"$bin/larder.new" <<LAUNCHER
#!/bin/sh
exec "$dotnet" "$lib/larder.dll" "\$@"
LAUNCHER
  chmod 0755 "$bin/larder.new"
fi
mv "$bin/larder.new" "$bin/larder"

echo "installed $bin/larder (program in $lib)"
case ":$PATH:" in
  *":$bin:"*) ;;
  *) echo "note: $bin is not on PATH; add it, e.g. export PATH=\"$bin:\$PATH\"" ;;
esac
