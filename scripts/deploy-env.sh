# shellcheck shell=bash
# deploy.sh's env file: settings and secrets for the production stack (sourced
# by deploy.sh, which defines ENV_FILE, ROOT, log and die). Secrets are
# generated once, written with mode 600, and never replaced.

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
# Public environments through this stack's proxy (ports 80 and 443).
PROXY_ENABLED=true
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
