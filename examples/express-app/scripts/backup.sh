#!/usr/bin/env bash
# Timestamped database backup of express-app; keeps the newest KEEP_BACKUPS.
#
#   scripts/backup.sh            -> $BACKUP_DIR/express-app-<UTC timestamp>.<dump|tar.gz>
#
# PostgreSQL (DATABASE_URL set): pg_dump in custom format (online, consistent snapshot).
# PGlite (default, data in $DATA_DIR/pglite): PGlite's own dump of the data directory; the
# service must be stopped (one process owns the directory): while it runs, the backup is
# refused (exit 1, nothing written) rather than copying a live directory.
# Env: BACKUP_DIR (default <app>/backups), KEEP_BACKUPS (default 7), DATA_DIR (default
# <app>/.data), DEPLOY_ROOT (a deployment's root: DATA_DIR as deploy.sh resolves it, see below).
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
BACKUP_DIR=${BACKUP_DIR:-$APP_DIR/backups}
KEEP_BACKUPS=${KEEP_BACKUPS:-7}
case "$KEEP_BACKUPS" in '' | *[!0-9]* | 0) echo "backup: KEEP_BACKUPS must be an integer >= 1" >&2; exit 2 ;; esac

mkdir -p "$BACKUP_DIR"
BACKUP_DIR=$(cd "$BACKUP_DIR" && pwd) # pglite-dump runs in the app directory
stamp=$(date -u +%Y%m%dT%H%M%S%NZ)
if [ -n "${DATABASE_URL:-}" ]; then
  file="$BACKUP_DIR/express-app-$stamp.dump"
  pg_dump --format=custom --no-owner --no-privileges --file="$file.partial" "$DATABASE_URL"
else
  file="$BACKUP_DIR/express-app-$stamp.tar.gz"
  (cd "$APP_DIR" && node --conditions=@armor/source --import tsx src/pglite-dump.ts dump "$DATA_DIR/pglite" "$file.partial")
fi
mv "$file.partial" "$file"
echo "$file"

# Keep the newest KEEP_BACKUPS (names sort chronologically).
find "$BACKUP_DIR" -maxdepth 1 -type f \( -name 'express-app-*.dump' -o -name 'express-app-*.tar.gz' \) -printf '%f\n' | sort -r | tail -n "+$((KEEP_BACKUPS + 1))" | while read -r old; do
  rm -f "${BACKUP_DIR:?}/$old"
  echo "backup: removed old backup $old" >&2
done
