#!/usr/bin/env bash
# OpenPrimărie container entrypoint: one image, one role per container.
#
#   web        gunicorn on trytond.application:app, port 8000 (JSON-RPC, REST, sao)   [default]
#   portal     gunicorn on the citizen portal (citizen_portal.portal:create_app()), port 8001
#   cron       trytond-cron (run exactly one)
#   worker     trytond-worker (ir.queue tasks; run as many as you like)
#   init       create or update the database: extensions, trytond-admin --all, our modules, ro
#   admin ...  trytond-admin -d $TRYTOND_DATABASE_NAME ...   (e.g. admin -p to reset admin's password)
#   console    trytond-console -d $TRYTOND_DATABASE_NAME
#   anything else is executed as is.
#
# Environment (see docker-compose.yml):
#   TRYTOND_DATABASE__URI      postgresql://user@host:5432/  (no password, no database name)
#   TRYTOND_DATABASE_NAME      database name (default openprimarie)
#   PGPASSWORD / PGPASSWORD_FILE                 database password (read by libpq)
#   TRYTON_ADMIN_PASSWORD / TRYTON_ADMIN_PASSWORD_FILE   admin password, used only by the
#                              "init" that creates the database
#   TRYTON_ADMIN_EMAIL         optional; trytond checks it is deliverable (needs DNS)
#   GUNICORN_WORKERS (2), GUNICORN_THREADS (4), GUNICORN_TIMEOUT (120), TRYTOND_WORKER_PROCESSES (1)
#   portal: OPENPRIMARIE_SECRET_KEY_FILE (required), OPENPRIMARIE_PORTAL_URL (public https URL),
#           OPENPRIMARIE_COMPANY (when several municipalities share the database),
#           OPENPRIMARIE_PROXIES (reverse proxies in front, default 1), PORTAL_WORKERS (2),
#           PORTAL_THREADS (8)
set -euo pipefail

export TRYTOND_DATABASE_NAME="${TRYTOND_DATABASE_NAME:-openprimarie}"
export TRYTOND_DATABASE_NAMES="${TRYTOND_DATABASE_NAMES:-$TRYTOND_DATABASE_NAME}"
db="$TRYTOND_DATABASE_NAME"

# Docker secrets: VAR_FILE=/run/secrets/x sets VAR from the file's first line.
for var in PGPASSWORD TRYTON_ADMIN_PASSWORD; do
    file_var="${var}_FILE"
    if [ -n "${!file_var:-}" ]; then
        IFS= read -r value < "${!file_var}" || true
        export "$var=$value"
        unset "$file_var"
    fi
done

# Wait until PostgreSQL accepts connections to the database; print "new" or "initialized".
# With --extensions, also create the extensions trytond uses for trigram/unaccent indexes.
database_state() {
    python - "$@" <<'EOF'
import os, sys, time, urllib.parse
import psycopg
from trytond import config

name = os.environ['TRYTOND_DATABASE_NAME']
uri = config.get('database', 'uri')
if not uri.startswith('postgresql'):
    sys.exit(f"TRYTOND_DATABASE__URI must be a postgresql:// URI, not {uri!r}")
conninfo = urllib.parse.urlsplit(uri)._replace(path='/' + name).geturl()
for attempt in range(90):
    try:
        conn = psycopg.connect(conninfo, autocommit=True, connect_timeout=5)
        break
    except psycopg.OperationalError as error:
        print(f"waiting for PostgreSQL ({error})".strip(), file=sys.stderr)
        time.sleep(2)
else:
    sys.exit("PostgreSQL is not reachable")
with conn:
    if '--extensions' in sys.argv:
        for extension in ('pg_trgm', 'unaccent', 'btree_gin'):
            conn.execute(f'CREATE EXTENSION IF NOT EXISTS {extension}')
    found, = conn.execute("SELECT to_regclass('ir_module') IS NOT NULL").fetchone()
print('initialized' if found else 'new')
EOF
}

cmd_init() {
    local state modules=() args passfile=""
    state="$(database_state --extensions)"
    mapfile -t modules < "${OPENPRIMARIE_MODULES_FILE:-/opt/openprimarie/modules.txt}"
    args=(-d "$db" --all -l ro)
    [ ${#modules[@]} -eq 0 ] || args+=(-u "${modules[@]}" --activate-dependencies)
    [ -z "${TRYTON_ADMIN_EMAIL:-}" ] || args+=(--email "$TRYTON_ADMIN_EMAIL")
    if [ "$state" = new ]; then
        [ -n "${TRYTON_ADMIN_PASSWORD:-}" ] \
            || { echo "init: the database '$db' is new: set TRYTON_ADMIN_PASSWORD(_FILE)" >&2; exit 1; }
        passfile="$(mktemp)"
        trap "rm -f '$passfile'" EXIT
        printf '%s\n' "$TRYTON_ADMIN_PASSWORD" > "$passfile"
        echo "init: creating database '$db' with modules: ${modules[*]:-none}"
    else
        echo "init: updating database '$db' (all activated modules; activating: ${modules[*]:-none})"
    fi
    # the empty line answers trytond-admin's "admin email" prompt when no email is given
    printf '\n' | TRYTONPASSFILE="$passfile" trytond-admin "${args[@]}"
    echo    # after the prompt
    echo "init: done"
}

# the access log without query strings nor Referer (%(U)s is the path alone): links carry tokens
# and verification codes, and a log is read by many
ACCESS_LOG_FORMAT='%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'

role="${1:-web}"
[ $# -eq 0 ] || shift
case "$role" in
    web)
        database_state >/dev/null
        exec gunicorn --bind 0.0.0.0:8000 \
            --workers "${GUNICORN_WORKERS:-2}" --threads "${GUNICORN_THREADS:-4}" \
            --timeout "${GUNICORN_TIMEOUT:-120}" --graceful-timeout 30 \
            --max-requests 2000 --max-requests-jitter 200 \
            --access-logfile - --access-logformat "$ACCESS_LOG_FORMAT" \
            "$@" 'trytond.application:app'
        ;;
    portal)
        database_state >/dev/null
        export OPENPRIMARIE_DATABASE="${OPENPRIMARIE_DATABASE:-$db}"
        export OPENPRIMARIE_PROXIES="${OPENPRIMARIE_PROXIES:-1}"
        exec gunicorn --bind 0.0.0.0:8001 \
            --workers "${PORTAL_WORKERS:-2}" --threads "${PORTAL_THREADS:-8}" \
            --timeout "${GUNICORN_TIMEOUT:-120}" --graceful-timeout 30 \
            --access-logfile - --access-logformat "$ACCESS_LOG_FORMAT" \
            "$@" 'trytond.modules.citizen_portal.portal:create_app()'
        ;;
    cron)
        database_state >/dev/null
        exec trytond-cron -d "$db" "$@"
        ;;
    worker)
        database_state >/dev/null
        exec trytond-worker -d "$db" -n "${TRYTOND_WORKER_PROCESSES:-1}" "$@"
        ;;
    init) cmd_init ;;
    admin) exec trytond-admin -d "$db" "$@" ;;
    console) exec trytond-console -d "$db" "$@" ;;
    *) exec "$role" "$@" ;;
esac
