#!/usr/bin/env bash
# Start and stop the real services used by integration tests and the bench, all on 127.0.0.1.
#
#   scripts/services.sh start pg|redis|s3|pgbouncer|worker|beat|all   (idempotent: running services are left alone)
#   scripts/services.sh stop  pg|redis|s3|pgbouncer|worker|beat|all
#   scripts/services.sh status
#   scripts/services.sh env [pg|redis|s3|pgbouncer]  # export lines: DATABASE_URL, CELERY_BROKER_URL, the S3 endpoint...
#
# pgbouncer (not part of `all`): Debian's PgBouncer in transaction mode on $HITL_PGBOUNCER_PORT, in front of
# the PostgreSQL above, every database passed through; `env pgbouncer` prints a DATABASE_URL through it.
#
# Data, logs and pidfiles live in $HITL_SERVICES_DIR (default var/services). Needs only the Debian
# packages postgresql and redis-server, and the project's .venv (moto_server, celery).
# PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user.
# The worker and beat use the environment they are started with; variables that are unset get the
# values printed by `env` (so `start worker` alone talks to the services started here).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${HITL_VENV:-$ROOT/.venv}"
SERVICES_DIR="${HITL_SERVICES_DIR:-$ROOT/var/services}"
# Default ports lie below Linux's ephemeral range (32768-60999): a port in that range can be held at any
# moment by the source end of some client connection, and then the server cannot bind it (seen in CI).
PG_PORT="${HITL_PG_PORT:-25432}"
PG_DB="${HITL_PG_DB:-hitl}"
REDIS_PORT="${HITL_REDIS_PORT:-26379}"
S3_PORT="${HITL_S3_PORT:-25000}"
S3_BUCKETS="${HITL_S3_BUCKETS:-a2i-results}"
PGBOUNCER_PORT="${HITL_PGBOUNCER_PORT:-$((PG_PORT + 300))}"
# Small on purpose: with fewer server connections than clients, transactions of one client land on
# different server sessions, as under load in production.
PGBOUNCER_POOL_SIZE="${HITL_PGBOUNCER_POOL_SIZE:-4}"
WORKER_CONCURRENCY="${HITL_WORKER_CONCURRENCY:-2}"

log() { echo "services: $*" >&2; }
die() { log "$*"; exit 1; }

pg_bin() {
  if [[ -n "${HITL_PG_BIN:-}" ]]; then echo "$HITL_PG_BIN"; return; fi
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "$dir" ]] || die "PostgreSQL server binaries not found (apt-get install -y postgresql, or set HITL_PG_BIN)"
  echo "$dir"
}

# PostgreSQL's data directory: must be reachable by the user the server runs as.
pg_dir() {
  local dir="$SERVICES_DIR/pg"
  mkdir -p "$SERVICES_DIR"
  if [[ $EUID -eq 0 ]] && ! runuser -u postgres -- test -x "$SERVICES_DIR" 2>/dev/null; then
    # A parent directory is closed to the postgres user (e.g. a checkout under /root).
    dir="/tmp/hitl-pg-$PG_PORT"
  fi
  echo "$dir"
}

as_pg() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

env_lines() {  # env_lines [pg|redis|s3 ...]: all of them without arguments
  local want=" ${*:-pg redis s3} "
  if [[ $want == *" pg "* ]]; then
    echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/$PG_DB"
  fi
  if [[ $want == *" pgbouncer "* ]]; then
    echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$PGBOUNCER_PORT/$PG_DB"
  fi
  if [[ $want == *" redis "* ]]; then
    echo "export CELERY_BROKER_URL=redis://127.0.0.1:$REDIS_PORT/0"
  fi
  if [[ $want == *" s3 "* ]]; then
    cat <<EOF
export HITL_OUTPUT_BACKEND=s3
export AWS_ENDPOINT_URL_S3=http://127.0.0.1:$S3_PORT
export AWS_ACCESS_KEY_ID=testing
export AWS_SECRET_ACCESS_KEY=testing
export AWS_DEFAULT_REGION=us-east-1
EOF
  fi
}

