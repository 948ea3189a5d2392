# shellcheck shell=bash
# Shared helpers for Berth's scripts (sourced, not run). Each ensure_* step
# checks first and only acts when something is missing, so every script that
# uses them is safe to run twice. They never touch Docker objects that Berth
# did not create.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="${BERTH_STATE_DIR:-$ROOT/.berth}"
mkdir -p "$STATE_DIR"

log() { printf '[berth] %s\n' "$*" >&2; }
die() {
  printf '[berth] error: %s\n' "$*" >&2
  exit 1
}
is_root() { [ "$(id -u)" = 0 ]; }

# wait_for SECONDS DESCRIPTION COMMAND...: retry COMMAND once a second.
wait_for() {
  local seconds=$1 what=$2
  shift 2
  local i
  for ((i = 0; i < seconds; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  die "$what did not come up within ${seconds}s"
}

APT_UPDATED=""
# apt_install PKG...: install Debian packages that are not installed yet.
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! is_root || ! command -v apt-get >/dev/null; then
    die "missing packages: ${missing[*]}; install them (Debian/Ubuntu: apt-get install ${missing[*]}) and run again"
  fi
  if [ -z "$APT_UPDATED" ]; then
    log "apt-get update"
    # Extra repositories may be unreachable; Debian's own mirror is enough.
    apt-get update -qq >/dev/null 2>&1 || log "apt-get update reported errors; continuing"
    APT_UPDATED=1
  fi
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    die "apt-get install ${missing[*]} failed"
}

docker_up() { docker info >/dev/null 2>&1; }

# ensure_docker: a Docker Engine that answers, installing Debian's docker.io
# and starting the daemon only when there is none.
ensure_docker() {
  docker_up && return 0
  if [ -n "${DOCKER_HOST:-}" ]; then
    die "DOCKER_HOST=$DOCKER_HOST does not answer; start that daemon or unset DOCKER_HOST"
  fi
  if ! command -v dockerd >/dev/null; then
    if ! is_root || ! command -v apt-get >/dev/null; then
      die "Docker Engine is not installed; install it (https://docs.docker.com/engine/install/) and run again"
    fi
    apt_install docker.io
  fi
  command -v docker >/dev/null || apt_install docker.io
  if ! is_root; then
    die "the Docker daemon is not running and starting it needs root: sudo systemctl start docker"
  fi
  if [ -d /run/systemd/system ] && systemctl start docker >/dev/null 2>&1; then
    log "started docker with systemd"
  else
    log "starting dockerd (log: $STATE_DIR/dockerd.log)"
    setsid nohup dockerd >"$STATE_DIR/dockerd.log" 2>&1 </dev/null &
  fi
  wait_for 60 "the Docker daemon" docker info
}

# ensure_swarm: single-node Swarm when this engine is in none; an existing
# Swarm (manager or worker) is left exactly as it is.
ensure_swarm() {
  local state
  state="$(docker info --format '{{.Swarm.LocalNodeState}}')"
  case "$state" in
    active) ;;
    inactive)
      log "docker swarm init --advertise-addr ${SWARM_ADVERTISE_ADDR:-127.0.0.1}"
      docker swarm init --advertise-addr "${SWARM_ADVERTISE_ADDR:-127.0.0.1}" >/dev/null
      ;;
    *) die "this Docker Engine's Swarm state is '$state'; fix it (docker swarm init/leave) and run again" ;;
  esac
  [ "$(docker info --format '{{.Swarm.ControlAvailable}}')" = true ] ||
    die "this Docker Engine is a Swarm worker; run Berth on a manager node"
}

pg_bindir() {
  local dir
  if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir
    return
  fi
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && echo "$dir" && return
  done
}

# ensure_postgres DIR PORT: a PostgreSQL cluster of our own in DIR, listening
# on 127.0.0.1:PORT, trust auth for local use only.
ensure_postgres() {
  local dir=$1 port=$2 bin
  bin="$(pg_bindir)"
  if [ -z "$bin" ]; then
    apt_install postgresql
    bin="$(pg_bindir)"
  fi
  [ -n "$bin" ] || die "PostgreSQL server binaries not found"
  "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" && return 0
  local as=()
  # initdb refuses to run as root: run the cluster as the postgres user.
  if is_root; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
    as=(runuser -u postgres --)
  fi
  mkdir -p "$dir"
  if is_root; then
    chown postgres "$dir"
    "${as[@]}" test -x "$(dirname "$dir")" ||
      die "the postgres user cannot reach $dir: make its parent folders traversable (chmod o+x)"
  fi
  chmod 700 "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    log "initdb $dir"
    "${as[@]}" "$bin/initdb" -D "$dir" -A trust -U postgres -E UTF8 >/dev/null
  fi
  log "starting PostgreSQL on 127.0.0.1:$port"
  local i
  # After a kill -9 the stale pid file makes the first start fail: retry.
  for i in 1 2 3 4 5; do
    if "${as[@]}" "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 30 \
      -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=300" \
      start >/dev/null; then
      return 0
    fi
    sleep 1
  done
  die "PostgreSQL did not start; see $dir/server.log"
}

# ensure_node_modules: npm ci when node_modules is missing or older than the lockfile.
ensure_node_modules() {
  command -v node >/dev/null || die "Node.js is not installed; install Node.js 20.19 or newer"
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
    die "Node.js $(node --version) is too old; Berth needs 20.19 or newer"
  if [ ! -f "$ROOT/node_modules/.package-lock.json" ] ||
    [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    log "npm ci"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
