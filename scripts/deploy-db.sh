# shellcheck shell=bash
# deploy.sh's backup and restore (sourced by deploy.sh): pg_dump in the
# custom format to a mode-600 file; a restore replaces the database with a
# fresh one made from the dump, after taking a backup of the current one.

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
