#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 on 127.0.0.1:$PGPORT (trust auth, fsync off) with its data in $PGD.
# Prints the Npgsql connection string. Stop it with pg-down.sh (pg_ctl, by the cluster's own PID file).
set -euo pipefail
PGPORT=${PGPORT:-55432}
PGD=${PGD:-/tmp/larder-pg}
bin=/usr/lib/postgresql/15/bin
run_as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

rm -rf "$PGD"; mkdir -p "$PGD"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$PGD"
run_as_postgres "$bin/initdb" -D "$PGD/data" -U postgres -A trust -E UTF8 --no-sync >"$PGD/initdb.log"
run_as_postgres "$bin/pg_ctl" -D "$PGD/data" -l "$PGD/server.log" -w -t 60 \
  -o "-p $PGPORT -k $PGD -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
  start >/dev/null
echo "Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres"
