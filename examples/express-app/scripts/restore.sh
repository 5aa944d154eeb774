#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh.
#
#   scripts/restore.sh <backup file>
#
# *.dump (PostgreSQL, needs DATABASE_URL): pg_restore --clean --if-exists into that database.
# *.tar.gz (PGlite): the current data directory is moved aside to $DATA_DIR/pglite.before-<ts>
# and a fresh one is created from the backup. Stop the service first.
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
