# scripts/lib.sh — shared helpers for the project's scripts (sourced, not run).
#
# Dependency install, build, and throwaway PostgreSQL clusters that run as the
# postgres user in a temporary directory on a Unix socket only.

PG_MAJOR=${PG_MAJOR:-15}
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
export PG_CONFIG=${PG_CONFIG:-$PG_BIN/pg_config}
# Developers working in several trees at once may set PGDEV_ROOT: the server
# tree is then copied there once, the extension installed into the copy
# (make install DESTDIR=...) and clusters run from it, so trees never collide.
INSTALL_DESTDIR=
if [ -n "${PGDEV_ROOT:-}" ]; then
  INSTALL_DESTDIR=$PGDEV_ROOT
  PG_BIN=$PGDEV_ROOT/usr/lib/postgresql/$PG_MAJOR/bin
fi
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Install the Debian packages the build, tests and benchmarks need, if missing.
ensure_packages() {
  local wanted=(postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR postgresql-$PG_MAJOR-pgtap
                libtap-parser-sourcehandler-pgtap-perl postgresql-$PG_MAJOR-cron
                postgresql-$PG_MAJOR-rum make gcc python3 "$@")
  local missing=() p
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing packages (${missing[*]}); run as root to install them"
  log "installing ${missing[*]}"
  apt-get update -qq >/dev/null || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

# Build warning-free and install into the PostgreSQL tree.
build_and_install() {
  log "building journaling"
  make -C "$REPO_ROOT" -s PG_CONFIG="$PG_CONFIG" \
       PG_CFLAGS="-Wall -Wextra -Werror -Wno-unused-parameter" >/dev/null || die "build failed"
  if [ -n "$INSTALL_DESTDIR" ] && [ ! -x "$PG_BIN/postgres" ]; then
    mkdir -p "$INSTALL_DESTDIR/usr/lib/postgresql" "$INSTALL_DESTDIR/usr/share/postgresql"
    cp -a "/usr/lib/postgresql/$PG_MAJOR" "$INSTALL_DESTDIR/usr/lib/postgresql/"
    cp -a "/usr/share/postgresql/$PG_MAJOR" "$INSTALL_DESTDIR/usr/share/postgresql/"
  fi
  make -C "$REPO_ROOT" -s PG_CONFIG="$PG_CONFIG" DESTDIR="$INSTALL_DESTDIR" install >/dev/null \
    || die "install failed"
}

# Create (initdb and configure, not start) a throwaway cluster in a new
# temporary directory; sets CLUSTER_DIR.
cluster_init() {
  CLUSTER_DIR=$(mktemp -d --tmpdir="${TMPDIR:-/tmp}" --suffix=.journaling-cluster)
  chown postgres: "$CLUSTER_DIR"
  chmod 0755 "$CLUSTER_DIR"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$CLUSTER_DIR/data" -U postgres -A trust \
      -E UTF8 --locale=C.UTF-8 --no-sync >"$CLUSTER_DIR/initdb.log" 2>&1 \
      || { cat "$CLUSTER_DIR/initdb.log" >&2; die "initdb failed"; }
  cat >>"$CLUSTER_DIR/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$CLUSTER_DIR'
port = 5432
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
# pg_cron runs jobs in background workers: no TCP connection or password needed.
cron.use_background_workers = on
max_worker_processes = 16
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
CONF
}

# Start the cluster in CLUSTER_DIR and export PGHOST/PGPORT/PGUSER for
# clients.  Extra pg_ctl options may follow.
cluster_boot() {
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/data" -l "$CLUSTER_DIR/server.log" \
      -w -t 60 start "$@" >/dev/null || { cat "$CLUSTER_DIR/server.log" >&2; die "cluster did not start"; }
  export PGHOST=$CLUSTER_DIR PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
}

# Create and start a throwaway cluster (cluster_init, then cluster_boot).
cluster_start() {
  cluster_init && cluster_boot "$@"
}

# Stop the cluster in CLUSTER_DIR (if running), keeping its directory.
cluster_halt() {
  [ -n "${CLUSTER_DIR:-}" ] && [ -d "$CLUSTER_DIR/data" ] || return 0
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
}

# Stop the throwaway cluster (if any) and remove its directory.
cluster_stop() {
  cluster_halt
  [ -n "${CLUSTER_DIR:-}" ] && [ -d "$CLUSTER_DIR" ] && [ "${KEEP_CLUSTER:-}" != 1 ] && rm -rf "$CLUSTER_DIR"
  return 0
}
