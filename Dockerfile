# OpenPrimărie — production image: trytond 8.0 + our modules + sao, served by gunicorn.
# One image for every role; the command picks it (see docker/entrypoint.sh):
#   web (default) | cron | worker | init | admin ARGS... | console
#
#   docker build -t openprimarie .
#   docker compose up -d            (see docker-compose.yml and docs/deployment.md)

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- sao (web client): unpacked npm package with its own node_modules (npm hoists it otherwise) ----
FROM node:20-bookworm-slim AS sao
ARG SAO_VERSION=8.0.11
WORKDIR /build
RUN npm pack "tryton-sao@${SAO_VERSION}" \
    && tar xzf "tryton-sao-${SAO_VERSION}.tgz" \
    && mv package /sao \
    && cd /sao \
    && npm install --omit=dev --legacy-peer-deps --no-audit --no-fund \
    && rm -rf /sao/tests /root/.npm

# ---- Python: pinned requirements + our modules in a venv ---------------------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/openprimarie
ENV PATH=/opt/openprimarie/bin:$PATH
COPY requirements.txt docker/requirements-server.txt /tmp/
# playwright (and greenlet, its only user) drive the browser tests: not needed in production
RUN grep -vE '^(playwright|greenlet)==' /tmp/requirements.txt > /tmp/requirements-prod.txt \
    && pip install -r /tmp/requirements-prod.txt -r /tmp/requirements-server.txt
COPY addons /src/addons
# local_tax ships the Code tables of data/local_tax/ (its build hook reads them there)
COPY data/local_tax /src/data/local_tax
# every addons/<name>/ with a pyproject.toml becomes trytond.modules.<name>
RUN set -e; : > /opt/openprimarie/modules.txt; \
    for project in /src/addons/*/pyproject.toml; do \
        [ -f "$project" ] || continue; \
        dir="$(dirname "$project")"; \
        pip install --no-deps --no-build-isolation "$dir"; \
        basename "$dir" >> /opt/openprimarie/modules.txt; \
    done; \
    echo "modules: $(tr '\n' ' ' < /opt/openprimarie/modules.txt)"

# ---- runtime ----------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}
# libpq5: psycopg 3; LibreOffice (no GUI) + fonts: report conversion to PDF
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpq5 libreoffice-writer-nogui fonts-liberation2 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /var/lib/trytond --shell /usr/sbin/nologin trytond \
    && install -d -o trytond -g trytond -m 0750 /var/lib/trytond
COPY --from=build /opt/openprimarie /opt/openprimarie
COPY --from=sao /sao /opt/sao
# sao's Romanian catalogue and its second tab on double-click (scripts/lib/sao_fix.py)
COPY scripts/lib/sao_fix.py /tmp/sao_fix.py
RUN python /tmp/sao_fix.py /opt/sao && rm /tmp/sao_fix.py
COPY config/trytond.conf /etc/trytond/trytond.conf
COPY --chmod=0755 docker/entrypoint.sh /usr/local/bin/openprimarie-entrypoint
ENV PATH=/opt/openprimarie/bin:$PATH \
    TRYTOND_CONFIG=/etc/trytond/trytond.conf \
    TRYTOND_LOGGING_LEVEL=20 \
    PYTHONUNBUFFERED=1 \
    HOME=/var/lib/trytond
USER trytond
WORKDIR /var/lib/trytond
VOLUME ["/var/lib/trytond"]
EXPOSE 8000
ENTRYPOINT ["openprimarie-entrypoint"]
CMD ["web"]
