#!/usr/bin/env bash
# The README's run command (`npm start`): installs what is missing, brings up
# Docker Engine and Swarm, provides a local PostgreSQL when DATABASE_URL is
# not set, builds, and runs Berth in the foreground (Ctrl-C stops it).
# Settings come from the environment or from .env (see .env.example).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_node_modules
env_file=()
[ -f .env ] && env_file=(--env-file=.env)
setting() { node "${env_file[@]}" -e "process.stdout.write(process.env['$1'] ?? '')"; }

ensure_docker
ensure_swarm

if [ -z "$(setting DATABASE_URL)" ]; then
  pg_port="${BERTH_PG_PORT:-54320}"
  ensure_postgres "$STATE_DIR/pg" "$pg_port"
  "$(pg_bindir)/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -Atqc \
    "SELECT 1 FROM pg_database WHERE datname = 'berth'" | grep -q 1 ||
    "$(pg_bindir)/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres berth
  export DATABASE_URL="postgresql://postgres@127.0.0.1:$pg_port/berth"
  log "using the local PostgreSQL in $STATE_DIR/pg (set DATABASE_URL to use your own)"
fi

if [ -z "$(setting ENCRYPTION_KEY)" ]; then
  # Seals env var values at rest; losing it loses them, so it is kept.
  key_file="$STATE_DIR/encryption.key"
  if [ ! -s "$key_file" ]; then
    (umask 077 && node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("hex"))' >"$key_file")
    log "generated ENCRYPTION_KEY in $key_file (set ENCRYPTION_KEY to use your own)"
  fi
  ENCRYPTION_KEY="$(cat "$key_file")"
  export ENCRYPTION_KEY
fi

log "building"
npm run --silent build
log "starting Berth"
exec node "${env_file[@]}" dist/main.js
