#!/usr/bin/env bash
# Builds the `larder` executable from this checkout and installs it, so it runs from any directory:
#   eng/install.sh            # into ~/.local: ~/.local/lib/larder (the program) and ~/.local/bin/larder (the launcher)
#   eng/install.sh /usr/local # needs write access to /usr/local
# Framework-dependent (it runs on the installed .NET 10 runtime), Release, precompiled with ReadyToRun when the
# runtime packages restore (start-up is then shorter); without them it falls back to a plain Release build.
# Running it again replaces the installed version.
set -euo pipefail

prefix="${1:-$HOME/.local}"
case "$prefix" in
  -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
    --self-contained false -o "$staging/out" "$@"
}
if publish -r linux-x64 -p:PublishReadyToRun=true >"$staging/r2r.log" 2>&1; then
  echo "built larder (Release, ReadyToRun)"
else
  echo "ReadyToRun did not build (see below); building without it" >&2
  tail -n 5 "$staging/r2r.log" >&2
  rm -rf "$staging/out"
  publish
  echo "built larder (Release)"
fi

mkdir -p "$bin" "$prefix/lib"
rm -rf "$lib.new"
mv "$staging/out" "$lib.new"
rm -rf "$lib"
mv "$lib.new" "$lib"
dotnet="$(command -v dotnet)"
cat >"$bin/larder.new" <<LAUNCHER
#!/bin/sh
exec "$dotnet" "$lib/larder.dll" "\$@"
LAUNCHER
chmod 0755 "$bin/larder.new"
mv "$bin/larder.new" "$bin/larder"

echo "installed $bin/larder (program in $lib)"
case ":$PATH:" in
  *":$bin:"*) ;;
  *) echo "note: $bin is not on PATH; add it, e.g. export PATH=\"$bin:\$PATH\"" ;;
esac
