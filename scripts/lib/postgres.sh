# shellcheck shell=bash
# OpenPrimărie: a throw-away PostgreSQL 15 cluster on loopback, for scripts/test and the
# benchmarks. Source after bootstrap.sh:
#
#   source "$(dirname "$0")/lib/postgres.sh"
#   op_pg_start            # exports TRYTOND_DATABASE_URI and OP_PG_PORT, OP_PG_DIR
#   op_pg_stop             # (also registered by the caller's EXIT trap)
#
# fsync is off: the cluster is for tests and measurements, never for data that matters.

OP_PG_DIR=""
OP_PG_PORT=""
OP_PG_USER=postgres

# initdb and postgres refuse to run as root: use the "postgres" account of the Debian package.
op_as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$OP_PG_USER" -- "$@"
    else
        "$@"
    fi
}

op_pg_start() {
    local port attempt opts
    if [ "$(id -u)" -eq 0 ] && ! id "$OP_PG_USER" >/dev/null 2>&1; then
        op_log "creating system user $OP_PG_USER for the test cluster"
        useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin "$OP_PG_USER"
    fi
    OP_PG_DIR="$(mktemp -d /tmp/openprimarie-pg.XXXXXX)"
    [ "$(id -u)" -ne 0 ] || chown "$OP_PG_USER:" "$OP_PG_DIR"
    op_log "starting a private PostgreSQL cluster in $OP_PG_DIR (fsync off)"
    op_as_pg "$OP_PG_BIN/initdb" -D "$OP_PG_DIR/data" -U postgres -A trust -E UTF8 \
        --locale=C.UTF-8 --no-sync >"$OP_PG_DIR/initdb.log" 2>&1 \
        || { cat "$OP_PG_DIR/initdb.log" >&2; op_die "initdb failed"; }
    for attempt in 1 2 3; do
        port="$(op_free_port)"
        opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$OP_PG_DIR"
        opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        opts+=" ${OP_PG_EXTRA_OPTS:-}"
        if op_as_pg "$OP_PG_BIN/pg_ctl" -D "$OP_PG_DIR/data" -l "$OP_PG_DIR/server.log" -w -t 60 \
                -o "$opts" start >/dev/null; then
            OP_PG_PORT=$port
            export OP_PG_PORT OP_PG_DIR
            export TRYTOND_DATABASE_URI="postgresql://postgres@127.0.0.1:$port/"
            op_log "PostgreSQL $("$OP_PG_BIN/postgres" --version | awk '{print $3}') listening on 127.0.0.1:$port"
            return
        fi
    done
    cat "$OP_PG_DIR/server.log" >&2
    op_die "could not start PostgreSQL"
}

op_pg_stop() {
    if [ -n "$OP_PG_DIR" ]; then
        op_as_pg "$OP_PG_BIN/pg_ctl" -D "$OP_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$OP_PG_DIR"
        OP_PG_DIR=""
    fi
}
