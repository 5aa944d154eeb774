#!/usr/bin/env bash
# Timestamped database backup of express-app; keeps the newest KEEP_BACKUPS.
#
#   scripts/backup.sh            -> $BACKUP_DIR/express-app-<UTC timestamp>.<dump|tar.gz>
#
# PostgreSQL (DATABASE_URL set): pg_dump in custom format (online, consistent snapshot).
# PGlite (default, data in $DATA_DIR/pglite): PGlite's own dump of the data directory; the
# service must be stopped (one process owns the directory).
# Env: BACKUP_DIR (default ./backups), KEEP_BACKUPS (default 7), DATA_DIR (default .data).
set -euo pipefail

APP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BACKUP_DIR=${BACKUP_DIR:-$APP_DIR/backups}
KEEP_BACKUPS=${KEEP_BACKUPS:-7}
DATA_DIR=${DATA_DIR:-$APP_DIR/.data}
case "$KEEP_BACKUPS" in '' | *[!0-9]* | 0) echo "backup: KEEP_BACKUPS must be an integer >= 1" >&2; exit 2 ;; esac

mkdir -p "$BACKUP_DIR"
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
