#!/usr/bin/env bash
# Deploys express-app as releases with a `current` symlink, gated on /health/ready.
#
#   scripts/deploy.sh              build a release from SOURCE_DIR, migrate, start, gate, switch
#   scripts/deploy.sh --rollback   switch back to the previous good release by hand (no migrations)
#   scripts/deploy.sh --stop       stop the front proxy and every running release
#   scripts/deploy.sh --start      start the front proxy and the current release again (after --stop)
#   scripts/deploy.sh --prune      prune releases now (also done after every deploy; see below)
#
# Build: scripts/build-release.mjs bundles src/ with the @armor/* workspace packages and the
# pure-JS npm dependencies into releases/<name>/dist/*.mjs (esbuild), copies PGlite and the
# built dashboard next to it, and writes BUILD (source, commit, time). A release runs with plain
# `node` and never reads the source tree again, so editing or pulling the source does not change
# a running or rolled-back release.
#
# Layout under DEPLOY_ROOT: releases/<name>/ (dist, node_modules/@electric-sql/pglite,
# package.json, BUILD; FAILED when its deploy failed: --rollback skips it),
# current -> releases/<name>, shared/env (sourced: DATABASE_URL, ADMIN_API_KEY, ...),
# shared/data/ (PGlite data, unless DATA_DIR is set), run/ (pid and port files, upstream),
# logs/<name>.log (the release's output, migrations included). After every deploy, releases are
# pruned: the newest KEEP_RELEASES (default 5) good ones and the newest KEEP_FAILED (default 1)
# failed ones stay (failed releases do not count toward KEEP_RELEASES and go first).
#
# Migrations are recorded with the release that applied them. When a candidate fails its health
# gate, the migrations it applied are reverted (their `down` SQL, newest first) before the
# previous release serves again; one without `down` stays applied and the failure says so.
#
# With DATABASE_URL (PostgreSQL) deploys are blue/green without downtime: migrations run first
# (a failure aborts; nothing was stopped), the candidate starts on the idle port next to the
# running release, `armor-health` gates it, the front proxy (scripts/front.mjs, a stand-in for
# your load balancer) switches, and the old release drains and stops. A failed gate stops the
# candidate and keeps (or restarts) the previous release.
# With the embedded PGlite database only one process may open the data directory, so the
# previous release is stopped before migrations run and the candidate starts on the same port:
# the front answers 502 from the moment the old release closes its listener until the new one
# listens. A failed migration or gate restarts the previous release (a second short gap).
# Every failure exits 1 with a one-line reason on stderr.
set -euo pipefail

APP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEPLOY_ROOT=${DEPLOY_ROOT:-$APP_DIR/.deploy}
SOURCE_DIR=${SOURCE_DIR:-$APP_DIR}
GATE_TIMEOUT=${GATE_TIMEOUT:-60s}
KEEP_RELEASES=${KEEP_RELEASES:-5}
KEEP_FAILED=${KEEP_FAILED:-1}

mkdir -p "$DEPLOY_ROOT/releases" "$DEPLOY_ROOT/run" "$DEPLOY_ROOT/logs" "$DEPLOY_ROOT/shared"
DEPLOY_ROOT=$(cd "$DEPLOY_ROOT" && pwd)
if [ -f "$DEPLOY_ROOT/shared/env" ]; then
  set -a
  # shellcheck source=/dev/null
  . "$DEPLOY_ROOT/shared/env"
  set +a
