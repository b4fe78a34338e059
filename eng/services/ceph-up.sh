#!/usr/bin/env bash
# Starts a throwaway single-node Ceph on 127.0.0.1: one monitor, one in-memory OSD and radosgw (S3) on $RGW_PORT,
# with no authentication between daemons and no systemd. Creates the S3 user $S3_ACCESS_KEY / $S3_SECRET_KEY.
# Everything lives in $CEPH_DIR; ceph-down.sh stops the daemons by the PIDs they wrote there.
set -euo pipefail
CEPH_DIR=${CEPH_DIR:-/tmp/larder-ceph}
RGW_PORT=${RGW_PORT:-7480}
MON_PORT=${MON_PORT:-6789}
S3_ACCESS_KEY=${S3_ACCESS_KEY:-TESTACCESSKEY}
S3_SECRET_KEY=${S3_SECRET_KEY:-TESTSECRETKEY123}

"$(dirname "$0")/ceph-down.sh"
rm -rf "$CEPH_DIR"; mkdir -p "$CEPH_DIR"/{mon,osd0,rgw,run,log}
fsid=$(uuidgen)
conf="$CEPH_DIR/ceph.conf"
cat >"$conf" <<CONF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$MON_PORT
public addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon data avail warn = 1
mon data avail crit = 0
run dir = $CEPH_DIR/run
admin socket = $CEPH_DIR/run/\$name.asok
pid file = $CEPH_DIR/run/\$name.pid
log file = $CEPH_DIR/log/\$name.log
osd objectstore = memstore
memstore device bytes = 4294967296
osd crush update on start = false
osd class update on start = false
osd data = $CEPH_DIR/osd\$id
mon data = $CEPH_DIR/mon
paxos propose interval = 0.01
paxos min wait = 0.001
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw data = $CEPH_DIR/rgw
CONF
c=(-c "$conf")
monmaptool --create --addv a "[v1:127.0.0.1:$MON_PORT]" --fsid "$fsid" "$CEPH_DIR/monmap" >/dev/null
ceph-mon "${c[@]}" -i a --mkfs --monmap "$CEPH_DIR/monmap"
ceph-mon "${c[@]}" -i a </dev/null >>"$CEPH_DIR/log/daemons.out" 2>&1
osd_uuid=$(uuidgen)
osd_id=$(ceph "${c[@]}" osd new "$osd_uuid")
ceph "${c[@]}" osd crush add "osd.$osd_id" 1.0 root=default host=localhost >/dev/null 2>&1
ceph-osd "${c[@]}" -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" 2>>"$CEPH_DIR/log/mkfs.log"
ceph-osd "${c[@]}" -i "$osd_id" </dev/null >>"$CEPH_DIR/log/daemons.out" 2>&1
radosgw "${c[@]}" -n client.rgw.a </dev/null >>"$CEPH_DIR/log/daemons.out" 2>&1
for _ in $(seq 1 300); do
  curl -s -o /dev/null "http://127.0.0.1:$RGW_PORT/" && break
  sleep 0.2
done
curl -s -o /dev/null "http://127.0.0.1:$RGW_PORT/" || { echo "ceph-up: radosgw did not come up; see $CEPH_DIR/log" >&2; exit 1; }
radosgw-admin "${c[@]}" user create --uid=larder-test --display-name=larder-test \
  --access-key="$S3_ACCESS_KEY" --secret-key="$S3_SECRET_KEY" >/dev/null
echo "http://127.0.0.1:$RGW_PORT"
