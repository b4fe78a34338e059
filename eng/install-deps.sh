#!/usr/bin/env bash
# Installs what Larder's tests and benchmarks need, from Debian, only when something is missing. Idempotent.
# gcc and libc6-dev link eng/install.sh's Native AOT build.
#   eng/install-deps.sh            # test dependencies
#   eng/install-deps.sh --bench    # also nginx, hyperfine for bench/ (wrk is a test dependency: the sustained-load test)
#   eng/install-deps.sh --fuzz     # also AFL++ (afl-fuzz) for eng/fuzz.sh
set -euo pipefail

want=(
  nix-store:nix-bin
  /usr/lib/postgresql/15/bin/postgres:postgresql-15
  radosgw:radosgw
  ceph-mon:ceph-mon
  ceph-osd:ceph-osd
  uuidgen:uuid-runtime
  curl:curl
  zstd:zstd
  xz:xz-utils
  bzip2:bzip2
  brotli:brotli
  gzip:gzip
  wrk:wrk
  /usr/lib/x86_64-linux-gnu/libsodium.so.23:libsodium23
  /usr/lib/x86_64-linux-gnu/libzstd.so.1:libzstd1
  /usr/lib/x86_64-linux-gnu/liblzma.so.5:liblzma5
  /usr/lib/x86_64-linux-gnu/libbz2.so.1.0:libbz2-1.0
  /usr/bin/chromium:chromium
  gcc:gcc
  /usr/include/stdio.h:libc6-dev
)
if [ "${1:-}" = "--bench" ]; then
  want+=(nginx:nginx hyperfine:hyperfine)
fi
if [ "${1:-}" = "--fuzz" ]; then
  want+=(afl-fuzz:afl++)
fi

missing=()
for entry in "${want[@]}"; do
  probe=${entry%%:*}; package=${entry#*:}
  if [[ $probe == /* ]]; then [ -e "$probe" ] && continue; else command -v "$probe" >/dev/null 2>&1 && continue; fi
  missing+=("$package")
done

if ! command -v dotnet >/dev/null 2>&1; then
  echo "install-deps: the .NET 10 SDK (dotnet) is not on PATH; Larder builds with it and it does not come from Debian." >&2
  exit 1
fi

[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing Debian packages: ${missing[*]}; run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi

# Another apt/dpkg may hold the lock for a while on a fresh machine: wait for it rather than fail.
apt_retry() {
  local i
  for i in $(seq 1 60); do
    "$@" && return 0
    echo "install-deps: '$*' failed (apt lock?), retry $i/60 in 5 s" >&2
    sleep 5
  done
  return 1
}
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt_retry apt-get -o DPkg::Lock::Timeout=120 update -q >/dev/null
# --no-install-recommends: nix-bin's recommends would add systemd units and build-user groups we do not want.
apt_retry apt-get -o DPkg::Lock::Timeout=120 install -y -q --no-install-recommends "${missing[@]}" >/dev/null
