#!/usr/bin/env bash
# The README's test command (`npm run test:all`), also what CI runs through
# .ci/run: installs dependencies, brings up the test bed, runs every gate.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_node_modules
bash scripts/testbed.sh up
npm run check
