# shellcheck shell=bash
# OpenPrimărie: a private PostgreSQL 15 cluster for tests and benchmarks, sourced by scripts/test
# and scripts/bench/* (after lib/bootstrap.sh, which sets OP_PG_BIN, op_log, op_die, op_free_port).
#
#   op_pg_start [DIR]   initdb (unless DIR already holds a cluster) and start it on 127.0.0.1 with
#                       fsync off; without DIR in a new temporary directory. Sets OP_PG_DIR and
#                       OP_PG_PORT and exports TRYTOND_DATABASE_URI=postgresql://postgres@127.0.0.1:PORT/
#   op_pg_stop [MODE]   stop it (pg_ctl -m MODE, immediate by default); the directory is left in place
#   op_pg_remove        stop it and delete its directory
#   op_as_pg CMD...     run a command as the cluster's owner (initdb and postgres refuse root)

OP_PG_USER="${OP_PG_USER:-postgres}"
OP_PG_DIR=""
OP_PG_PORT=""

op_as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$OP_PG_USER" -- "$@"
    else
        "$@"
    fi
}

op_pg_start() {
    local dir="${1:-}" port attempt opts
    if [ "$(id -u)" -eq 0 ] && ! id "$OP_PG_USER" >/dev/null 2>&1; then
        op_log "creating system user $OP_PG_USER for the private cluster"
        useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin "$OP_PG_USER"
    fi
    if [ -z "$dir" ]; then
        dir="$(mktemp -d /tmp/openprimarie-pg.XXXXXX)"
    else
        mkdir -p "$dir"
    fi
    OP_PG_DIR="$dir"
    [ "$(id -u)" -ne 0 ] || chown "$OP_PG_USER:" "$OP_PG_DIR"
    if [ -f "$OP_PG_DIR/data/PG_VERSION" ]; then
        op_log "starting the private PostgreSQL cluster kept in $OP_PG_DIR (fsync off)"
    else
        op_log "starting a private PostgreSQL cluster in $OP_PG_DIR (fsync off)"
        op_as_pg "$OP_PG_BIN/initdb" -D "$OP_PG_DIR/data" -U postgres -A trust -E UTF8 \
            --locale=C.UTF-8 --no-sync >"$OP_PG_DIR/initdb.log" 2>&1 \
            || { cat "$OP_PG_DIR/initdb.log" >&2; op_die "initdb failed"; }
    fi
    for attempt in 1 2 3; do
        port="$(op_free_port)"
        opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$OP_PG_DIR"
        opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        opts+=" ${OP_PG_OPTIONS:-}"
        if op_as_pg "$OP_PG_BIN/pg_ctl" -D "$OP_PG_DIR/data" -l "$OP_PG_DIR/server.log" -w -t 60 \
                -o "$opts" start >/dev/null; then
            OP_PG_PORT="$port"
            export TRYTOND_DATABASE_URI="postgresql://postgres@127.0.0.1:$port/"
            op_log "PostgreSQL $("$OP_PG_BIN/postgres" --version | awk '{print $3}') listening on 127.0.0.1:$port"
            return
        fi
    done
    cat "$OP_PG_DIR/server.log" >&2
    op_die "could not start PostgreSQL"
}

op_pg_stop() {
    [ -n "$OP_PG_DIR" ] || return 0
    op_as_pg "$OP_PG_BIN/pg_ctl" -D "$OP_PG_DIR/data" -m "${1:-immediate}" stop >/dev/null 2>&1 || true
}

op_pg_remove() {
    [ -n "$OP_PG_DIR" ] || return 0
    op_pg_stop
    rm -rf "$OP_PG_DIR"
    OP_PG_DIR=""
}
