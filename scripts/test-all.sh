#!/usr/bin/env bash
# The README's test command: set up a fresh machine, then run every test of every package and example.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.local/bin:$PATH"
pnpm build
pnpm test