fi
PORT=${PORT:-3000}
BLUE_PORT=${BLUE_PORT:-$((PORT + 1))}
GREEN_PORT=${GREEN_PORT:-$((PORT + 2))}
RUN="$DEPLOY_ROOT/run"
# PGlite data is shared by every release (the app's default, .data, would be per release dir).
DATA_DIR=${DATA_DIR:-$DEPLOY_ROOT/shared/data}
case "$DATA_DIR" in /* | memory://*) ;; *) DATA_DIR="$DEPLOY_ROOT/$DATA_DIR" ;; esac
export DATA_DIR

log() { printf '%s deploy: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "$*"; exit 1; }

current_name() { if [ -L "$DEPLOY_ROOT/current" ]; then basename "$(readlink "$DEPLOY_ROOT/current")"; fi; }
pid_of() { cat "$RUN/$1.pid" 2>/dev/null || true; }
is_running() { local pid; pid=$(pid_of "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
port_of() { cat "$RUN/$1.port" 2>/dev/null || true; }
mark_failed() { printf '%s\n' "$2" >"$DEPLOY_ROOT/releases/$1/FAILED"; }

# Writes a file atomically (rename), so readers never see a half-written value.
atomic_write() { printf '%s\n' "$2" >"$1.tmp.$$" && mv -f "$1.tmp.$$" "$1"; }

# The gate is this checkout's `armor-health` (the deploy tool, not part of the release).
GATE=()
gate_cli() {
  local cli="$APP_DIR/node_modules/@armor/health"
  if [ -f "$cli/dist/cli.js" ]; then GATE=(node "$cli/dist/cli.js"); else GATE=(node --conditions=@armor/source --import tsx "$cli/src/cli.ts"); fi
}

# Gates release `name` listening on `port`: `armor-health` polls /health/ready until it passes
# or GATE_TIMEOUT; fails at once when the release's process exits (a crash at boot).
GATE_ERROR=''
gate() {
  local name=$1 port=$2 pid gate_pid status
  pid=$(pid_of "$name")
  [ ${#GATE[@]} -gt 0 ] || gate_cli
  (cd "$APP_DIR" && exec "${GATE[@]}" "http://127.0.0.1:$port/health/ready" --timeout "$GATE_TIMEOUT" --interval 250ms) >&2 9>&- &
  gate_pid=$!
  while kill -0 "$gate_pid" 2>/dev/null; do
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$gate_pid" 2>/dev/null || true
      wait "$gate_pid" 2>/dev/null || true
      GATE_ERROR="$name exited before it became ready ($(last_line "$DEPLOY_ROOT/logs/$name.log"); logs/$name.log)"
      return 1
    fi
    sleep 0.1
  done
  status=0
  wait "$gate_pid" || status=$?
  if [ "$status" != 0 ]; then GATE_ERROR="$name did not become ready within $GATE_TIMEOUT"; return 1; fi
  return 0
}

# The reason a release stopped, from the end of its log: the last error line (an uncaught
# exception's `Error: ...`, the app's one-line config or migration error), else the last line.
last_line() {
  local lines
  lines=$(tail -n 40 "$1" 2>/dev/null | grep -v -e '^[[:space:]]*$' -e '^[[:space:]]*at ' -e '^Node\.js v' -e '^[[:space:]]*^[[:space:]]*$' || true)
  { printf '%s\n' "$lines" | grep -E '(^[A-Za-z]*Error\b|[Ff]ailed|^Invalid )' || printf '%s\n' "$lines"; } | tail -n 1 | cut -c1-300
}

start_front() {
  local pid
  pid=$(cat "$RUN/front.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then return; fi
  PORT=$PORT UPSTREAM_FILE="$RUN/upstream" node "$APP_DIR/scripts/front.mjs" >>"$DEPLOY_ROOT/logs/front.log" 2>&1 </dev/null 9>&- &
  echo $! >"$RUN/front.pid"
  log "front proxy listening on 127.0.0.1:$PORT (pid $!)"
}

start_release() {
  local name=$1 port=$2
  # TRUST_PROXY=1: the front proxy (front.mjs) is the one trusted hop; it overwrites
  # X-Forwarded-For with the real peer address, so limits and audit rows see the client.
  (cd "$DEPLOY_ROOT/releases/$name" && PORT=$port HOST=127.0.0.1 RELEASE=$name TRUST_PROXY=1 exec node --enable-source-maps dist/server.mjs) >>"$DEPLOY_ROOT/logs/$name.log" 2>&1 </dev/null 9>&- &
  echo $! >"$RUN/$name.pid"
  echo "$port" >"$RUN/$name.port"
  log "started $name on port $port (pid $!)"
}

stop_release() {
  local name=$1 pid i
  pid=$(pid_of "$name")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 300); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
      if [ "$i" = 300 ]; then kill -KILL "$pid" 2>/dev/null || true; fi
    done
    log "stopped $name (pid $pid)"
  fi
  rm -f "$RUN/$name.pid"
}

# Applies the release's migrations (output in its log); on failure MIGRATE_ERROR is the reason.
MIGRATE_ERROR=''
MIGRATED=''
migrate_release() {
  local name=$1 status=0
  (cd "$DEPLOY_ROOT/releases/$name" && RELEASE=$name exec node --enable-source-maps dist/migrate.mjs) >>"$DEPLOY_ROOT/logs/$name.log" 2>&1 </dev/null || status=$?
  if [ "$status" = 0 ]; then
    MIGRATED=$(grep -o '"msg":"migrations applied","applied":\[[^]]*\]' "$DEPLOY_ROOT/logs/$name.log" | tail -n 1 | sed 's/.*\[\(.*\)\]/\1/')
    log "migrations applied for $name${MIGRATED:+: $MIGRATED}"
    return 0
  fi
  MIGRATE_ERROR="exit $status, $(last_line "$DEPLOY_ROOT/logs/$name.log")"
  return 1
}

# Reverts the migrations release `name` applied (its failed gate), with their `down` SQL, using
# the release's own migrate command; REVERTED is a one-line summary for the failure message.
REVERTED=''
revert_migrations() {
  local name=$1 out status=0 reverted kept
  out=$(cd "$DEPLOY_ROOT/releases/$name" && RELEASE=$name node --enable-source-maps dist/migrate.mjs --revert "$name" 2>>"$DEPLOY_ROOT/logs/$name.log" </dev/null 9>&-) || status=$?
  printf '%s\n' "$out" >>"$DEPLOY_ROOT/logs/$name.log"
  if [ "$status" != 0 ]; then REVERTED="reverting its migrations failed ($(last_line "$DEPLOY_ROOT/logs/$name.log"))"; log "$REVERTED"; return 0; fi
  reverted=$(printf '%s\n' "$out" | sed -n 's/.*"reverted":\[\([^]]*\)\].*/\1/p' | tail -n 1)
  kept=$(printf '%s\n' "$out" | sed -n 's/.*"kept":\[\([^]]*\)\].*/\1/p' | tail -n 1)
  REVERTED=''
  if [ -n "$reverted" ]; then REVERTED="migrations reverted: $reverted"; fi
  if [ -n "$kept" ]; then REVERTED="${REVERTED:+$REVERTED; }migrations still applied (no down): $kept"; fi
  if [ -n "$REVERTED" ]; then log "$name: $REVERTED"; fi
}