# Fill in unset variables from env_lines, keeping whatever the caller exported.
apply_env_defaults() {
  local line name value
  while IFS= read -r line; do
    line="${line#export }"
    name="${line%%=*}"
    value="${line#*=}"
    if [[ -z "${!name:-}" ]]; then export "$name=$value"; fi
  done < <(env_lines)
}

pid_alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1" 2>/dev/null)" 2>/dev/null; }

tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {  # wait_for <seconds> <description> <command...>
  local seconds="$1" what="$2"
  shift 2
  for _ in $(seq 1 $((seconds * 10))); do
    if "$@"; then return 0; fi
    sleep 0.1
  done
  die "$what did not come up within ${seconds}s"
}

stop_pidfile() {  # stop_pidfile <pidfile> <name>: TERM, then KILL after 20 s
  local pidfile="$1" name="$2" pid
  if ! pid_alive "$pidfile"; then
    rm -f "$pidfile"
    return 0
  fi
  pid="$(cat "$pidfile")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 200); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name ($pid) ignored TERM; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  log "$name stopped"
}

# --- PostgreSQL --------------------------------------------------------------

start_pg() {
  local bin dir data
  bin="$(pg_bin)"
  dir="$(pg_dir)"
  data="$dir/data"
  if "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
    log "postgres already running on 127.0.0.1:$PG_PORT"
  else
    mkdir -p "$dir"
    if [[ $EUID -eq 0 ]]; then chown postgres: "$dir"; fi
    if [[ ! -f "$data/PG_VERSION" ]]; then
      as_pg "$bin/initdb" -D "$data" --auth=trust --username=postgres --encoding=UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    fi
    as_pg "$bin/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 60 \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $dir -c max_connections=200 -c max_prepared_transactions=20 -c wal_buffers=32MB -c max_wal_size=4GB" start >/dev/null \
      || { tail -n 20 "$dir/postgres.log" >&2; die "postgres failed to start"; }
    log "postgres running on 127.0.0.1:$PG_PORT (data in $data)"
  fi
  if ! "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" \
    | grep -q 1; then
    "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$PG_DB"
    log "created database $PG_DB"
  fi
}

stop_pg() {
  local bin dir
  bin="$(pg_bin)"
  dir="$(pg_dir)"
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    log "postgres stopped"
  fi
}

# --- PgBouncer (transaction mode) -------------------------------------------------

pgbouncer_dir() { echo "$(pg_dir)-pgbouncer"; }

start_pgbouncer() {
  local dir bin
  bin="$(command -v pgbouncer || echo /usr/sbin/pgbouncer)"
  [[ -x "$bin" ]] || die "pgbouncer not found (apt-get install -y pgbouncer, or scripts/install.sh --system)"
  dir="$(pgbouncer_dir)"
  if pid_alive "$dir/pgbouncer.pid"; then
    log "pgbouncer already running on 127.0.0.1:$PGBOUNCER_PORT"
    return 0
  fi
  tcp_open "$PGBOUNCER_PORT" && die "port $PGBOUNCER_PORT is taken by another process"
  mkdir -p "$dir"
  # The PostgreSQL above trusts loopback; PgBouncer's trust mode still wants the user listed.
  echo '"postgres" ""' >"$dir/userlist.txt"
  cat >"$dir/pgbouncer.ini" <<EOF
[databases]
* = host=127.0.0.1 port=$PG_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
default_pool_size = $PGBOUNCER_POOL_SIZE
max_client_conn = 500
; The test suite drops its database at the end: close idle server connections quickly.
server_idle_timeout = 5
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
admin_users = postgres
EOF
  if [[ $EUID -eq 0 ]]; then chown -R postgres: "$dir"; fi
  # PgBouncer refuses to run as root, like PostgreSQL.
  # With -d the listening socket is opened after the fork: a failure there shows only in the log.
  as_pg "$bin" -q -d "$dir/pgbouncer.ini" || { tail -n 20 "$dir/pgbouncer.log" >&2; die "pgbouncer failed to start"; }
  for _ in $(seq 1 100); do
    tcp_open "$PGBOUNCER_PORT" && break
    sleep 0.1
  done
  tcp_open "$PGBOUNCER_PORT" || { tail -n 20 "$dir/pgbouncer.log" >&2; die "pgbouncer did not come up within 10s"; }
  log "pgbouncer (transaction mode, pool size $PGBOUNCER_POOL_SIZE) on 127.0.0.1:$PGBOUNCER_PORT -> postgres :$PG_PORT"
}

