#!/usr/bin/env bash
# Set up and run the portal with demo data on the embedded defaults (SQLite, no broker).
# Open http://127.0.0.1:8000/ — e-mails are written to var/mail/ instead of being sent.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

export PORTAL_ENV=${PORTAL_ENV:-development}
export EMAIL_FILE_PATH=${EMAIL_FILE_PATH:-$PWD/var/mail}
mkdir -p "$EMAIL_FILE_PATH"
.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python manage.py demo

# Periodic jobs (notification sweeps, digests, deadlines) run in a second process.
.venv/bin/python manage.py run_scheduler &
scheduler=$!
trap 'kill $scheduler 2>/dev/null || true' EXIT INT TERM
.venv/bin/python manage.py runserver "${PORT_BIND:-127.0.0.1:8000}"
