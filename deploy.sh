#!/usr/bin/env bash
# Berth in production, on one Docker host: ./deploy.sh installs, and run again
# upgrades in place (new code, new settings) with nothing lost. See --help.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ENV_FILE="${BERTH_ENV_FILE:-$ROOT/.env.prod}"
PROJECT="${COMPOSE_PROJECT_NAME:-berth}"
ADVERTISE_ADDR=""
HEALTH_TIMEOUT="${BERTH_HEALTH_TIMEOUT:-180}"
BACKUP_DIR="${BERTH_BACKUP_DIR:-$ROOT/backups}"

usage() {
  cat <<'EOF'
usage: ./deploy.sh [command] [options]

commands:
  up (default)     install or upgrade: check Docker, set up Swarm, create or
                   check the env file, build, migrate, start, wait for /health
  init             only create or complete the env file (then edit it)
  backup [FILE]    dump the database (default: backups/berth-<time>.dump, mode 600)
  restore FILE     replace the database with a dump (a backup of the current
                   one is taken first), then restart Berth
  cli ARGS...      run an operator command, e.g.
                   ./deploy.sh cli create-admin-key --name "ops laptop"
  status           the containers and Berth's /health
options:
  --env-file FILE        settings and secrets (default: .env.prod, mode 600)
  --project NAME         compose project name (default: berth)
  --advertise-addr ADDR  address for `docker swarm init` (default: detected)
  -h, --help             this text
environment: COMPOSE_FILE (compose files, colon-separated; default
  docker-compose.prod.yml), DOCKER_SOCKET (default /var/run/docker.sock),
  BERTH_BACKUP_DIR (default backups/), BERTH_HEALTH_TIMEOUT (seconds, default 180)
EOF
}

log() { printf '[berth] %s\n' "$*" >&2; }
die() {
  printf '[berth] error: %s\n' "$*" >&2
  exit 1
}

# --- Docker, Compose, Swarm ------------------------------------------------

check_docker() {
  command -v docker >/dev/null ||
    die "Docker is not installed. Install Docker Engine (https://docs.docker.com/engine/install/;
  on Debian/Ubuntu: apt-get install docker.io docker-compose), then run ./deploy.sh again."
  docker info >/dev/null 2>&1 ||
    die "Docker does not answer. Start it (systemctl start docker) and run ./deploy.sh as root or as a member of the docker group."
}

COMPOSE=()
# find_compose: `docker compose` or `docker-compose`, and the host settings
# the compose file needs.
find_compose() {
  [ -f "$ENV_FILE" ] || die "no $ENV_FILE: run ./deploy.sh (or give --env-file)"
  export_host_settings
  if docker compose version >/dev/null 2>&1; then
    COMPOSE=(docker compose)
  elif command -v docker-compose >/dev/null; then
    COMPOSE=(docker-compose)
  else
    die "Docker Compose is missing: install the compose plugin (docker-compose-plugin) or docker-compose (Debian/Ubuntu: apt-get install docker-compose)."
  fi
}

compose() {
  local files=()
  [ -n "${COMPOSE_FILE:-}" ] || files=(-f "$ROOT/docker-compose.prod.yml")
  "${COMPOSE[@]}" -p "$PROJECT" --env-file "$ENV_FILE" "${files[@]}" "$@"
}

# The container of a service, or nothing when it has none.
cid() { compose ps -q "$1" 2>/dev/null | head -n1; }

# The host's address on its default route (no packet is sent).
detect_addr() {
  local dev=""
  command -v ip >/dev/null && dev="$(ip -4 route show default | awk '{for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit }}')"
  if [ -n "$dev" ]; then
    ip -4 -o addr show dev "$dev" scope global | awk '{ split($4, a, "/"); print a[1]; exit }'
  else
    hostname -I 2>/dev/null | awk '{ print $1 }'
  fi
}