stop_pgbouncer() { stop_pidfile "$(pgbouncer_dir)/pgbouncer.pid" pgbouncer; }

# --- Redis ---------------------------------------------------------------------

start_redis() {
  if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    log "redis already running on 127.0.0.1:$REDIS_PORT"
    return 0
  fi
  mkdir -p "$SERVICES_DIR/redis"
  # No persistence: a restart loses every queued message, which the outbox sweeps must survive.
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
    --pidfile "$SERVICES_DIR/redis.pid" --logfile "$SERVICES_DIR/redis.log" --dir "$SERVICES_DIR/redis" \
    --save "" --appendonly no
  wait_for 10 redis bash -c "redis-cli -h 127.0.0.1 -p $REDIS_PORT ping >/dev/null 2>&1"
  log "redis running on 127.0.0.1:$REDIS_PORT"
}

stop_redis() {
  if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    wait_for 10 "redis shutdown" bash -c "! redis-cli -h 127.0.0.1 -p $REDIS_PORT ping >/dev/null 2>&1"
    log "redis stopped"
  fi
  rm -f "$SERVICES_DIR/redis.pid"
}

# --- S3 (moto's standalone server) -------------------------------------------

start_s3() {
  mkdir -p "$SERVICES_DIR"
  if ! pid_alive "$SERVICES_DIR/s3.pid"; then
    tcp_open "$S3_PORT" && die "port $S3_PORT is taken by another process"
    # Its buckets exist before it listens (scripts/moto_s3.py says why).
    # shellcheck disable=SC2086
    setsid bash -c 'echo $$ > "$0"; exec "$@"' \
      "$SERVICES_DIR/s3.pid" "$VENV/bin/python" "$ROOT/scripts/moto_s3.py" "$S3_PORT" $S3_BUCKETS \
      >>"$SERVICES_DIR/s3.log" 2>&1 </dev/null &
    for _ in $(seq 1 300); do
      tcp_open "$S3_PORT" && break
      # It exits at once when it cannot bind: say why instead of waiting the full 30 s.
      sleep 0.1
      pid_alive "$SERVICES_DIR/s3.pid" || { tail -n 5 "$SERVICES_DIR/s3.log" >&2; die "moto S3 server exited"; }
    done
    tcp_open "$S3_PORT" || { tail -n 5 "$SERVICES_DIR/s3.log" >&2; die "moto S3 server did not come up within 30s"; }
    log "S3 (moto) running on 127.0.0.1:$S3_PORT"
  fi
  # The server keeps state in memory: (re)create the buckets every time.
  AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing "$VENV/bin/python" - "$S3_PORT" $S3_BUCKETS <<'PY'
import sys

import boto3

s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", region_name="us-east-1")
existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
for bucket in sys.argv[2:]:
    if bucket not in existing:
        s3.create_bucket(Bucket=bucket)
PY
}

stop_s3() { stop_pidfile "$SERVICES_DIR/s3.pid" "S3 (moto)"; }

# --- Celery worker and beat ----------------------------------------------------

