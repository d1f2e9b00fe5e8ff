"""The per-key throttle holds across gunicorn workers on the embedded default (the database bucket).

The Redis-backed bucket has the same story in tests/integration/test_throttle_redis.py.
"""

from __future__ import annotations

import sqlite3

from tests.web_processes import burst_of_calls, embedded_env, gunicorn, manage, migrate_embedded

RATE, BURST, WORKERS = 0.5, 4, 4  # a slow refill: throttling shows even when a loaded machine answers slowly


def allowed_at_most(seconds: float) -> float:
    """What one shared bucket lets through in `seconds`: the burst, the refill, one request in flight."""
    return BURST + RATE * seconds + 1


def test_four_gunicorn_workers_on_sqlite_share_one_bucket_per_key(tmp_path):
    env = embedded_env(
        tmp_path,
        HITL_THROTTLE_RATE=str(RATE),
        HITL_THROTTLE_BURST=str(BURST),
        HITL_LOG_LEVEL="ERROR",
        HITL_ACCESS_LOG_LEVEL="ERROR",
    )
    migrate_embedded(env)
    lines = manage(env, "create_access_key", "api", "--create-user").splitlines()
    key_id, secret = (line.split(" = ", 1)[1] for line in lines)

    with gunicorn(env, tmp_path, workers=WORKERS) as server:
        burst = burst_of_calls(server.url, key_id, secret, threads=8, seconds=3.0)
        answered_by = server.pids_that_answered()

    assert burst.other == {}, burst.other
    assert len(answered_by) >= 3, f"the calls should spread over the workers: {answered_by}"
    # One bucket for the key, whichever worker answers (per-process buckets would let ~4x through).
    assert BURST <= burst.allowed <= allowed_at_most(burst.seconds), burst
    assert burst.throttled > burst.allowed
    with sqlite3.connect(tmp_path / "hitl.sqlite3") as db:
        assert db.execute("SELECT key FROM coordination_throttlebucket").fetchall() == [(f"hitl:throttle:{key_id}",)]
