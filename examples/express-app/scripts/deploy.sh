#!/usr/bin/env bash
# Deploys express-app as releases with a `current` symlink, gated on /health/ready.
#
#   scripts/deploy.sh              build a release from SOURCE_DIR, migrate, start, gate, switch
#   scripts/deploy.sh --rollback   switch back to the previous release by hand
#   scripts/deploy.sh --stop       stop the front proxy and every running release
#
# Layout under DEPLOY_ROOT: releases/<name>/ (src, package.json, dist, node_modules link),
# current -> releases/<name>, shared/env (sourced: DATABASE_URL, ADMIN_API_KEY, ...),
# run/ (pid and port files, upstream), logs/<name>.log.
#
# With DATABASE_URL (PostgreSQL) deploys are blue/green without downtime: the candidate starts
# on the idle port next to the running release, `armor-health` gates it, the front proxy
# (scripts/front.mjs, a stand-in for your load balancer) switches, and the old release drains
# and stops. A failed gate stops the candidate and keeps (or restarts) the previous release.
# With the embedded PGlite database only one process may own the data directory, so the
# previous release is stopped first (a short gap), and restarted if the gate fails.
set -euo pipefail

APP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEPLOY_ROOT=${DEPLOY_ROOT:-$APP_DIR/.deploy}
SOURCE_DIR=${SOURCE_DIR:-$APP_DIR}
GATE_TIMEOUT=${GATE_TIMEOUT:-60s}
KEEP_RELEASES=${KEEP_RELEASES:-5}

mkdir -p "$DEPLOY_ROOT/releases" "$DEPLOY_ROOT/run" "$DEPLOY_ROOT/logs" "$DEPLOY_ROOT/shared"
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
NODE=(node --conditions=@armor/source --import tsx)

