"""Wake waiters when a loop finishes or a status event is stored, with one query per tick per process.

Thousands of agents may wait at once; each holds only an asyncio future in the
ASGI process (no thread, no database connection). One daemon thread per process,
the watcher, reads every HITL_WAIT_POLL_MS milliseconds:

* the ids of the watched loops that are decided: no longer open, or with their
  last answer committed (its output outbox row exists; output.json is written
  after it by Celery). Two primary-key `IN` queries over all waiters, and
* the newest status event id (one index-only read), when an event stream is open.

and resolves the futures of those that changed, on each future's own event loop.
A polled indexed read was chosen over PostgreSQL LISTEN/NOTIFY or Redis pub/sub:
it works the same on SQLite and behind PgBouncer in transaction mode (which
breaks LISTEN), needs no trigger in the submit path, and costs one small query
per tick whatever the number of waiters. The price is up to one tick of latency.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import OperationalError, close_old_connections, connection

from flows.models import HumanLoop, OutputOutbox, StatusEvent

logger = logging.getLogger(__name__)

SQLITE_LOCK_RETRIES = 5


class Watcher:
    """The per-process registry of waiting futures and the thread that resolves them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loops: dict[int, set[asyncio.Future]] = defaultdict(set)
        self._events: set[tuple[asyncio.Future, int]] = set()
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()

    async def wait_for_loop(self, loop_id: int, timeout: float) -> bool:
        """Wait up to `timeout` seconds for loop `loop_id` to leave InProgress/Stopping; True if it did."""

        def remove(future: asyncio.Future) -> None:
            waiters = self._loops.get(loop_id)
            if waiters is not None:
                waiters.discard(future)
                if not waiters:
                    del self._loops[loop_id]

        return await self._wait(lambda future: self._loops[loop_id].add(future), remove, timeout)

    async def wait_for_event_after(self, event_id: int, timeout: float) -> bool:
        """Wait up to `timeout` seconds for a status event newer than `event_id` (any account's)."""
        return await self._wait(
            lambda future: self._events.add((future, event_id)),
            lambda future: self._events.discard((future, event_id)),
            timeout,
        )

    async def _wait(self, add: Callable, remove: Callable, timeout: float) -> bool:
        """Register a future with `add` (under the lock), wait for the watcher to resolve it, `remove` it."""
        future = asyncio.get_running_loop().create_future()
        with self._lock:
            add(future)
        self._ensure_thread()
        try:
            await asyncio.wait_for(future, timeout)
            return True
        except TimeoutError:
            return False
        finally:
            with self._lock:
                remove(future)

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._run, name="hitl-watcher", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        interval = max(settings.HITL_WAIT_POLL_MS, 5) / 1000
        while True:
            with self._lock:
                loop_ids = list(self._loops)
                newest_needed = min((after for _, after in self._events), default=None)
            if not loop_ids and newest_needed is None:
                connection.close()  # idle: hold no database session
                self._wake.wait(interval)
                continue
            try:
                self._tick(loop_ids, newest_needed)
            except Exception:
                # A dropped connection or a restarting database: log, reconnect next tick, keep waiters.
                logger.exception("watcher tick failed")
                connection.close()
            finally:
                close_old_connections()
            self._wake.wait(interval)

    def _tick(self, loop_ids: list[int], newest_needed: int | None) -> None:
        finished: list[int] = []
        for start in range(0, len(loop_ids), 1000):
            chunk = loop_ids[start : start + 1000]
            finished += (
                HumanLoop.objects.filter(id__in=chunk).exclude(status__in=HumanLoop.OPEN).values_list("id", flat=True)
            )
            # Decided: the last answer committed with its outbox row; output.json follows (Celery).
            finished += OutputOutbox.objects.filter(
                human_loop_id__in=chunk, final_status=HumanLoop.Status.COMPLETED
            ).values_list("human_loop_id", flat=True)
        newest = None
        if newest_needed is not None:
            newest = StatusEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        with self._lock:
            done = [future for loop_id in finished for future in self._loops.get(loop_id, ())]
            if newest is not None:
                done += [future for future, after in self._events if newest > after]
        for future in done:
            try:
                future.get_loop().call_soon_threadsafe(_resolve, future)
            except RuntimeError:  # its event loop already closed: the request is gone
                pass


def in_thread(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run `func` (database work) in a worker thread, not Django's one sync thread.

    Waiters must not queue behind each other (thread_sensitive=False). Each worker
    thread keeps its connection as a request would: closed once past CONN_MAX_AGE.
    """

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        for attempt in range(SQLITE_LOCK_RETRIES + 1):
            try:
                return func(*args, **kwargs)
            except OperationalError as exc:
                # SQLite (the embedded default) refuses a read that meets a writer's table lock at once;
                # these calls are reads or idempotent starts, so try again shortly.
                if connection.vendor != "sqlite" or "locked" not in str(exc) or attempt == SQLITE_LOCK_RETRIES:
                    raise
                time.sleep(0.05 * (attempt + 1))
            finally:
                close_old_connections()
        raise AssertionError("unreachable")

    return sync_to_async(run, thread_sensitive=False)


def _resolve(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(True)


WATCHER = Watcher()
