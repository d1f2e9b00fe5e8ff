"""Per-access-key request throttling: one token bucket per key, shared by every process.

HITL_THROTTLE_RATE tokens per second refill a bucket of HITL_THROTTLE_BURST;
each API call takes one. 0 turns throttling off (the default, so benchmarks
are never throttled). The bucket lives where every web process sees it, and
each take is one atomic step, so N gunicorn workers allow the configured rate,
not N times it:

* **Redis** when HITL_THROTTLE_REDIS_URL is set (by default the broker's URL,
  if it is a redis:// one): a Lua script refills and takes in one call.
* **The database** otherwise (the embedded default): one conditional UPDATE
  of the key's `ThrottleBucket` row refills and takes only if a token is left.

If Redis does not answer (down, restarting) the database bucket takes over
for REDIS_RETRY_SECONDS before Redis is tried again, so API calls neither fail
nor wait on a dead socket, and the limit still holds.
"""

from __future__ import annotations

import logging
import threading
import time
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest, Least

from hitl.kernel.coordination.models import ThrottleBucket
from hitl.kernel.errors import Throttled

logger = logging.getLogger(__name__)

# Long enough for a loaded host; a Redis that does not answer in time hands over to the database bucket.
REDIS_TIMEOUT_SECONDS = 1.0
REDIS_RETRY_SECONDS = 5.0

# KEYS[1] = bucket; ARGV = rate, burst, now (seconds), ttl. Returns 1 if a token was taken, else 0.
_TAKE_SCRIPT = """
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local rate, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tokens = tonumber(bucket[1]) or burst
local updated = tonumber(bucket[2]) or now
-- A caller whose clock read is older than the last update refills nothing and leaves `updated` as is:
-- moving it back would let the next caller count that stretch of time twice.
tokens = math.min(burst, tokens + math.max(0, now - updated) * rate)
updated = math.max(updated, now)
local taken = 0
if tokens >= 1 then
  tokens = tokens - 1
  taken = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(updated))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return taken
"""

_redis_down_until = 0.0
_redis_lock = threading.Lock()


def enabled() -> bool:
    """Whether calls are rate limited at all (HITL_THROTTLE_RATE > 0): check_rate then reads Redis or the database."""
    return float(settings.HITL_THROTTLE_RATE) > 0


def check_rate(access_key_id: str) -> None:
    """Take one token from the key's bucket; raise Throttled when it is empty."""
    if not enabled():
        return
    rate = float(settings.HITL_THROTTLE_RATE)
    burst = max(1.0, float(settings.HITL_THROTTLE_BURST or rate))
    key = f"hitl:throttle:{access_key_id}"
    if not take_token(key, rate=rate, burst=burst):
        raise Throttled(f"Rate exceeded for access key {access_key_id}: at most {rate:g} requests per second.")


def take_token(key: str, *, rate: float, burst: float) -> bool:
    """Take one token from bucket `key` (Redis if configured and answering, else the database)."""
    now = wall_clock()
    url = redis_url()
    if url and time.monotonic() >= _redis_down_until:
        try:
            return _take_in_redis(url, key, rate=rate, burst=burst, now=now)
        except Exception:  # redis.RedisError, OSError: fall back, do not fail the API call
            _mark_redis_down()
    return _take_in_database(key, rate=rate, burst=burst, now=now)


def wall_clock() -> float:
    """Seconds since the epoch: the one clock every process on the host shares (monotonic clocks are not)."""
    return time.time()


def redis_url() -> str:
    return settings.HITL_THROTTLE_REDIS_URL


def _take_in_redis(url: str, key: str, *, rate: float, burst: float, now: float) -> bool:
    ttl = int(burst / rate) + 60
    return bool(_redis_script(url)(keys=[key], args=[rate, burst, now, ttl]))


@lru_cache(maxsize=4)
def _redis_script(url: str) -> Any:
    import redis

    client = redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )
    return client.register_script(_TAKE_SCRIPT)


def _mark_redis_down() -> None:
    global _redis_down_until
    with _redis_lock:
        if time.monotonic() >= _redis_down_until:
            logger.warning("throttling: Redis did not answer; using the database bucket", exc_info=True)
        _redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS


def _take_in_database(key: str, *, rate: float, burst: float, now: float) -> bool:
    # One statement refills and takes, and only when a token is left: concurrent takes serialize on the
    # row (PostgreSQL re-checks the WHERE on the row it waited for; SQLite has one writer at a time).
    refill = Greatest(Value(0.0), Value(now) - F("updated_at")) * Value(rate)
    for _ in range(2):
        taken = ThrottleBucket.objects.filter(key=key, tokens__gte=Value(1.0) - refill).update(
            # Never back in time: a late caller's older clock read must not make time count twice.
            tokens=Least(Value(burst), F("tokens") + refill) - Value(1.0),
            updated_at=Greatest(F("updated_at"), Value(now)),
        )
        if taken:
            return True
        if ThrottleBucket.objects.filter(key=key).exists():
            return False
        try:
            with transaction.atomic():
                ThrottleBucket.objects.create(key=key, tokens=burst - 1, updated_at=now)
            return True
        except IntegrityError:  # another process created it: take from it
            continue
    return False
