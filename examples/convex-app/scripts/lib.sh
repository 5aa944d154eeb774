#!/usr/bin/env bash
# Shared helpers for the Convex example's deploy/backup/restore scripts.
# `run` executes a command, or with DRY_RUN=1 prints it (one line, shell-quoted) instead.
DRY_RUN="${DRY_RUN:-0}"
run() {
  if [ "$DRY_RUN" = 1 ]; then
    local out="+" arg
    for arg in "$@"; do out+=" $(printf '%q' "$arg")"; done
    printf '%s\n' "$out"
  else
    "$@"
  fi
}
die() { echo "error: $*" >&2; exit 1; }
