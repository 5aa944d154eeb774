#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh.
#
#   scripts/restore.sh <backup file>
#
# The service must be stopped first (scripts/deploy.sh --stop for a deployment), and every
# check runs before anything is changed; a refused restore exits 1 and leaves the data as it was:
# - with DEPLOY_ROOT: refused while any release of that deployment (or its front proxy) runs;
# - *.tar.gz (PGlite): refused while a process holds the data directory's lock (the same lock
#   check as scripts/backup.sh) and when the backup does not unpack into a migrated database
#   (it is unpacked and opened in a staging directory first). Only then the current data
#   directory is moved aside to $DATA_DIR/pglite.before-<ts> and the restored one takes its
#   place, under the lock;
# - *.dump (PostgreSQL, needs DATABASE_URL): refused when the archive does not read
#   (pg_restore --list) and while the service is connected to the database (the app names its
#   connections application_name=express-app, so this sees instances on any host); then
#   pg_restore --clean --if-exists in one transaction.
# Env: DATA_DIR (default <app>/.data), DEPLOY_ROOT (as for scripts/backup.sh).
set -euo pipefail

APP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# DATA_DIR as scripts/deploy.sh sees it. With DEPLOY_ROOT set (a relative one is taken from the
# current directory, as deploy.sh does), its shared/env is read, DATA_DIR defaults to
# DEPLOY_ROOT/shared/data and a relative DATA_DIR is resolved against DEPLOY_ROOT. Without it,
# DATA_DIR defaults to the app's .data and a relative one is resolved against the app directory
# (where the service runs).
if [ -n "${DEPLOY_ROOT:-}" ]; then
  DEPLOY_ROOT=$(cd "$DEPLOY_ROOT" && pwd)
  if [ -f "$DEPLOY_ROOT/shared/env" ]; then
    set -a
    # shellcheck source=/dev/null
    . "$DEPLOY_ROOT/shared/env"
    set +a
  fi
  DATA_DIR=${DATA_DIR:-$DEPLOY_ROOT/shared/data}
  DATA_BASE=$DEPLOY_ROOT
else
  DATA_DIR=${DATA_DIR:-$APP_DIR/.data}
  DATA_BASE=$APP_DIR
fi
case "$DATA_DIR" in /* | memory://*) ;; *) DATA_DIR="$DATA_BASE/$DATA_DIR" ;; esac
file=${1:-}
if [ -z "$file" ] || [ ! -f "$file" ]; then
  echo "usage: scripts/restore.sh <backup file>" >&2
  exit 2
fi

refuse() { echo "restore refused: $*; nothing was changed" >&2; exit 1; }

# A deployment: refuse while any of its processes runs (pid files under run/, as deploy.sh keeps them).
if [ -n "${DEPLOY_ROOT:-}" ] && [ -d "$DEPLOY_ROOT/run" ]; then
  for pidfile in "$DEPLOY_ROOT"/run/*.pid; do
    [ -e "$pidfile" ] || continue
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      refuse "$(basename "$pidfile" .pid) is running (pid $pid); stop the service first: DEPLOY_ROOT=$DEPLOY_ROOT scripts/deploy.sh --stop"
    fi
  done
fi

file=$(cd "$(dirname "$file")" && pwd)/$(basename "$file")
case "$file" in
  *.dump)
    [ -n "${DATABASE_URL:-}" ] || { echo "restore: DATABASE_URL is required for a .dump" >&2; exit 2; }
    pg_restore --list "$file" >/dev/null 2>&1 || refuse "$file is not a readable pg_dump archive"
    connected=$(psql "$DATABASE_URL" -XAtqc "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'express-app' AND pid <> pg_backend_pid()") ||
      refuse "cannot query the database to check that the service is stopped"
    [ "$connected" = 0 ] || refuse "the service is connected to the database ($connected connections with application_name=express-app); stop it first"
    pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --dbname="$DATABASE_URL" "$file"
    ;;
  *.tar.gz)
    case "$DATA_DIR" in memory://*) refuse "DATA_DIR is $DATA_DIR (in memory): there is no data directory to restore into" ;; esac
    # Lock, unpack and open into staging, then swap: all in pglite-dump.ts (exit 1 = refused, nothing changed).
    (cd "$APP_DIR" && node --conditions=@armor/source --import tsx src/pglite-dump.ts restore "$file" "$DATA_DIR/pglite")
    ;;
  *)
    echo "restore: unknown backup type: $file" >&2
    exit 2
    ;;
esac
echo "restore: restored $file" >&2
