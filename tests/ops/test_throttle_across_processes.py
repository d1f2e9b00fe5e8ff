"""The per-key throttle holds across gunicorn workers on the embedded default (the database bucket).

The Redis-backed bucket has the same story in tests/integration/test_throttle_redis.py.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

from tests.web_processes import ROOT, burst_of_calls, gunicorn

RATE, BURST, WORKERS = 2.0, 4, 4


def allowed_at_most(seconds: float) -> float:
    """What one shared bucket lets through in `seconds`: the burst, the refill, one request in flight."""
    return BURST + RATE * seconds + 1


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def test_four_gunicorn_workers_on_sqlite_share_one_bucket_per_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CELERY_", "HITL_"))}
    database = tmp_path / "hitl.sqlite3"
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        HITL_VAR_DIR=str(tmp_path),
        HITL_THROTTLE_RATE=str(RATE),
        HITL_THROTTLE_BURST=str(BURST),
        HITL_LOG_LEVEL="ERROR",
        HITL_ACCESS_LOG_LEVEL="ERROR",
    )
    _manage(env, "migrate", "--noinput", "-v", "0", "--skip-checks")
    lines = _manage(env, "create_access_key", "api", "--create-user").splitlines()
    key_id, secret = (line.split(" = ", 1)[1] for line in lines)

    with gunicorn(env, tmp_path, workers=WORKERS) as server:
        burst = burst_of_calls(server.url, key_id, secret, threads=8, seconds=3.0)
        answered_by = server.pids_that_answered()

    assert burst.other == {}, burst.other
    assert len(answered_by) >= 3, f"the calls should spread over the workers: {answered_by}"
    # One bucket for the key, whichever worker answers (per-process buckets would let ~4x through).
    assert BURST <= burst.allowed <= allowed_at_most(burst.seconds), burst
    assert burst.throttled > burst.allowed
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT key FROM coordination_throttlebucket").fetchall() == [(f"hitl:throttle:{key_id}",)]
