#!/usr/bin/env bash
# The production smoke test: production settings, gunicorn, two Celery workers and beat
# on RabbitMQ and PostgreSQL, a feed polled, an alert mailed and posted, a killed worker
# seen by /health/ready/ (scripts/production_smoke.py says what exactly). CI runs it.
#
# Needs PostgreSQL (127.0.0.1:5432, user postgres) and RabbitMQ (127.0.0.1:5672, guest,
# rabbitmqctl) running, and the dev requirements in .venv (bash scripts/test.sh --version).
# Everything it makes (scratch folder, database, RabbitMQ virtual host, processes) is
# removed when it ends, also on failure, Ctrl-C or SIGTERM: exec hands the signals to
# the Python script, whose clean-up runs on the way out.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/production_smoke.py "$@"