ensure_swarm() {
  local state addr
  state="$(docker info --format '{{.Swarm.LocalNodeState}}')"
  case "$state" in
    active) ;;
    inactive)
      addr="${ADVERTISE_ADDR:-$(detect_addr)}"
      [ -n "$addr" ] || die "cannot detect this host's address; give it: ./deploy.sh --advertise-addr ADDR"
      log "docker swarm init --advertise-addr $addr"
      docker swarm init --advertise-addr "$addr" >/dev/null
      ;;
    *) die "this Docker Engine's Swarm state is '$state'; fix it (docker swarm init/leave) and run again" ;;
  esac
  [ "$(docker info --format '{{.Swarm.ControlAvailable}}')" = true ] ||
    die "this Docker Engine is a Swarm worker; run Berth on a manager node"
}

# --- The env file ----------------------------------------------------------

env_value() { sed -n "s/^$1=//p" "$ENV_FILE" | tail -n1; }

# set_env_value KEY VALUE: fills an empty or missing KEY; never replaces a value.
set_env_value() {
  [ -z "$(env_value "$1")" ] || return 0
  local tmp
  tmp="$(mktemp "$ENV_FILE.XXXXXX")"
  if grep -q "^$1=" "$ENV_FILE"; then
    awk -v key="$1" -v value="$2" 'index($0, key "=") == 1 { $0 = key "=" value } { print }' \
      "$ENV_FILE" >"$tmp"
  else
    cat "$ENV_FILE" >"$tmp"
    printf '%s=%s\n' "$1" "$2" >>"$tmp"
  fi
  chmod 600 "$tmp"
  mv "$tmp" "$ENV_FILE"
}

random_hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

ask() {
  local prompt=$1 default=$2 secret=${3:-} answer=""
  if [ -n "$secret" ]; then read -r -s -p "$prompt: " answer && echo >&2; else
    read -r -p "$prompt [$default]: " answer
  fi
  echo "${answer:-$default}"
}

new_env_file() {
  local addr url token=""
  addr="$(detect_addr)"
  url="http://${addr:-localhost}:3000"
  if [ -t 0 ]; then
    url="$(ask "Address people's browsers reach Berth at (PUBLIC_URL)" "$url")"
    token="$(ask "Telegram bot token from @BotFather (empty: no bot for now)" "" secret)"
  fi
  (
    umask 077
    cat >"$ENV_FILE" <<EOF
# Berth's production settings and secrets (created by deploy.sh; keep this
# file: without ENCRYPTION_KEY stored values cannot be read back). Every Berth
# setting is described in .env.example; change one, then run ./deploy.sh.
PUBLIC_URL=$url
TELEGRAM_BOT_TOKEN=$token
# Where the API is published on this host.
BERTH_BIND_ADDRESS=0.0.0.0
BERTH_HOST_PORT=3000
POSTGRES_PASSWORD=
ENCRYPTION_KEY=
EOF
  )
  log "created $ENV_FILE"
}

ensure_env_file() {
  [ -f "$ENV_FILE" ] || new_env_file
  if [ -n "$(find "$ENV_FILE" -perm /077)" ]; then
    chmod 600 "$ENV_FILE"
    log "$ENV_FILE was readable by others: now mode 600"
  fi
  local before
  before="$(env_value POSTGRES_PASSWORD)$(env_value ENCRYPTION_KEY)"
  set_env_value POSTGRES_PASSWORD "$(random_hex 24)"
  set_env_value ENCRYPTION_KEY "$(random_hex 32)"
  [ "$before" = "$(env_value POSTGRES_PASSWORD)$(env_value ENCRYPTION_KEY)" ] ||
    log "generated the missing secrets in $ENV_FILE (mode 600)"
  # The password goes into a connection URL: keep it to URL-safe characters.
  env_value POSTGRES_PASSWORD | grep -Eq '^[A-Za-z0-9._~-]{16,}$' ||
    die "POSTGRES_PASSWORD in $ENV_FILE: at least 16 of A-Z a-z 0-9 . _ ~ -"
  env_value ENCRYPTION_KEY | grep -Eq '^[0-9a-fA-F]{64}$' ||
    die "ENCRYPTION_KEY in $ENV_FILE: 64 hex characters"
}

