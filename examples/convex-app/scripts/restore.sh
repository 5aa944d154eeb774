#!/usr/bin/env bash
# Restore a backup made by backup.sh: `convex import --replace-all` (replaces ALL data).
#
#   scripts/restore.sh <backups/TIMESTAMP.zip> [--dry-run] [--prod]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

FILE=""
PROD=()
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --prod) PROD=(--prod) ;;
    -h|--help) sed -n '2,4p' "$0"; exit 0 ;;
    -*) die "unknown argument: $1" ;;
    *) FILE="$1" ;;
  esac
  shift
done
[ -n "$FILE" ] || die "usage: restore.sh <backup.zip> [--dry-run]"
[ -f "$FILE" ] || die "no such backup: $FILE"
case "$FILE" in *.zip) ;; *) die "not a zip backup: $FILE" ;; esac

run npx convex import "${PROD[@]}" --replace-all --yes "$FILE"
