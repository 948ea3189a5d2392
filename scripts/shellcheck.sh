#!/usr/bin/env bash
# Lints every shell script of the project with shellcheck.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
command -v shellcheck >/dev/null || apt_install shellcheck
cd "$ROOT"
mapfile -t scripts < <(git ls-files --cached --others --exclude-standard -- '*.sh' .ci/run scripts/no-schema-engine)
shellcheck "${scripts[@]}"
