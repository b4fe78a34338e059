#!/usr/bin/env bash
# Stops the PostgreSQL started by pg-up.sh (pg_ctl finds the postmaster by the PID file in its data directory).
set -u
PGD=${PGD:-/tmp/larder-pg}
[ -f "$PGD/data/postmaster.pid" ] || exit 0
if [ "$(id -u)" = 0 ]; then
  runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$PGD/data" -m fast -w stop >/dev/null
else
  /usr/lib/postgresql/15/bin/pg_ctl -D "$PGD/data" -m fast -w stop >/dev/null
fi
