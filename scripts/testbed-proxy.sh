#!/usr/bin/env bash
# The proxy's part of the test bed (called by scripts/testbed.sh):
#   up    a local Debian base image (debootstrap, no registry), the proxy image
#         built from nginx/ on it, and Pebble (a test ACME server) with
#         pebble-challtestsrv (its fake DNS); writes bed.json for the tests
#   down  stops Pebble and challtestsrv (images stay: they are cheap to keep)
# Safe to run twice: each step checks first. State: $STATE_DIR/testbed/proxy.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

PX_DIR="$STATE_DIR/testbed/proxy"
PEBBLE_DIR="$PX_DIR/pebble"
BASE_TAG=berth-test/debian:bookworm
PROXY_REPO=berth-test/proxy
IMAGE_LABEL=berth.test=testbed
PEBBLE_MGMT=127.0.0.1:15000
CHALL_MGMT=127.0.0.1:8055
CHALL_DNS=127.0.0.1:8053
mkdir -p "$PX_DIR" "$PEBBLE_DIR"

# The Debian mirror this machine's apt uses (deb822 sources or sources.list).
debian_mirror() {
  local url
  url="$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' |
    grep -v -e security -e nodesource | head -n1 || true)"
  [ -n "$url" ] || url="$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' |
    grep -v security | head -n1 || true)"
  echo "${url:-http://deb.debian.org/debian}"
}

ensure_debian_base() {
  docker image inspect "$BASE_TAG" >/dev/null 2>&1 && return 0
  apt_install debootstrap
  local rootfs="$PX_DIR/debian-rootfs" mirror
  mirror="$(debian_mirror)"
  rm -rf "$rootfs"
  log "debootstrap bookworm from $mirror (about 30 s)"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$PX_DIR/debootstrap.log" 2>&1 ||
    die "debootstrap failed; see $PX_DIR/debootstrap.log"
  tar -C "$rootfs" -c . | docker import -c 'CMD ["/bin/bash"]' -c "LABEL $IMAGE_LABEL" \
    - "$BASE_TAG" >/dev/null
  rm -rf "$rootfs"
}

# The proxy image's tag follows the content of nginx/ and the base image, so
# any change to either is rebuilt on the next run.
proxy_tag() {
  local hash
  hash="$( (
    cd "$ROOT/nginx"
    find . -type f -print0 | sort -z | xargs -0 sha256sum
    docker image inspect -f '{{.Id}}' "$BASE_TAG"
  ) | sha256sum | cut -c1-12)"
  echo "$PROXY_REPO:$hash"
}

# Other checkouts on this machine may be testing their own nginx/ (their own
# tag) right now: only tags built here more than a day ago are dropped (the
# image data goes when unused); images without the build time are kept.
prune_stale_proxy_tags() {
  local keep=$1 ref built cutoff
  cutoff=$(($(date +%s) - 86400))
  # grep finds nothing on a machine with no older tags: not a failure.
  docker image ls "$PROXY_REPO" --format '{{.Repository}}:{{.Tag}}' |
    { grep -v -x -e "$keep" -e "$PROXY_REPO:latest" || true; } |
    while read -r ref; do
      built="$(docker image inspect -f '{{index .Config.Labels "berth.built"}}' "$ref" 2>/dev/null || true)"
      if [[ "$built" =~ ^[0-9]+$ ]] && [ "$built" -lt "$cutoff" ]; then
        docker rmi "$ref" >/dev/null 2>&1 || true
      fi
    done
}

ensure_proxy_image() {
  local tag=$1
  docker image inspect "$tag" >/dev/null 2>&1 && return 0
  log "building the proxy image $tag from nginx/ (about a minute the first time)"
  # The classic builder, as the Engine API's /build uses: the tests' build
  # through dockerode then hits this build's cache.
  DOCKER_BUILDKIT=0 docker build -q --build-arg "BASE_IMAGE=$BASE_TAG" --label "$IMAGE_LABEL" \
    --label "berth.built=$(date +%s)" -t "$tag" -t "$PROXY_REPO:latest" "$ROOT/nginx" \
    >"$PX_DIR/build.log" 2>&1 || die "building the proxy image failed; see $PX_DIR/build.log"
  prune_stale_proxy_tags "$tag"
}

bridge_ip() { docker network inspect bridge -f '{{(index .IPAM.Config 0).Gateway}}'; }

# A CA of our own and Pebble's server certificate for localhost, 127.0.0.1 and
# docker0's address (containers reach the host there).
ensure_pebble_certs() {
  local ip=$1
  [ -f "$PEBBLE_DIR/cert.pem" ] && grep -qx "$ip" "$PEBBLE_DIR/cert.ip" 2>/dev/null && return 0
  mkdir -p "$PEBBLE_DIR"
  (
    cd "$PEBBLE_DIR"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Berth test bed CA" \
      -keyout ca.key -out ca.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout key.pem -out cert.csr 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:%s\n' "$ip" >san.ext
    openssl x509 -req -in cert.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile san.ext -out cert.pem 2>/dev/null
    echo "$ip" >cert.ip
  )
}

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

