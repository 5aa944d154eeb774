#!/usr/bin/env bash
# Idempotent setup for a fresh machine with only Node and npm: Debian packages the tests use
# (when running as root with apt-get), pnpm at the pinned version, and the workspace install.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION="$(node -p "require('./package.json').packageManager.split('@')[1]")"

want_apt=()
command -v redis-server >/dev/null 2>&1 || want_apt+=(redis-server)
command -v chromium >/dev/null 2>&1 || want_apt+=(chromium)
command -v promtool >/dev/null 2>&1 || want_apt+=(prometheus)
command -v shellcheck >/dev/null 2>&1 || want_apt+=(shellcheck)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || want_apt+=(postgresql)
if [ "${#want_apt[@]}" -gt 0 ] && [ "${SKIP_APT:-0}" != 1 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian packages: ${want_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${want_apt[@]}" >/dev/null
    # The Debian packages start services we do not use; tests start their own on free ports.
    (service redis-server stop || true) >/dev/null 2>&1
    (service prometheus stop || true) >/dev/null 2>&1
  else
    echo "setup: missing ${want_apt[*]}; install them (e.g. sudo apt-get install ${want_apt[*]}) for the full test suite" >&2
  fi
fi

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm@$PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" --loglevel=error >/dev/null 2>&1 || {
    mkdir -p "$HOME/.local/bin"
    npm install --prefix "$HOME/.local/pnpm" "pnpm@$PNPM_VERSION" --loglevel=error >/dev/null
    ln -sf "$HOME/.local/pnpm/node_modules/.bin/pnpm" "$HOME/.local/bin/pnpm"
    export PATH="$HOME/.local/bin:$PATH"
  }
fi

pnpm install --frozen-lockfile
