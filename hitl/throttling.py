"""Per-access-key request throttling: a token bucket kept in the Django cache.

HITL_THROTTLE_RATE tokens per second refill a bucket of HITL_THROTTLE_BURST;
each API call takes one. 0 turns throttling off (the default, so benchmarks
are never throttled). With the default per-process cache each gunicorn worker
keeps its own buckets; configure a shared cache (Redis) for an exact limit.
The read-modify-write is not atomic, so concurrent calls may overshoot the
limit slightly; it protects against floods, not single extra calls.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from hitl.errors import Throttled


def check_rate(access_key_id: str) -> None:
    """Take one token from the key's bucket; raise Throttled when it is empty."""
    rate = float(settings.HITL_THROTTLE_RATE)
    if rate <= 0:
        return
    burst = float(settings.HITL_THROTTLE_BURST or rate)
    key = f"hitl:throttle:{access_key_id}"
    now = time.time()  # wall clock: a shared cache is read by several processes
    tokens, last = cache.get(key) or (burst, now)
    tokens = min(burst, tokens + (now - last) * rate)
    if tokens < 1:
        cache.set(key, (tokens, now), timeout=int(burst / rate) + 60)
        raise Throttled(f"Rate exceeded for access key {access_key_id}: at most {rate:g} requests per second.")
    cache.set(key, (tokens - 1, now), timeout=int(burst / rate) + 60)
