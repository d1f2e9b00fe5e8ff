"""Wake waiters when a loop is decided or a status event is stored: one watcher thread per process.

Thousands of agents may wait at once; each holds only an asyncio future in the
ASGI process (no thread, no database connection), in a table keyed by loop id.
One daemon thread per process, the watcher, reads every HITL_WAIT_POLL_MS
milliseconds what changed since its last read, whatever the number of waiters:

* new output outbox rows of Completed loops (the last answer committed with its
  row; output.json is written after it by Celery): the loop is decided;
* new status events (each terminal transition stores one: Completed, Stopped,
  Failed): the loop is finished, and event streams have something to send.

Both are primary-key range reads (`id > the last id seen`), so a tick costs the same
for ten waiters or ten thousand, and no waiter is described until its loop changed.
Two more reads close the gaps a range read can leave: a loop registered since the
last tick is checked once by id (it may have been decided between its waiter's first
look and its registration), and every SWEEP_SECONDS the same two ranges are read
again from where they stood LOOKBACK_SECONDS ago (a transaction that took a lower id
may commit after a higher one was read). That re-read costs the rows of the last few
seconds, not one id per waiter: reading every watched loop by id each second was a
20 ms burst of query building a second with 1,000 waiters. A transaction that
commits more than LOOKBACK_SECONDS after taking its id is found when its waiter
comes back (a re-registered loop is checked by id), within its WaitSeconds.

A polled range read was chosen over PostgreSQL LISTEN/NOTIFY or Redis pub/sub: it
works the same on SQLite and behind PgBouncer in transaction mode (which breaks
LISTEN), needs nothing in the submit path, and reads only what changed. The price
is up to one tick of latency.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import OperationalError, close_old_connections, connection
from django.db.models import Max
from prometheus_client.core import GaugeMetricFamily

from flows.models import HumanLoop, OutputOutbox, StatusEvent
from hitl.kernel import metrics

logger = logging.getLogger(__name__)

SQLITE_LOCK_RETRIES = 5
ID_CHUNK = 1000  # loop ids per IN list
# How often the range reads are repeated from LOOKBACK_SECONDS back, for a decision a range read
# passed over (a lower id committed after a higher one was read).
SWEEP_SECONDS = 1.0
LOOKBACK_SECONDS = 10.0


@dataclass(frozen=True)
class Wake:
    """Why and when a waiter was woken (for the Server-Timing of its answer)."""

    noticed_at: float  # time.time() of the tick that found the change
    # When the change was stored (the outbox row's or status event's created_at, time.time() scale);
    # None when it was found by a read by id (a newly registered loop, the sweep).
    stored_at: float | None = None


class Watcher:
    """The per-process table of waiting futures and the thread that resolves them."""

    def __init__(self) -> None:
        self._lock = threading.RLock()  # re-entered: _wait holds it around add_loop_waiter
        self._loops: dict[int, set[asyncio.Future]] = defaultdict(set)
        self._new_loops: set[int] = set()  # registered since the last tick: checked once by id
        self._events: set[tuple[asyncio.Future, int]] = set()
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        # The last outbox row and status event read; None while idle (a resumed watcher starts at the newest).
        self._outbox_mark: int | None = None
        self._event_mark: int | None = None
        self._swept_at = 0.0
        self.sweep_seconds = SWEEP_SECONDS
        # (monotonic time, outbox mark, event mark) before each tick's reads: where a sweep starts again.
        self._marks: deque[tuple[float, int, int]] = deque()

    async def wait_for_loop(self, loop_id: int, timeout: float) -> Wake | None:
        """Wait up to `timeout` seconds for loop `loop_id` to be decided or finish; its Wake if it was."""
        return await self._wait(
            lambda future: self.add_loop_waiter(loop_id, future),
            lambda future: self.remove_loop_waiter(loop_id, future),
            timeout,
        )

    def add_loop_waiter(self, loop_id: int, future: asyncio.Future) -> None:
        """Resolve `future` (on its own event loop) once loop `loop_id` is decided or finished."""
        with self._lock:
            self._loops[loop_id].add(future)
            self._new_loops.add(loop_id)

    def remove_loop_waiter(self, loop_id: int, future: asyncio.Future) -> None:
        with self._lock:
            waiters = self._loops.get(loop_id)
            if waiters is not None:
                waiters.discard(future)
                if not waiters:
                    del self._loops[loop_id]

    async def wait_for_event_after(self, event_id: int, timeout: float) -> Wake | None:
        """Wait up to `timeout` seconds for a status event newer than `event_id` (any account's)."""
        return await self._wait(
            lambda future: self._events.add((future, event_id)),
            lambda future: self._events.discard((future, event_id)),
            timeout,
        )

    def watched(self) -> int:
        """How many loops have a waiter now."""
        with self._lock:
            return len(self._loops)

    async def _wait(self, add: Callable, remove: Callable, timeout: float) -> Wake | None:
        """Register a future with `add` (under the lock), wait for the watcher to resolve it, `remove` it."""
        future = asyncio.get_running_loop().create_future()
        with self._lock:
            add(future)
        self._ensure_thread()
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return None
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
                idle = not self._loops and not self._events
            if idle:
                self._outbox_mark = self._event_mark = None
                connection.close()  # idle: hold no database session
                self._wake.wait(interval)
                continue
            try:
                self.tick()
            except Exception:
                # A dropped connection or a restarting database: log, reconnect next tick, keep waiters.
                logger.exception("watcher tick failed")
                connection.close()
            finally:
                close_old_connections()
            self._wake.wait(interval)

    def tick(self) -> None:
        """Read what changed since the last tick and resolve the futures of the loops it decided."""
        if self._outbox_mark is None or self._event_mark is None:
            self._outbox_mark = OutputOutbox.objects.aggregate(m=Max("id"))["m"] or 0
            self._event_mark = StatusEvent.objects.aggregate(m=Max("id"))["m"] or 0
            self._marks.clear()
        now = time.monotonic()
        self._marks.append((now, self._outbox_mark, self._event_mark))
        while self._marks and now - self._marks[0][0] > LOOKBACK_SECONDS:
            self._marks.popleft()
        if now - self._swept_at >= self.sweep_seconds:
            self._swept_at = now
            _, outbox_from, event_from = self._marks[0]  # the oldest mark within the lookback
        else:
            outbox_from, event_from = self._outbox_mark, self._event_mark
        decided = self._read_ranges(outbox_from, event_from)
        with self._lock:
            check = [loop_id for loop_id in self._new_loops if loop_id in self._loops]
            self._new_loops.clear()
        for loop_id in self.decided_among(check):
            decided.setdefault(loop_id, None)
        noticed_at = time.time()
        with self._lock:
            done = [
                (future, Wake(noticed_at, stored_at))
                for loop_id, stored_at in decided.items()
                for future in self._loops.get(loop_id, ())
            ]
            done += [(future, Wake(noticed_at)) for future, after in self._events if self._event_mark > after]
        for future, wake in done:
            try:
                future.get_loop().call_soon_threadsafe(_resolve, future, wake)
            except RuntimeError:  # its event loop already closed: the request is gone
                pass

    def _read_ranges(self, outbox_from: int, event_from: int) -> dict[int, float]:
        """Loops decided by outbox rows and status events past these ids -> when that was stored; moves the marks."""
        decided: dict[int, float] = {}
        # Decided: the last answer committed with its outbox row (output.json follows, by Celery).
        rows = OutputOutbox.objects.filter(id__gt=outbox_from).values_list(
            "id", "human_loop_id", "final_status", "created_at"
        )
        for row_id, loop_id, final_status, created_at in rows:
            self._outbox_mark = max(self._outbox_mark or 0, row_id)
            if final_status == HumanLoop.Status.COMPLETED:
                decided.setdefault(loop_id, created_at.timestamp())
        events = StatusEvent.objects.filter(id__gt=event_from).values_list("id", "human_loop_id", "created_at")
        for event_id, loop_id, created_at in events:
            self._event_mark = max(self._event_mark or 0, event_id)
            decided.setdefault(loop_id, created_at.timestamp())
        return decided

    @staticmethod
    def decided_among(loop_ids: Iterable[int]) -> list[int]:
        """The loops among `loop_ids` that are finished or decided (two primary-key IN reads per chunk)."""
        ids = list(loop_ids)
        found: list[int] = []
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start : start + ID_CHUNK]
            found += (
                HumanLoop.objects.filter(id__in=chunk).exclude(status__in=HumanLoop.OPEN).values_list("id", flat=True)
            )
            found += OutputOutbox.objects.filter(
                human_loop_id__in=chunk, final_status=HumanLoop.Status.COMPLETED
            ).values_list("human_loop_id", flat=True)
        return found


# Threads that describe decided loops for their waiters: a burst of arriving waiters (a thousand
# agents reconnecting) queues on the default pool, never in front of a decision on its way out.
ANSWERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="hitl-answer")


def in_thread(func: Callable[..., Any], executor: ThreadPoolExecutor | None = None) -> Callable[..., Any]:
    """Run `func` (database work) in a worker thread, not Django's one sync thread.

    Waiters must not queue behind each other (thread_sensitive=False); `executor`
    picks the pool (default: the event loop's). Each worker thread keeps its
    connection as a request would: closed once past CONN_MAX_AGE.
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

    return sync_to_async(run, thread_sensitive=False, executor=executor)


def _resolve(future: asyncio.Future, wake: Wake) -> None:
    if not future.done():
        future.set_result(wake)


WATCHER = Watcher()


class WaitingCollector:
    """/metrics of the events process: how many loops have a waiter in it now (read at scrape time)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(
            "hitl_events_waiting_loops",
            "Human loops with a long-poll waiter in this events process.",
            WATCHER.watched(),
        )


metrics.register_scrape_collector(WaitingCollector())