switch_to() {
  local name=$1
  atomic_write "$RUN/upstream" "$(port_of "$name")"
  ln -sfn "releases/$name" "$DEPLOY_ROOT/current.tmp.$$"
  mv -Tf "$DEPLOY_ROOT/current.tmp.$$" "$DEPLOY_ROOT/current"
  log "current -> $name (port $(port_of "$name"))"
}

idle_port() { if [ "${1:-}" = "$BLUE_PORT" ]; then echo "$GREEN_PORT"; else echo "$BLUE_PORT"; fi; }

# PGlite: starts `previous` again on `port` after its candidate failed; FAILURE is the reason.
restart_previous() {
  local previous=$1 port=$2
  [ -n "$previous" ] || return 0
  start_release "$previous" "$port"
  if gate "$previous" "$port"; then switch_to "$previous"; else log "previous release $previous is not healthy either: $GATE_ERROR"; fi
}

# Starts `candidate`, gates it and switches; on failure keeps or restarts `previous`, sets
# FAILURE to a one-line reason and returns 1. `migrate` (1/0) runs the candidate's migrations
# first: on PostgreSQL while `previous` keeps serving, on PGlite once `previous` has stopped.
FAILURE=''
activate() {
  local candidate=$1 previous=$2 migrate=$3 port
  MIGRATED=''
  if [ -n "${DATABASE_URL:-}" ]; then
    if [ "$migrate" = 1 ] && ! migrate_release "$candidate"; then
      FAILURE="migrations failed: $MIGRATE_ERROR"
      return 1
    fi
    port=$(idle_port "$(port_of "$previous")")
    start_release "$candidate" "$port"
    if gate "$candidate" "$port"; then
      switch_to "$candidate"
      if [ -n "$previous" ]; then stop_release "$previous"; fi
      return 0
    fi
    FAILURE="health gate failed: $GATE_ERROR"
    log "health gate failed for $candidate; rolling back to ${previous:-nothing}"
    stop_release "$candidate"
    if [ -n "$MIGRATED" ]; then
      revert_migrations "$candidate"
      FAILURE="$FAILURE${REVERTED:+; $REVERTED}"
    fi
    if [ -n "$previous" ] && ! is_running "$previous"; then
      port=$(port_of "$previous")
      start_release "$previous" "${port:-$BLUE_PORT}"
      gate "$previous" "${port:-$BLUE_PORT}" || log "previous release $previous is not healthy either: $GATE_ERROR"
    fi
    return 1
  fi
  # PGlite: one process owns the data directory, so `previous` stops first (the gap starts).
  port=$BLUE_PORT
  if [ -n "$previous" ]; then
    port=$(port_of "$previous")
    port=${port:-$BLUE_PORT}
    stop_release "$previous"
  fi
  if [ "$migrate" = 1 ] && ! migrate_release "$candidate"; then
    FAILURE="migrations failed: $MIGRATE_ERROR"
    log "migrations failed for $candidate; restarting ${previous:-nothing}"
    restart_previous "$previous" "$port"
    return 1
  fi
  start_release "$candidate" "$port"
  if gate "$candidate" "$port"; then
    switch_to "$candidate"
    return 0
  fi
  FAILURE="health gate failed: $GATE_ERROR"
  log "health gate failed for $candidate; rolling back to ${previous:-nothing}"
  stop_release "$candidate"
  if [ -n "$MIGRATED" ]; then
    revert_migrations "$candidate"
    FAILURE="$FAILURE${REVERTED:+; $REVERTED}"
  fi
  restart_previous "$previous" "$port"
  return 1
}

