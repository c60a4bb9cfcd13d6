#!/bin/sh
# `run` (the default) migrates the database first, then becomes the bot; any other
# command (`health`, `db backup PATH`, `db restore PATH`, `keys rotate` ...) runs as is.
set -e
if [ "${1:-run}" = "run" ]; then
    koordbot db upgrade >/dev/null
fi
exec koordbot "$@"
