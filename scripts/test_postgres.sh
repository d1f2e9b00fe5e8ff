#!/usr/bin/env bash
# Run the suite against a real PostgreSQL (started here, on 127.0.0.1), then
# the integration tests (which start Redis, the S3 server and Celery
# processes themselves) and the browser tests (headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/services.sh start pg
trap 'scripts/services.sh stop all >/dev/null 2>&1 || true' EXIT
eval "$(scripts/services.sh env pg)"
export DATABASE_URL

echo "== unit, protocol and portal tests on PostgreSQL"
.venv/bin/pytest -q -m "not integration and not browser"
echo "== integration tests (PostgreSQL, Redis, Celery worker and beat, S3 server)"
(eval "$(scripts/services.sh env)"; .venv/bin/pytest -q -m integration)
echo "== browser tests (headless Chromium)"
.venv/bin/pytest -q -m browser
