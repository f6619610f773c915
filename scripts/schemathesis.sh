#!/usr/bin/env bash
# Run schemathesis against a live server: every API operation, a few dozen
# generated requests each, authenticated; fails on any 5xx or any response that
# breaks the schema. Uses a scratch SQLite database with the seed article in it.
#   bash scripts/schemathesis.sh [extra schemathesis options]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT=${SCHEMATHESIS_PORT:-8721}
scratch=$(mktemp -d)
export RIVALSCOPE_VAR_DIR=$scratch DJANGO_SETTINGS_MODULE=config.settings.local
export API_THROTTLE_USER=1000000/min CELERY_BROKER_URL=memory://
$PY manage.py migrate -v0
$PY manage.py ingest sample_data/xiaomi-us-market.txt --published 2018-07 --title "Xiaomi to enter US market next year" >/dev/null
DJANGO_SUPERUSER_PASSWORD=schemathesis-pw $PY manage.py createsuperuser --noinput --username fuzz --email fuzz@example.com
key=$($PY manage.py create_api_token fuzz schemathesis --quiet-key)
$PY manage.py runserver --noreload 127.0.0.1:$PORT >"$scratch/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$scratch"' EXIT
for _ in $(seq 1 30); do curl -fsS -o /dev/null -H "Authorization: Token $key" "http://127.0.0.1:$PORT/api/v1/schema/" && break; sleep 1; done
status=0
# From the scratch folder: schemathesis keeps its crash cache (.schemathesis/) in the
# working directory, which must not be the checkout.
st="$PWD/.venv/bin/st"
(cd "$scratch" && "$st" run "http://127.0.0.1:$PORT/api/v1/schema/" \
  --header "Authorization: Token $key" \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
  --phases "${SCHEMATHESIS_PHASES:-examples,fuzzing}" --max-examples "${SCHEMATHESIS_EXAMPLES:-30}" \
  --seed 1 --workers 2 --no-shrink \
  --request-timeout 30 "$@") || status=$?
if [ $status -ne 0 ]; then tail -50 "$scratch/server.log"; fi
exit $status
