#!/usr/bin/env bash
# Deploy the Convex example, then gate on its health.
#
#   scripts/deploy.sh [--dry-run]            deploy the checked-out ref, gate on /health,
#                                            redeploy the previous ref if the gate fails
#   scripts/deploy.sh --rollback <ref> [--dry-run]   redeploy <ref> by hand
#
# Environment: CONVEX_DEPLOY_KEY (required unless --dry-run), CONVEX_SITE_URL (the
# deployment's https://<name>.convex.site, for the health gate), PREVIOUS_REF (what to roll
# back to; default: the last ref this script deployed successfully, else HEAD~1),
# HEALTH_TIMEOUT (default 60s).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

ROLLBACK_REF=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --rollback) ROLLBACK_REF="${2:-}"; [ -n "$ROLLBACK_REF" ] || die "--rollback needs a git ref"; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
  shift
done

[ "$DRY_RUN" = 1 ] || [ -n "${CONVEX_DEPLOY_KEY:-}" ] || die "CONVEX_DEPLOY_KEY is not set"
SITE_URL="${CONVEX_SITE_URL:-}"
[ "$DRY_RUN" = 1 ] || [ -n "$SITE_URL" ] || die "CONVEX_SITE_URL is not set (needed for the health gate)"
SITE_URL="${SITE_URL:-https://example.convex.site}"
HEALTH_TIMEOUT="${HEALTH_TIMEOUT:-60s}"
STATE_FILE=".deploy-state/last-good-ref"

deploy_here() {
  run npx convex deploy --cmd "pnpm run build" --cmd-url-env-var-name VITE_CONVEX_URL
}

deploy_ref() {
  local ref="$1" dir
  dir="$(mktemp -d)"
  [ "$DRY_RUN" = 1 ] && dir="/tmp/convex-app-rollback"
  run git worktree add --detach "$dir" "$ref"
  run bash -c "cd $(printf '%q' "$dir")/examples/convex-app && pnpm install --frozen-lockfile && npx convex deploy --cmd 'pnpm run build' --cmd-url-env-var-name VITE_CONVEX_URL"
  run git worktree remove --force "$dir"
}

gate() {
  run pnpm exec armor-health "$SITE_URL/health" --timeout "$HEALTH_TIMEOUT" --interval 2s --expect pass
}

if [ -n "$ROLLBACK_REF" ]; then
  echo "rolling back to $ROLLBACK_REF"
  deploy_ref "$ROLLBACK_REF"
  gate
  exit 0
fi

current="$(git rev-parse HEAD 2>/dev/null || echo HEAD)"
previous="${PREVIOUS_REF:-$(cat "$STATE_FILE" 2>/dev/null || git rev-parse HEAD~1 2>/dev/null || echo HEAD~1)}"

deploy_here
if gate; then
  if [ "$DRY_RUN" = 1 ]; then echo "+ record $current as the last good ref"; else mkdir -p .deploy-state && echo "$current" > "$STATE_FILE"; fi
  echo "deployed $current"
else
  echo "health gate failed for $current; rolling back to $previous" >&2
  deploy_ref "$previous"
  gate || die "rollback to $previous is unhealthy too"
  exit 1
fi