# Builds releases/<name> from SOURCE_DIR (see the header) and prints <name>.
build_release() {
  local name dir
  name="$(date -u +%Y%m%d-%H%M%S.%3N)"
  dir="$DEPLOY_ROOT/releases/$name"
  mkdir -p "$dir"
  if ! node "$APP_DIR/scripts/build-release.mjs" "$SOURCE_DIR" "$dir" >>"$DEPLOY_ROOT/logs/$name.log" 2>&1 </dev/null; then
    rm -rf "$dir"
    die "build from $SOURCE_DIR failed: $(last_line "$DEPLOY_ROOT/logs/$name.log"); nothing changed"
  fi
  echo "$name" >"$dir/RELEASE"
  echo "$name"
}

# Keeps the newest KEEP_RELEASES releases whose deploy did not fail (what --rollback can go
# back to) and the newest KEEP_FAILED failed ones (for inspection; they do not count toward
# KEEP_RELEASES); prunes older failed releases first, then older good ones. The current release
# and any running one are never pruned.
prune_releases() {
  local current name good=0 failed=0
  current=$(current_name)
  # Release names start with a UTC timestamp, so a plain sort is chronological (newest first here).
  while read -r name; do
    [ -n "$name" ] || continue
    if [ -e "$DEPLOY_ROOT/releases/$name/FAILED" ]; then
      failed=$((failed + 1))
      [ "$failed" -gt "$KEEP_FAILED" ] || continue
    elif [ "$name" = "$current" ] || is_running "$name"; then
      good=$((good + 1))
      continue
    else
      good=$((good + 1))
      [ "$good" -gt "$KEEP_RELEASES" ] || continue
    fi
    if [ "$name" != "$current" ] && ! is_running "$name"; then rm -rf "${DEPLOY_ROOT:?}/releases/$name"; log "pruned $name"; fi
  done < <(find "$DEPLOY_ROOT/releases" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -r)
}

# The newest release older than `current` whose deploy did not fail.
previous_release() {
  local current=$1 name prev=''
  while read -r name; do
    [ "$name" = "$current" ] && break
    [ -e "$DEPLOY_ROOT/releases/$name/FAILED" ] || prev=$name
  done < <(find "$DEPLOY_ROOT/releases" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)
  echo "$prev"
}

# One deploy or rollback at a time (fd 9; closed in every process started in the background,
# which would otherwise hold the lock for as long as they run).
lock() {
  exec 9>"$RUN/deploy.lock"
  flock -n 9 || die "another deploy or rollback is running (lock $RUN/deploy.lock)"
}

case "${1:-}" in
  --stop)
    for pidfile in "$RUN"/*.pid; do
      [ -e "$pidfile" ] || continue
      name=$(basename "$pidfile" .pid)
      if [ "$name" = front ]; then
        pid=$(cat "$pidfile")
        kill -TERM "$pid" 2>/dev/null || true
        # Wait for its port to be free, so a --start right after can listen on it.
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        rm -f "$pidfile"
      else stop_release "$name"; fi
    done
    ;;
  --start)
    lock
    current=$(current_name)
    [ -n "$current" ] || die "nothing is deployed"
    start_front
    if is_running "$current"; then
      log "$current is already running"
    else
      port=$(port_of "$current")
      start_release "$current" "${port:-$BLUE_PORT}"
      gate "$current" "${port:-$BLUE_PORT}" || { stop_release "$current"; die "$current did not start: $GATE_ERROR"; }
    fi
    switch_to "$current"
    ;;
  --prune)
    lock
    prune_releases
    ;;
  --rollback)
    lock
    current=$(current_name)
    [ -n "$current" ] || die "nothing is deployed"
    target=$(previous_release "$current")
    [ -n "$target" ] || die "no good release before $current"
    log "rolling back from $current to $target"
    start_front
    activate "$target" "$current" 0 || die "rollback to $target failed ($FAILURE); still on $current"
    ;;
  "")
    lock
    previous=$(current_name)
    name=$(build_release)
    log "built release $name from $SOURCE_DIR ($(grep '^commit:' "$DEPLOY_ROOT/releases/$name/BUILD" || echo 'commit: unknown'))"
    start_front
    if ! activate "$name" "$previous" 1; then
      mark_failed "$name" "$FAILURE"
      prune_releases
      die "deploy of $name failed: $FAILURE; serving ${previous:-nothing}"
    fi
    prune_releases
    log "deployed $name"
    ;;
  *)
    sed -n "2,$(grep -n '^set -euo' "$0" | cut -d: -f1)p" "$0" | sed '$d' >&2
    exit 2
    ;;
esac
