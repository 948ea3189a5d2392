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

# shellcheck source=scripts/deploy-env.sh
source "$ROOT/scripts/deploy-env.sh"
# shellcheck source=scripts/deploy-db.sh
source "$ROOT/scripts/deploy-db.sh"

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

# A proxy container that Berth created itself (before the stack ran, or after
# the stack's was removed) holds the name Compose needs: replace it. Its
# volumes, so its sites and certificates, stay and are reused.
replace_foreign_proxy() {
  local name labels instance
  name="$(env_value PROXY_CONTAINER)"
  name="${name:-berth-proxy}"
  labels="$(docker inspect -f '{{index .Config.Labels "com.docker.compose.project"}} {{index .Config.Labels "berth.managed-by"}} {{index .Config.Labels "berth.instance"}}' "$name" 2>/dev/null)" ||
    return 0
  instance="$(env_value BERTH_INSTANCE)"
  case "$labels" in
    "$PROJECT "*) return 0 ;;
    " berth ${instance:-berth}") ;;
    *) die "a container named $name exists and is not this Berth's proxy; remove it or set PROXY_CONTAINER" ;;
  esac
  log "replacing the proxy container $name that Berth created with the stack's (volumes kept)"
  docker rm -f "$name" >/dev/null
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
  replace_foreign_proxy
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
