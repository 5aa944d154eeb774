#!/usr/bin/env bash
# The README's main command: set up, build what the demo needs, and run it.
set -euo pipefail
cd "$(dirname "$0")/.."
SKIP_APT="${SKIP_APT:-1}" bash scripts/setup.sh
export PATH="$HOME/.local/bin:$PATH"
pnpm build
exec pnpm demo
