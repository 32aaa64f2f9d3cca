#!/usr/bin/env bash
# Set up and run the whole test suite. Uses the local PostgreSQL (127.0.0.1:5432) when it answers,
# so that the concurrency and real-worker tests run; otherwise SQLite, and those tests are skipped.
# Extra arguments go to pytest, e.g. ./scripts/test.sh -k notifications
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

if [ -z "${DATABASE_URL:-}" ]; then
  candidate=postgres://postgres@127.0.0.1:5432/portal
  if .venv/bin/python - "$candidate" <<'PY' 2>/dev/null; then
import sys, psycopg
psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", connect_timeout=2).close()
PY
    export DATABASE_URL=$candidate
  fi
fi
echo "==> tests on ${DATABASE_URL:-SQLite (no PostgreSQL found: concurrency and worker tests will be skipped)}"
exec .venv/bin/pytest "$@"