start_worker() {
  local name="${HITL_WORKER_NAME:-worker}"
  mkdir -p "$SERVICES_DIR"
  if pid_alive "$SERVICES_DIR/$name.pid"; then
    log "celery $name already running (pid $(cat "$SERVICES_DIR/$name.pid"))"
    return 0
  fi
  apply_env_defaults
  (cd "$ROOT" && "$VENV/bin/celery" --workdir "$ROOT" -A hitl worker --detach --loglevel=INFO \
    --hostname="$name@%h" --concurrency="$WORKER_CONCURRENCY" \
    --pidfile="$SERVICES_DIR/$name.pid" --logfile="$SERVICES_DIR/$name.log")
  wait_for 30 "celery $name (run '.venv/bin/celery -A hitl worker -l INFO' in the foreground to see why)" \
    pid_alive "$SERVICES_DIR/$name.pid"
  log "celery $name running (log $SERVICES_DIR/$name.log)"
}

stop_worker() { stop_pidfile "$SERVICES_DIR/${HITL_WORKER_NAME:-worker}.pid" "celery ${HITL_WORKER_NAME:-worker}"; }

# HITL_BEAT_NAME (default beat) names a second beat's pidfile, log and schedule file.
start_beat() {
  local name="${HITL_BEAT_NAME:-beat}" schedule
  schedule="$SERVICES_DIR/celerybeat-schedule"
  [[ $name == beat ]] || schedule="$SERVICES_DIR/$name-schedule"
  mkdir -p "$SERVICES_DIR"
  if pid_alive "$SERVICES_DIR/$name.pid"; then
    log "celery $name already running (pid $(cat "$SERVICES_DIR/$name.pid"))"
    return 0
  fi
  apply_env_defaults
  (cd "$ROOT" && "$VENV/bin/celery" --workdir "$ROOT" -A hitl beat --detach --loglevel=INFO \
    --schedule="$schedule" \
    --pidfile="$SERVICES_DIR/$name.pid" --logfile="$SERVICES_DIR/$name.log")
  wait_for 30 "celery $name (run '.venv/bin/celery -A hitl beat -l INFO' in the foreground to see why)" \
    pid_alive "$SERVICES_DIR/$name.pid"
  log "celery $name running (log $SERVICES_DIR/$name.log)"
}

stop_beat() { stop_pidfile "$SERVICES_DIR/${HITL_BEAT_NAME:-beat}.pid" "celery ${HITL_BEAT_NAME:-beat}"; }

status() {
  local bin
  bin="$(pg_bin)"
  "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && echo "pg: up" || echo "pg: down"
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && echo "redis: up" || echo "redis: down"
  pid_alive "$SERVICES_DIR/s3.pid" && echo "s3: up" || echo "s3: down"
  pid_alive "$(pgbouncer_dir)/pgbouncer.pid" && echo "pgbouncer: up" || echo "pgbouncer: down"
  pid_alive "$SERVICES_DIR/worker.pid" && echo "worker: up" || echo "worker: down"
  pid_alive "$SERVICES_DIR/beat.pid" && echo "beat: up" || echo "beat: down"
}

main() {
  local action="${1:-}"
  shift || true
  case "$action" in
    env) env_lines "$@" ;;
    status) status ;;
    start | stop)
      local targets=("$@")
      [[ ${#targets[@]} -gt 0 ]] || die "usage: $0 $action pg|redis|s3|worker|beat|all"
      if [[ "${targets[0]}" == all ]]; then
        if [[ $action == start ]]; then
          start_pg
          start_redis
          start_s3
          apply_env_defaults
          (cd "$ROOT" && "$VENV/bin/python" manage.py migrate --noinput -v 0)
          start_worker
          start_beat
        else
          stop_beat
          stop_worker
          stop_pgbouncer
          stop_s3
          stop_redis
          stop_pg
        fi
        return 0
      fi
      local target
      for target in "${targets[@]}"; do
        case "$target" in
          pg | redis | s3 | pgbouncer | worker | beat) "${action}_${target}" ;;
          *) die "unknown service $target (pg, redis, s3, pgbouncer, worker, beat, all)" ;;
        esac
      done
      ;;
    *) die "usage: $0 start|stop pg|redis|s3|pgbouncer|worker|beat|all, $0 status, $0 env [pg|redis|s3|pgbouncer]" ;;
  esac
}

main "$@"
