# shellcheck shell=bash
# OpenPrimărie: shared installation steps, sourced by scripts/demo, scripts/test and .ci/run.
#
#   source "$(dirname "$0")/lib/bootstrap.sh"
#   op_bootstrap            # idempotent: system packages, .venv, requirements, addons, sao
#                           # (and its corrections, scripts/lib/sao_fix.py)
#
# Every step checks first and only does work that is missing, so a second run takes seconds.
# Our addons are always reinstalled (they are not editable-installable, see
# docs of hatch-tryton), so code changes are picked up by every run.

set -euo pipefail

OP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OP_VENV="$OP_ROOT/.venv"
OP_PY="$OP_VENV/bin/python"
OP_PYTHON="${OP_PYTHON:-python3.11}"          # interpreter used to create .venv
OP_SAO_VERSION="8.0.11"
OP_SAO_DIR="$OP_ROOT/var/sao"
# axe-core: the accessibility engine the portal's browser tests inject (WCAG 2.1 AA audit)
OP_AXE_VERSION="4.14.1"
OP_AXE_DIR="$OP_ROOT/var/axe-core"
OP_PG_BIN="${OP_PG_BIN:-/usr/lib/postgresql/15/bin}"
OP_CHROMIUM="${OP_CHROMIUM:-/usr/bin/chromium}"
export OP_ROOT OP_VENV OP_PY OP_SAO_DIR OP_AXE_DIR OP_PG_BIN OP_CHROMIUM

op_log()  { printf '==> %s\n' "$*"; }
op_warn() { printf 'WARNING: %s\n' "$*" >&2; }
op_die()  { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# Run a command as root (directly, or through sudo for a developer's normal account).
op_as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        op_die "need root to run: $* (install it yourself or run as root)"
    fi
}

# Names of our Tryton modules: every addons/<name>/ that has a pyproject.toml, sorted.
op_addons() {
    local f
    for f in "$OP_ROOT"/addons/*/pyproject.toml; do
        [ -f "$f" ] || continue
        basename "$(dirname "$f")"
    done
}

op_install_system_packages() {
    local missing=()
    [ -x "$OP_PG_BIN/initdb" ] && [ -x "$OP_PG_BIN/pg_ctl" ] || missing+=(postgresql postgresql-15)
    command -v pg_dump >/dev/null 2>&1 || missing+=(postgresql-client)
    [ -x "$OP_CHROMIUM" ] || missing+=(chromium fonts-liberation)
    command -v node >/dev/null 2>&1 || missing+=(nodejs)
    command -v npm >/dev/null 2>&1 || missing+=(npm)
    command -v "$OP_PYTHON" >/dev/null 2>&1 || missing+=(python3.11 python3.11-venv)
    [ -f /etc/ssl/certs/ca-certificates.crt ] || missing+=(ca-certificates)
    # Reports (.fodt/.odt templates) are converted to PDF by LibreOffice; only
    # needed once a module ships a report template.
    if ! command -v soffice >/dev/null 2>&1 \
            && find "$OP_ROOT/addons" \( -name '*.fodt' -o -name '*.odt' \) -print -quit 2>/dev/null | grep -q .; then
        missing+=(libreoffice-writer-nogui fonts-liberation2)
    fi
    if [ ${#missing[@]} -eq 0 ]; then
        op_log "system packages present (postgresql 15, chromium, node $(node --version), npm $(npm --version))"
        return
    fi
    command -v apt-get >/dev/null 2>&1 || op_die "missing ${missing[*]} and no apt-get: install them by hand"
    op_log "installing system packages: ${missing[*]} (apt-get update + install)"
    op_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    op_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

op_create_venv() {
    if [ -x "$OP_PY" ] && "$OP_PY" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
        op_log "virtualenv .venv present ($("$OP_PY" --version))"
        return
    fi
    op_log "creating virtualenv .venv with $OP_PYTHON"
    rm -rf "$OP_VENV"
    if ! "$OP_PYTHON" -m venv "$OP_VENV"; then
        # Debian's own python3.11 needs the venv package
        op_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3.11-venv
        rm -rf "$OP_VENV"
        "$OP_PYTHON" -m venv "$OP_VENV"
    fi
    "$OP_PY" -m pip install -q --disable-pip-version-check --upgrade pip
}

op_install_requirements() {
    local stamp="$OP_VENV/.op-requirements.sha256" want
    want="$(sha256sum "$OP_ROOT/requirements.txt" | cut -d' ' -f1)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        op_log "python requirements up to date (requirements.txt unchanged)"
        return
    fi
    op_log "installing python requirements (pip install -r requirements.txt)"
    "$OP_PY" -m pip install -q --disable-pip-version-check -r "$OP_ROOT/requirements.txt"
    echo "$want" > "$stamp"
}

op_install_addons() {
    local names=() dirs=() n
    mapfile -t names < <(op_addons)
    if [ ${#names[@]} -eq 0 ]; then
        op_warn "no addons/*/pyproject.toml found: no OpenPrimărie module to install"
        return
    fi
    for n in "${names[@]}"; do dirs+=("$OP_ROOT/addons/$n"); done
    op_log "installing our Tryton modules: ${names[*]}"
    # Built with the venv's hatchling + hatch-tryton; --force-reinstall picks up every change.
    "$OP_PY" -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation \
        --force-reinstall "${dirs[@]}"
}

