#!/usr/bin/env bash
# Stops the daemons started by ceph-up.sh, by the PIDs in their pid files (never by process name).
set -u
CEPH_DIR=${CEPH_DIR:-/tmp/larder-ceph}
pids=()
for name in client.rgw.a osd.0 mon.a; do
  file="$CEPH_DIR/run/$name.pid"
  [ -f "$file" ] && pids+=("$(cat "$file")")
done
[ ${#pids[@]} -eq 0 ] && exit 0
kill "${pids[@]}" 2>/dev/null
for pid in "${pids[@]}"; do
  for _ in $(seq 1 100); do
    state=$(ps -o stat= -p "$pid" 2>/dev/null)
    { [ -z "$state" ] || [ "${state:0:1}" = Z ]; } && break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null
done
rm -f "$CEPH_DIR"/run/*.pid
exit 0
