# OpenPrimărie — the generated databases of the benchmarks (scripts/bench/*).
# Sourced after lib/bootstrap.sh and lib/postgresql.sh, with TRYTOND_DATABASE_URI set.
#
#   op_sql DATABASE STATEMENT      run one statement in autocommit, print the first column
#   op_drop_db DATABASE
#   op_generated_db TEMPLATE CONF PERSONS SEED MODULE KEEP OWN_CLUSTER WORK
#       create TEMPLATE (trytond-admin --all, MODULE with its dependencies, scripts/generate
#       --persons PERSONS --seed SEED, the 2026 Code table and council decision), or reuse it
#       when KEEP is set and it is already there (a template database); sets OP_BENCH_DROP to
#       the database to drop at exit when the server is not ours and nothing is kept.

op_sql() {
    "$OP_PY" - "$1" "$2" <<'EOF_SQL'
import os, sys, urllib.parse, psycopg
parts = urllib.parse.urlsplit(os.environ['TRYTOND_DATABASE_URI'])
with psycopg.connect(parts._replace(path='/' + sys.argv[1]).geturl(), autocommit=True) as conn:
    cursor = conn.execute(sys.argv[2])
    if cursor.description:
        for row in cursor:
            print(row[0])
EOF_SQL
}
op_drop_db() { op_sql postgres "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null; }

op_generated_db() {
    local template=$1 conf=$2 persons=$3 seed=$4 module=$5 keep=$6 own_cluster=$7 work=$8
    local ready="" step extension
    OP_BENCH_DROP=""
    if [ -n "$keep" ]; then
        ready="$(op_sql postgres "SELECT 1 FROM pg_database WHERE datname = '$template' AND datistemplate")"
    elif [ "$own_cluster" -eq 0 ]; then
        OP_BENCH_DROP="$template"      # leave nothing behind on a server we do not own
    fi
    if [ -n "$ready" ]; then
        op_log "reusing the generated database $template kept in $keep"
        # idempotent: brings a database kept by an older version of the benchmark up to date
        "$OP_PY" "$OP_ROOT/scripts/bench/assessment.py" prepare -c "$conf" -d "$template"
        return
    fi
    step=$SECONDS
    op_drop_db "$template"
    op_log "creating the database $template (trytond-admin --all, then $module)"
    op_sql postgres "CREATE DATABASE \"$template\" TEMPLATE template0 ENCODING 'UTF8'" >/dev/null
    for extension in pg_trgm unaccent btree_gin; do
        op_sql "$template" "CREATE EXTENSION IF NOT EXISTS $extension" >/dev/null
    done
    head -c 15 /dev/urandom | base64 > "$work/admin-password"
    printf '\n' | TRYTONPASSFILE="$work/admin-password" \
        "$OP_VENV/bin/trytond-admin" -c "$conf" -d "$template" --all >"$work/admin.log" 2>&1 \
        || { cat "$work/admin.log" >&2; op_die "trytond-admin --all failed"; }
    "$OP_VENV/bin/trytond-admin" -c "$conf" -d "$template" -u "$module" --activate-dependencies \
        >>"$work/admin.log" 2>&1 || { cat "$work/admin.log" >&2; op_die "trytond-admin -u failed"; }
    op_log "  done in $((SECONDS - step)) s"
    step=$SECONDS
    op_log "generating $persons persons: scripts/generate --persons $persons --seed $seed"
    "$OP_ROOT/scripts/generate" --config "$conf" --database "$template" --persons "$persons" \
        --seed "$seed" --no-progress
    op_log "  done in $((SECONDS - step)) s"
    "$OP_PY" "$OP_ROOT/scripts/bench/assessment.py" prepare -c "$conf" -d "$template"
    op_sql "$template" "VACUUM ANALYZE" >/dev/null
    [ -z "$keep" ] || op_sql postgres "ALTER DATABASE \"$template\" IS_TEMPLATE true" >/dev/null
}
