# syntax=docker/dockerfile:1
# Koordinatorbot: dependencies from the hashed lock file in a build stage, then a slim
# runtime image that runs as an unprivileged user. See README, "Running on Telegram".

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
COPY requirements.lock /tmp/requirements.lock
# --require-hashes: every package must match a hash in the lock file, or the build fails.
RUN python -m venv /opt/koordbot \
    && /opt/koordbot/bin/pip install --require-hashes --no-deps -r /tmp/requirements.lock

FROM ${PYTHON_IMAGE} AS runtime
# tzdata: local time for logs and reminders; postgresql-client: pg_dump/pg_restore for
# `koordbot db backup|restore` (its major version must be at least the server's).
# Debian's versions are not pinned: the security updates of the release are wanted.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends tzdata postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home koordbot \
    && install -d -o koordbot -g koordbot -m 0750 /data
COPY --from=build /opt/koordbot /opt/koordbot
WORKDIR /app
COPY koordbot ./koordbot
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY messages ./messages
COPY deploy/docker-entrypoint.sh /usr/local/bin/docker-entrypoint
RUN printf '#!/bin/sh\nexec /opt/koordbot/bin/python -m koordbot.cli "$@"\n' \
        > /usr/local/bin/koordbot \
    && chmod 0755 /usr/local/bin/koordbot /usr/local/bin/docker-entrypoint \
    && /opt/koordbot/bin/python -m compileall -q /app
ENV PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    TZ=Europe/Oslo \
    KOORDBOT_DATABASE_URL=sqlite+aiosqlite:////data/koordbot.sqlite3
# /data holds the SQLite file (if used) and the generated webhook secret.
WORKDIR /data
VOLUME ["/data"]
USER 10001:10001
EXPOSE 8443
HEALTHCHECK --interval=60s --timeout=20s --start-period=90s --retries=3 \
    CMD ["koordbot", "health"]
ENTRYPOINT ["docker-entrypoint"]
CMD ["run"]
