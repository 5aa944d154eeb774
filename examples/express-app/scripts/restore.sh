#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh.
#
#   scripts/restore.sh <backup file>
#
# *.dump (PostgreSQL, needs DATABASE_URL): pg_restore --clean --if-exists into that database.
# *.tar.gz (PGlite): the current data directory is moved aside to $DATA_DIR/pglite.before-<ts>
# and a fresh one is created from the backup. Stop the service first.
set -euo pipefail

APP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA_DIR=${DATA_DIR:-$APP_DIR/.data}
file=${1:-}
if [ -z "$file" ] || [ ! -f "$file" ]; then
  echo "usage: scripts/restore.sh <backup file>" >&2
  exit 2
fi

case "$file" in
  *.dump)
    [ -n "${DATABASE_URL:-}" ] || { echo "restore: DATABASE_URL is required for a .dump" >&2; exit 2; }
    pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --dbname="$DATABASE_URL" "$file"
    ;;
  *.tar.gz)
    target="$DATA_DIR/pglite"
    if [ -e "$target" ]; then
      aside="$target.before-$(date -u +%Y%m%dT%H%M%SZ)"
      mv "$target" "$aside"
      echo "restore: previous data moved to $aside" >&2
    fi
    file=$(cd "$(dirname "$file")" && pwd)/$(basename "$file")
    (cd "$APP_DIR" && node --conditions=@armor/source --import tsx src/pglite-dump.ts restore "$file" "$target")
    ;;
  *)
    echo "restore: unknown backup type: $file" >&2
    exit 2
    ;;
esac
echo "restore: restored $file" >&2