log() { printf '%s deploy: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "$*"; exit 1; }

current_name() { if [ -L "$DEPLOY_ROOT/current" ]; then basename "$(readlink "$DEPLOY_ROOT/current")"; fi; }
pid_of() { cat "$RUN/$1.pid" 2>/dev/null || true; }
is_running() { local pid; pid=$(pid_of "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
port_of() { cat "$RUN/$1.port" 2>/dev/null || true; }

# Writes a file atomically (rename), so readers never see a half-written value.
atomic_write() { printf '%s\n' "$2" >"$1.tmp.$$" && mv -f "$1.tmp.$$" "$1"; }

health_gate() {
  local url=$1 cli="$APP_DIR/node_modules/@armor/health"
  if [ -f "$cli/dist/cli.js" ]; then
    node "$cli/dist/cli.js" "$url" --timeout "$GATE_TIMEOUT" --interval 500ms
  else
    "${NODE[@]}" "$cli/src/cli.ts" "$url" --timeout "$GATE_TIMEOUT" --interval 500ms
  fi
}

start_front() {
  local pid
  pid=$(cat "$RUN/front.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then return; fi
  PORT=$PORT UPSTREAM_FILE="$RUN/upstream" node "$APP_DIR/scripts/front.mjs" >>"$DEPLOY_ROOT/logs/front.log" 2>&1 </dev/null &
  echo $! >"$RUN/front.pid"
  log "front proxy listening on 127.0.0.1:$PORT (pid $!)"
}

start_release() {
  local name=$1 port=$2
  (cd "$DEPLOY_ROOT/releases/$name" && PORT=$port HOST=127.0.0.1 RELEASE=$name exec "${NODE[@]}" src/server.ts) >>"$DEPLOY_ROOT/logs/$name.log" 2>&1 </dev/null &
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

switch_to() {
  local name=$1
  atomic_write "$RUN/upstream" "$(port_of "$name")"
  ln -sfn "releases/$name" "$DEPLOY_ROOT/current.tmp.$$"
  mv -Tf "$DEPLOY_ROOT/current.tmp.$$" "$DEPLOY_ROOT/current"
  log "current -> $name (port $(port_of "$name"))"
}

idle_port() { if [ "${1:-}" = "$BLUE_PORT" ]; then echo "$GREEN_PORT"; else echo "$BLUE_PORT"; fi; }

# Starts `candidate`, gates it and switches; on a failed gate keeps or restarts `previous`.
activate() {
  local candidate=$1 previous=$2 port
  if [ -n "${DATABASE_URL:-}" ]; then
    port=$(idle_port "$(port_of "$previous")")
    start_release "$candidate" "$port"
    if health_gate "http://127.0.0.1:$port/health/ready"; then
      switch_to "$candidate"
      [ -n "$previous" ] && stop_release "$previous"
      return 0
    fi
    log "health gate failed for $candidate; rolling back to ${previous:-nothing}"
    stop_release "$candidate"
    if [ -n "$previous" ] && ! is_running "$previous"; then
      start_release "$previous" "$(port_of "$previous")"
      health_gate "http://127.0.0.1:$(port_of "$previous")/health/ready" || log "previous release $previous is not healthy either"
    fi
    return 1
  fi
  # PGlite: one process owns the data directory.
  port=${BLUE_PORT}
  [ -n "$previous" ] && port=$(port_of "$previous") && stop_release "$previous"
  (cd "$DEPLOY_ROOT/releases/$candidate" && "${NODE[@]}" src/migrate.ts) || { log "migrations failed for $candidate"; }
  start_release "$candidate" "$port"
  if health_gate "http://127.0.0.1:$port/health/ready"; then
    switch_to "$candidate"
    return 0
  fi
  log "health gate failed for $candidate; rolling back to ${previous:-nothing}"
  stop_release "$candidate"
  if [ -n "$previous" ]; then
    start_release "$previous" "$port"
    health_gate "http://127.0.0.1:$port/health/ready" || log "previous release $previous is not healthy either"
    switch_to "$previous"
  fi
  return 1
}

build_release() {
  local name dir
  name="$(date -u +%Y%m%d%H%M%S)-$$"
  dir="$DEPLOY_ROOT/releases/$name"
  mkdir -p "$dir"
  cp -R "$SOURCE_DIR/src" "$SOURCE_DIR/package.json" "$dir/"
  if [ -d "$SOURCE_DIR/dist" ]; then cp -R "$SOURCE_DIR/dist" "$dir/"; fi
  ln -s "$(cd "$SOURCE_DIR" && pwd -P)/node_modules" "$dir/node_modules"
  echo "$name" >"$dir/RELEASE"
  echo "$name"
}

prune_releases() {
  local keep=$KEEP_RELEASES current name
  current=$(current_name)
  # Release names start with a UTC timestamp, so a plain sort is chronological.
  find "$DEPLOY_ROOT/releases" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -r | tail -n "+$((keep + 1))" | while read -r name; do
    if [ "$name" != "$current" ] && ! is_running "$name"; then rm -rf "${DEPLOY_ROOT:?}/releases/$name"; log "pruned $name"; fi
  done
}

previous_release() {
  local current=$1
  find "$DEPLOY_ROOT/releases" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort | awk -v c="$current" '$0 == c { print prev; exit } { prev = $0 }'
}

case "${1:-}" in
  --stop)
    for pidfile in "$RUN"/*.pid; do
      [ -e "$pidfile" ] || continue
      name=$(basename "$pidfile" .pid)
      if [ "$name" = front ]; then kill -TERM "$(cat "$pidfile")" 2>/dev/null || true; rm -f "$pidfile"; else stop_release "$name"; fi
    done
    ;;
  --rollback)
    current=$(current_name)
    [ -n "$current" ] || die "nothing is deployed"
    target=$(previous_release "$current")
    [ -n "$target" ] || die "no release before $current"
    log "rolling back from $current to $target"
    start_front
    activate "$target" "$current" || die "rollback to $target failed its health gate; still on $current"
    ;;
  "")
    start_front
    previous=$(current_name)
    name=$(build_release)
    log "built release $name from $SOURCE_DIR"
    if [ -n "${DATABASE_URL:-}" ]; then
      (cd "$DEPLOY_ROOT/releases/$name" && "${NODE[@]}" src/migrate.ts) || die "migrations failed; nothing switched"
    fi
    activate "$name" "$previous" || die "deploy of $name failed; serving ${previous:-nothing}"
    prune_releases
    log "deployed $name"
    ;;
  *)
    sed -n '2,20p' "$0" >&2
    exit 2
    ;;
esac