op_install_sao() {
    local stamp="$OP_SAO_DIR/.op-sao-version" tmp
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$OP_SAO_VERSION" ] && [ -f "$OP_SAO_DIR/index.html" ]; then
        op_log "web client sao $OP_SAO_VERSION present in var/sao"
        return
    fi
    op_log "installing web client tryton-sao@$OP_SAO_VERSION into var/sao (npm pack + npm install)"
    mkdir -p "$OP_ROOT/var"
    rm -rf "$OP_ROOT"/var/.sao-build.*
    tmp="$(mktemp -d "$OP_ROOT/var/.sao-build.XXXXXX")"
    # The npm package is not usable as a web root when installed as a dependency (npm hoists
    # its node_modules): unpack it and install its own dependencies inside it.
    (
        cd "$tmp"
        npm pack --silent "tryton-sao@$OP_SAO_VERSION" >/dev/null
        tar xzf "tryton-sao-$OP_SAO_VERSION.tgz"
        cd package
        npm install --omit=dev --legacy-peer-deps --no-audit --no-fund --loglevel=error
    )
    echo "$OP_SAO_VERSION" > "$tmp/package/.op-sao-version"
    rm -rf "$OP_SAO_DIR"
    mv "$tmp/package" "$OP_SAO_DIR"
    rm -rf "$tmp"
}

# sao's Romanian catalogue and its second tab on double-click, corrected in var/sao (every run:
# quick, and a changed correction reaches a sao installed earlier).
op_fix_sao() {
    "$OP_PY" "$OP_ROOT/scripts/lib/sao_fix.py" "$OP_SAO_DIR" | sed 's/^/==> /'
}

op_install_axe() {
    local stamp="$OP_AXE_DIR/.op-axe-version" tmp
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$OP_AXE_VERSION" ] && [ -f "$OP_AXE_DIR/axe.min.js" ]; then
        op_log "axe-core $OP_AXE_VERSION present in var/axe-core"
        return
    fi
    op_log "installing axe-core@$OP_AXE_VERSION into var/axe-core (npm pack)"
    mkdir -p "$OP_ROOT/var"
    rm -rf "$OP_ROOT"/var/.axe-build.*
    tmp="$(mktemp -d "$OP_ROOT/var/.axe-build.XXXXXX")"
    # a single script without dependencies: the package unpacked is enough
    (
        cd "$tmp"
        npm pack --silent "axe-core@$OP_AXE_VERSION" >/dev/null
        tar xzf "axe-core-$OP_AXE_VERSION.tgz"
    )
    [ -f "$tmp/package/axe.min.js" ] || op_die "axe-core@$OP_AXE_VERSION has no axe.min.js"
    echo "$OP_AXE_VERSION" > "$tmp/package/.op-axe-version"
    rm -rf "$OP_AXE_DIR"
    mv "$tmp/package" "$OP_AXE_DIR"
    rm -rf "$tmp"
}

op_bootstrap() {
    local start=$SECONDS
    op_log "bootstrap: $OP_ROOT"
    op_install_system_packages
    op_create_venv
    op_install_requirements
    op_install_addons
    op_install_sao
    op_fix_sao
    op_install_axe
    export VIRTUAL_ENV="$OP_VENV"
    export PATH="$OP_VENV/bin:$PATH"
    op_log "bootstrap done in $((SECONDS - start)) s"
}

# A free TCP port on 127.0.0.1 (tiny race window between probe and use; fine for tests).
op_free_port() {
    "$OP_PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
