"""The per-key throttle holds across gunicorn workers with Redis configured (the full stack's bucket)."""

from __future__ import annotations

import subprocess

import pytest
from django.conf import settings

from hitl.kernel.coordination.models import ThrottleBucket
from tests import factories as f
from tests.integration.conftest import web_env
from tests.web_processes import burst_of_calls, gunicorn
from workforce import access_keys

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

RATE, BURST, WORKERS = 0.5, 4, 4  # a slow refill: throttling shows even when a loaded machine answers slowly


def test_four_gunicorn_workers_with_redis_share_one_bucket_per_key(_backing_services, django_db_setup, tmp_path):
    new_key = access_keys.create_access_key(f.account())
    key_id = new_key.access_key.access_key_id
    env = web_env(HITL_THROTTLE_RATE=str(RATE), HITL_THROTTLE_BURST=str(BURST))
    assert env["CELERY_BROKER_URL"].startswith("redis://")

    with gunicorn(env, tmp_path, workers=WORKERS) as server:
        burst = burst_of_calls(server.url, key_id, new_key.secret_access_key, threads=8, seconds=3.0)
        answered_by = server.pids_that_answered()

    assert burst.other == {}, burst.other
    assert len(answered_by) >= 3, f"the calls should spread over the workers: {answered_by}"
    fallbacks = list(ThrottleBucket.objects.values_list("key", "tokens"))  # Redis too slow: the database took over
    assert BURST <= burst.allowed <= BURST + RATE * burst.seconds + 1, (burst, fallbacks)
    assert burst.throttled > burst.allowed
    # The bucket is in Redis, not in the database.
    port = settings.CELERY_BROKER_URL.rsplit(":", 1)[1].split("/")[0]
    tokens = subprocess.run(
        ["redis-cli", "-p", port, "HGET", f"hitl:throttle:{key_id}", "tokens"], capture_output=True, text=True
    ).stdout.strip()
    assert float(tokens) < 1
    assert fallbacks == []
