#!/usr/bin/env bash
# Back up the Convex deployment: `convex export` into backups/<UTC timestamp>.zip, keeping the
# newest N backups.
#
#   scripts/backup.sh [--keep N] [--dry-run] [--prod]
#
# Environment: CONVEX_DEPLOY_KEY (or a logged-in CLI), BACKUP_DIR (default backups),
# BACKUP_TIMESTAMP (default: now, UTC, e.g. 20261125T101500Z).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

KEEP=7
PROD=()
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --keep) [ $# -gt 1 ] || die "--keep needs a number"; KEEP="$2"; shift ;;
    --prod) PROD=(--prod) ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
  shift
done
[[ "$KEEP" =~ ^[1-9][0-9]*$ ]] || die "--keep must be a positive integer (got '$KEEP')"

DIR="${BACKUP_DIR:-backups}"
STAMP="${BACKUP_TIMESTAMP:-$(date -u +%Y%m%dT%H%M%SZ)}"
TARGET="$DIR/$STAMP.zip"

run mkdir -p "$DIR"
run npx convex export "${PROD[@]}" --path "$TARGET"

# Newest first; the new backup counts as one of the KEEP.
mapfile -t existing < <(find "$DIR" -maxdepth 1 -name '*.zip' -printf '%f\n' 2>/dev/null | grep -vx "$STAMP.zip" | sort -r)
keep_old=$((KEEP - 1))
for ((i = keep_old; i < ${#existing[@]}; i++)); do
  run rm -f "$DIR/${existing[$i]}"
done
echo "backup: $TARGET"