pebble_up() { curl -fsS -m 2 --cacert "$PEBBLE_DIR/ca.pem" "https://$PEBBLE_MGMT/roots/0" >/dev/null 2>&1; }
chall_up() { [ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://$CHALL_MGMT/")" != 000 ]; }

start_daemon() {
  local name=$1
  shift
  setsid nohup env PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 "$@" \
    >"$PEBBLE_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$PEBBLE_DIR/$name.pid"
}

# Pebble's ports are the machine's, not one checkout's: when a Pebble that
# another checkout of Berth started is already up, use that one (the folder
# its -config names holds its CA and its settings) instead of starting one
# that could not bind.
adopt_running_pebble() {
  local pid config
  for pid in $(pgrep -x pebble || true); do
    config="$(tr '\0' '\n' <"/proc/$pid/cmdline" | sed -n '/^-config$/{n;p;q}')"
    [ -f "$config" ] || continue
    PEBBLE_DIR="$(dirname "$config")"
    return 0
  done
  return 1
}

# Pebble validates HTTP-01 on one port: the host port the tests publish the
# proxy's port 80 on, chosen once and kept in http-port.
ensure_pebble() {
  apt_install pebble openssl
  if ! chall_up; then
    log "starting pebble-challtestsrv (fake DNS on $CHALL_DNS)"
    start_daemon challtestsrv pebble-challtestsrv -defaultIPv4 127.0.0.1 -defaultIPv6 "" \
      -dns01 "$CHALL_DNS" -http01 "" -https01 "" -tlsalpn01 "" -management "$CHALL_MGMT"
    wait_for 30 "pebble-challtestsrv" chall_up
  fi
  pebble_up && return 0
  if adopt_running_pebble && pebble_up; then
    log "using the Pebble already running from $PEBBLE_DIR"
    return 0
  fi
  PEBBLE_DIR="$PX_DIR/pebble"
  local ip port
  ip="$(bridge_ip)"
  ensure_pebble_certs "$ip"
  [ -s "$PX_DIR/http-port" ] || free_port >"$PX_DIR/http-port"
  port="$(cat "$PX_DIR/http-port")"
  cat >"$PEBBLE_DIR/config.json" <<JSON
{"pebble": {"listenAddress": "$ip:14000", "managementListenAddress": "$PEBBLE_MGMT",
  "certificate": "$PEBBLE_DIR/cert.pem", "privateKey": "$PEBBLE_DIR/key.pem",
  "httpPort": $port, "tlsPort": 5001, "ocspResponderURL": "",
  "externalAccountBindingRequired": false}}
JSON
  log "starting Pebble on $ip:14000 (HTTP-01 on port $port)"
  start_daemon pebble pebble -config "$PEBBLE_DIR/config.json" -dnsserver "$CHALL_DNS"
  wait_for 30 "Pebble" pebble_up
}

# The HTTP-01 port of the Pebble in use, from its own settings.
pebble_http_port() { grep -o '"httpPort": *[0-9]*' "$PEBBLE_DIR/config.json" | grep -o '[0-9]*$'; }

write_bed_json() {
  cat >"$PX_DIR/bed.json" <<JSON
{
  "image": "$1",
  "baseImage": "$BASE_TAG",
  "nginxDir": "$ROOT/nginx",
  "httpPort": $(pebble_http_port),
  "acmeDirectory": "https://$(bridge_ip):14000/dir",
  "pebbleCa": "$PEBBLE_DIR/ca.pem",
  "pebbleDir": "$PEBBLE_DIR",
  "dnsServer": "$CHALL_DNS",
  "pebbleManagement": "https://$PEBBLE_MGMT",
  "challtestsrv": "http://$CHALL_MGMT"
}
JSON
}

stop_pidfile() {
  [ -f "$1" ] || return 0
  kill "$(cat "$1")" 2>/dev/null || true
  rm -f "$1"
}

case "${1:-up}" in
  up)
    docker_up || die "Docker is not running; run scripts/testbed.sh up"
    ensure_debian_base
    tag="$(proxy_tag)"
    ensure_proxy_image "$tag"
    ensure_pebble
    write_bed_json "$tag"
    log "proxy test bed ready: image $tag, Pebble on $(bridge_ip):14000"
    ;;
  down)
    stop_pidfile "$PEBBLE_DIR/pebble.pid"
    stop_pidfile "$PEBBLE_DIR/challtestsrv.pid"
    ;;
  *) die "usage: $0 up|down" ;;
esac
