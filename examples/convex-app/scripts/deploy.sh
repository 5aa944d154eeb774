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
#
# Dry run: every command is printed instead of run (the tests assert the exact lines), and the
# health gate passes unless ARMOR_DRY_RUN_GATE says otherwise: a comma-separated list of
# outcomes (`pass` or `fail`), one per gate in order, `pass` once the list runs out. So
# ARMOR_DRY_RUN_GATE=fail rehearses an automatic rollback (deploy, gate fails, redeploy the
# previous ref, gate passes, exit 1), and ARMOR_DRY_RUN_GATE=fail,fail a rollback that is
# unhealthy too. Without --dry-run the variable is ignored and the real gate decides.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

ROLLBACK_REF=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --rollback) ROLLBACK_REF="${2:-}"; [ -n "$ROLLBACK_REF" ] || die "--rollback needs a git ref"; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
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
DRY_RUN_GATE=""
if [ "$DRY_RUN" = 1 ]; then
  DRY_RUN_GATE="${ARMOR_DRY_RUN_GATE:-}"
  [[ "$DRY_RUN_GATE" =~ ^((pass|fail)(,(pass|fail))*)?$ ]] \
    || die "ARMOR_DRY_RUN_GATE must be a comma-separated list of pass/fail (got '$DRY_RUN_GATE')"
fi

# Records the size of the UI's JavaScript (the build in <dir>/dist/assets) as the deployment's
# UI_BUNDLE_BYTES, the actual of the SLO scorecard's bundle target (convex/lib/scorecard.ts).
record_bundle_size() {
  local dir="$1" bytes
  if [ "$DRY_RUN" = 1 ]; then
    bytes="<bytes of dist/assets/*.js>"
  else
    bytes="$(cat "$dir"/dist/assets/*.js | wc -c | tr -d ' ')"
  fi
  run npx convex env set UI_BUNDLE_BYTES "$bytes"
}

deploy_here() {
  run npx convex deploy --cmd "pnpm run build" --cmd-url-env-var-name VITE_CONVEX_URL
  record_bundle_size .
}

deploy_ref() {
  local ref="$1" dir
  dir="$(mktemp -d)"
  [ "$DRY_RUN" = 1 ] && dir="/tmp/convex-app-rollback"
  run git worktree add --detach "$dir" "$ref"
  run bash -c "cd $(printf '%q' "$dir")/examples/convex-app && pnpm install --frozen-lockfile && npx convex deploy --cmd 'pnpm run build' --cmd-url-env-var-name VITE_CONVEX_URL"
  record_bundle_size "$dir/examples/convex-app"
  run git worktree remove --force "$dir"
}

# Gates on /health, accepting `warn`: a degraded deployment (e.g. the trim cron lagging, a
# non-critical check) is serving and must not be rolled back; only `fail` or no answer is.
# In a dry run the outcome is the next entry of ARMOR_DRY_RUN_GATE.
gate() {
  run pnpm exec armor-health "$SITE_URL/health" --timeout "$HEALTH_TIMEOUT" --interval 2s --expect warn || return
  [ "$DRY_RUN" = 1 ] || return 0
  local outcome="${DRY_RUN_GATE%%,*}"
  if [[ "$DRY_RUN_GATE" == *,* ]]; then DRY_RUN_GATE="${DRY_RUN_GATE#*,}"; else DRY_RUN_GATE=""; fi
  if [ "$outcome" = fail ]; then
    echo "(dry run: health gate fails)"
    return 1
  fi
}

if [ -n "$ROLLBACK_REF" ]; then
  echo "rolling back to $ROLLBACK_REF"
  deploy_ref "$ROLLBACK_REF"
  gate || die "rollback to $ROLLBACK_REF is unhealthy"
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