# Settings the compose file reads that come from this host, not the env file.
export_host_settings() {
  local socket="${DOCKER_SOCKET:-/var/run/docker.sock}"
  [ -S "$socket" ] || die "no Docker socket at $socket (set DOCKER_SOCKET to its path)"
  DOCKER_GID="$(stat -c %g "$socket")"
  BERTH_ENV_FILE="$ENV_FILE"
  BERTH_REVISION="$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)"
  export DOCKER_GID BERTH_ENV_FILE BERTH_REVISION
}

# --- Health ------------------------------------------------------------------

wait_healthy() {
  local service=$1 i status
  for ((i = 0; i < HEALTH_TIMEOUT; i += 2)); do
    status="$(docker inspect -f '{{.State.Health.Status}}' "$(cid "$service")" 2>/dev/null || true)"
    [ "$status" = healthy ] && return 0
    sleep 2
  done
  compose logs --tail 30 "$service" >&2 || true
  die "$service is not healthy after ${HEALTH_TIMEOUT}s (status: ${status:-none})"
}

# Berth's /health JSON once it answers 200 (from inside its container).
berth_health() {
  local i out
  for ((i = 0; i < HEALTH_TIMEOUT; i += 2)); do
    if out="$(docker exec "$(cid backend)" node dist/healthcheck.js 2>/dev/null)"; then
      echo "$out"
      return 0
    fi
    sleep 2
  done
  compose logs --tail 50 backend >&2 || true
  die "Berth's /health is not green after ${HEALTH_TIMEOUT}s"
}

# Waits for the netguard's first report; warns (Berth works without it).
check_egress() {
  local i egress=""
  for i in $(seq 1 15); do
    egress="$(docker exec "$(cid backend)" node dist/healthcheck.js 2>/dev/null |
      grep -o '"egress":{[^}]*}' || true)"
    case "$egress" in *'"applied":true'* | *'"enabled":false'*) break ;; esac
    sleep 2
  done
  case "$egress" in
    *'"applied":true'*) log "egress guard in place" ;;
    *'"enabled":false'*) log "egress guard switched off (EGRESS_GUARD=false)" ;;
    *) log "warning: egress guard not in place: $egress (see: docker logs of the netguard service)" ;;
  esac
}

# --- Commands ------------------------------------------------------------------

cmd_up() {
  check_docker
  ensure_swarm
  ensure_env_file
  find_compose
  log "building images (revision $BERTH_REVISION)"
  compose build
  log "starting PostgreSQL"
  compose up -d postgres
  wait_healthy postgres
  log "applying database migrations"
  compose run --rm --no-deps -T backend node dist/cli.js migrate deploy
  log "starting Berth"
  compose up -d --remove-orphans
  berth_health >/dev/null
  check_egress
  print_summary
}

