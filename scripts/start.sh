#!/usr/bin/env bash
# The README's main command (`npm start`): install the workspace, then run the demo from source.
# The demo imports every Armor package through the `@armor/source` condition, so no package is
# built; only the dashboard page is (Vite, a few seconds). Ctrl-C stops the demo gracefully and
# exits 0; PORT=3001 npm start picks another port.
# Test hooks (tests/first-hour): ARMOR_START_SKIP_SETUP=1 skips the install,
# ARMOR_START_SKIP_DASHBOARD=1 skips the page build (the express-app tests build it too).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${ARMOR_START_SKIP_SETUP:-0}" != 1 ]; then
  SKIP_APT="${SKIP_APT:-1}" bash scripts/setup.sh
fi
export PATH="$HOME/.local/bin:$PATH"
cd examples/express-app
if [ "${ARMOR_START_SKIP_DASHBOARD:-0}" != 1 ]; then
  echo "start: building the dashboard page"
  # --logLevel error: Vite 8's [PLUGIN_TIMINGS] notice (the precompression plugin compresses at
  # the highest levels on purpose) is nothing a newcomer can act on. Errors still print.
  node node_modules/vite/bin/vite.js build --config dashboard/vite.config.ts --logLevel error
fi
# Ctrl-C: the terminal sends SIGINT to the whole process group and npm forwards a second one
# to its child. npm's child is this bash (the npm script execs it), which waits for the server
# and ignores both (bash waits for a child that handles SIGINT); the server receives exactly one,
# shuts down gracefully and exits 0, and so do bash and npm. (An exec here would hand the server
# npm's forwarded SIGINT too, and a second SIGINT forces exit 1.)
# DEMO_FLEET=1: two instances behind one port, with Redis and Prometheus when installed (the
# fleet view and its SLO scorecard); scripts/fleet-demo.mjs stops all of them on that one SIGINT.
if [ "${DEMO_FLEET:-0}" = 1 ]; then
  node --conditions=@armor/source --import tsx scripts/fleet-demo.mjs
else
  DEMO=1 node --conditions=@armor/source --import tsx src/server.ts
fi