print_summary() {
  local port url
  port="$(env_value BERTH_HOST_PORT)"
  url="$(env_value PUBLIC_URL)"
  cat <<EOF

Berth is running (revision $BERTH_REVISION, project $PROJECT).
  API:     ${url:-http://localhost:${port:-3000}} (published on port ${port:-3000})
  Health:  curl -s http://127.0.0.1:${port:-3000}/health
  First admin key (shown once):
           ./deploy.sh cli create-admin-key --name "ops laptop"
  Telegram bot: talk to @BotFather (/newbot), put the token in $ENV_FILE
           as TELEGRAM_BOT_TOKEN, set PUBLIC_URL to the address browsers reach
           Berth at, and run ./deploy.sh again.
  Backup:  ./deploy.sh backup   (keep $ENV_FILE too: it holds ENCRYPTION_KEY)
  Upgrade: git pull && ./deploy.sh
EOF
}

# Reads a dump's table of contents: refuses a file pg_restore cannot read.
check_dump() {
  docker exec -i "$(cid postgres)" pg_restore --list <"$1" >/dev/null ||
    die "$1 is not a dump that pg_restore can read"
}

cmd_backup() {
  local file=${1:-$BACKUP_DIR/berth-$(date -u +%Y%m%dT%H%M%SZ).dump}
  find_compose
  [ -n "$(cid postgres)" ] || die "PostgreSQL is not running; run ./deploy.sh first"
  mkdir -p "$(dirname "$file")"
  (
    umask 077
    docker exec "$(cid postgres)" sh -c \
      'exec pg_dump -U "$POSTGRES_USER" -d "$POSTGRES_DB" --format=custom' >"$file.partial"
  ) || die "pg_dump failed"
  mv "$file.partial" "$file"
  check_dump "$file"
  log "backup written to $file (restore: ./deploy.sh restore $file)"
  echo "$file"
}

cmd_restore() {
  local file=${1:-}
  if [ -z "$file" ] || [ ! -r "$file" ]; then
    die "usage: ./deploy.sh restore FILE (a readable file from ./deploy.sh backup)"
  fi
  check_docker
  ensure_env_file
  find_compose
  compose up -d postgres
  wait_healthy postgres
  check_dump "$file"
  log "taking a backup of the current database first"
  cmd_backup "$BACKUP_DIR/pre-restore-$(date -u +%Y%m%dT%H%M%SZ).dump" >/dev/null
  compose stop backend
  log "restoring $file into a fresh database"
  docker exec "$(cid postgres)" sh -c 'dropdb -U "$POSTGRES_USER" --if-exists --force "$POSTGRES_DB" &&
    createdb -U "$POSTGRES_USER" "$POSTGRES_DB"'
  docker exec -i "$(cid postgres)" sh -c \
    'exec pg_restore -U "$POSTGRES_USER" -d "$POSTGRES_DB" --no-owner --exit-on-error' <"$file" ||
    die "pg_restore failed; the backup taken before is in $BACKUP_DIR"
  compose up -d
  berth_health >/dev/null
  log "restored $file; Berth is healthy"
}

cmd_cli() {
  find_compose
  [ -n "$(cid backend)" ] || die "Berth is not running; run ./deploy.sh first"
  docker exec -i "$(cid backend)" node dist/cli.js "$@"
}

cmd_status() {
  find_compose
  compose ps
  [ -z "$(cid backend)" ] || docker exec "$(cid backend)" node dist/healthcheck.js || true
}

main() {
  local command="" args=()
  while [ $# -gt 0 ]; do
    case "$1" in
      -h | --help) usage && exit 0 ;;
      --env-file) ENV_FILE="$(realpath -m "${2:?--env-file needs a file}")" && shift ;;
      --project) PROJECT="${2:?--project needs a name}" && shift ;;
      --advertise-addr) ADVERTISE_ADDR="${2:?--advertise-addr needs an address}" && shift ;;
      -*) die "unknown option '$1' (./deploy.sh --help)" ;;
      *)
        if [ -z "$command" ]; then
          command=$1
          # Everything after `cli` is the operator command's own.
          [ "$command" != cli ] || { shift && args=("$@") && break; }
        else
          args+=("$1")
        fi
        ;;
    esac
    shift
  done
  cd "$ROOT"
  case "${command:-up}" in
    up) cmd_up ;;
    init) ensure_env_file && log "edit $ENV_FILE, then run ./deploy.sh" ;;
    backup) cmd_backup "${args[@]}" ;;
    restore) cmd_restore "${args[@]}" ;;
    cli) cmd_cli "${args[@]}" ;;
    status) cmd_status ;;
    *) die "unknown command '$command' (./deploy.sh --help)" ;;
  esac
}

main "$@"
