"""The Celery beat schedule, run inside the web process when there is no broker (the embedded default).

With `CELERY_BROKER_URL` empty there is no beat process, so lease expiry,
loop lifetimes, outbox redelivery and webhook retries would never happen.
`start()` (called by hitl.wsgi and hitl.asgi) starts one daemon thread per
process that runs each entry of `CELERY_BEAT_SCHEDULE` in-process at its
interval. Several processes (gunicorn workers, runserver's reloaded child)
share the work through `SweepLease` rows: a conditional UPDATE hands each due
sweep to exactly one process, which holds it for the task's time limit and
then sets the next due time. A process that dies mid-sweep only delays that
sweep until its lease ends. Every sweep is safe to run twice anyway (each
claims its rows with conditional updates).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, close_old_connections, transaction

from hitl.kernel import clock
from hitl.kernel.coordination.models import SweepLease

logger = logging.getLogger(__name__)

# Upper bound on how long the thread sleeps between looks at the leases (the sweeps' own intervals are longer).
MAX_IDLE_SECONDS = 2.0

_state_lock = threading.Lock()
_started_in_pid: int | None = None
_thread: threading.Thread | None = None
_stopping = threading.Event()


def enabled() -> bool:
    """Return whether this process should run the beat schedule itself (HITL_EMBEDDED_SWEEPS)."""
    return bool(settings.HITL_EMBEDDED_SWEEPS)


def start() -> bool:
    """Start the scheduler thread of this process, once. Returns False if it was already running or is off."""
    global _started_in_pid, _thread
    if not enabled():
        return False
    with _state_lock:
        if _started_in_pid == os.getpid() and _thread is not None and _thread.is_alive():
            return False
        _started_in_pid = os.getpid()
        _stopping.clear()
        _thread = threading.Thread(target=_run_forever, name="hitl-embedded-beat", daemon=True)
        _thread.start()
    return True


def stop(timeout: float = 10.0) -> None:
    """Stop this process's scheduler thread after its current sweep (tests; the thread is a daemon otherwise)."""
    _stopping.set()
    if _thread is not None:
        _thread.join(timeout)


def running() -> bool:
    return _thread is not None and _thread.is_alive() and _started_in_pid == os.getpid()


def _start_in_forked_child() -> None:
    # A thread does not survive fork (gunicorn --preload): the child starts its own.
    if _started_in_pid is not None:
        start()


os.register_at_fork(after_in_child=_start_in_forked_child)


def _run_forever() -> None:
    while not _stopping.is_set():
        try:
            run_due_sweeps()
            pause = _seconds_until_next_due()
        except Exception:  # the database is down or restarting: try again shortly
            logger.warning("embedded sweeps: could not run the schedule", exc_info=True)
            pause = MAX_IDLE_SECONDS
        finally:
            close_old_connections()
        _stopping.wait(pause)


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_due_sweeps() -> list[str]:
    """Run every sweep that is due and that no other process holds. Returns the names this call ran."""
    ran = []
    for name, entry in _schedule().items():
        interval = _interval_seconds(entry)
        started = clock.now()
        if not _claim(name, started, lease_seconds=_time_limit(entry["task"])):
            continue
        error = _run(entry)
        _release(name, started + dt.timedelta(seconds=interval), error)
        ran.append(name)
    return ran


def _release(name: str, next_due: dt.datetime, error: str, tries: int = 5) -> None:
    """End this process's lease: the sweep is next due at `next_due` (or now, if the run took longer)."""
    for attempt in range(tries):
        finished = clock.now()
        try:
            SweepLease.objects.filter(name=name, holder=holder_name()).update(
                due_at=max(finished, next_due), last_finished_at=finished, last_error=error
            )
            return
        except OperationalError:
            # SQLite busy for longer than its timeout: a lease left held would stop the sweep until it ends.
            if attempt == tries - 1:
                raise
            time.sleep(0.2)


def _schedule() -> Mapping[str, dict[str, Any]]:
    return {name: entry for name, entry in settings.CELERY_BEAT_SCHEDULE.items() if _is_interval(entry)}


def _is_interval(entry: dict[str, Any]) -> bool:
    # Only fixed intervals run here; a crontab entry needs the real beat (said in docs/operations.md).
    return isinstance(entry["schedule"], (int, float, dt.timedelta))


def _interval_seconds(entry: dict[str, Any]) -> float:
    schedule = entry["schedule"]
    return schedule.total_seconds() if isinstance(schedule, dt.timedelta) else float(schedule)


def _task(name: str) -> Any:
    from hitl.celery import app

    if name not in app.tasks:
        app.loader.import_default_modules()  # runs the apps' task autodiscovery, as a worker does at start
    return app.tasks[name]


def _time_limit(task_name: str) -> float:
    return float(_task(task_name).time_limit or settings.CELERY_TASK_TIME_LIMIT)


def _claim(name: str, now: dt.datetime, *, lease_seconds: float) -> bool:
    """Take the sweep if it is due: one conditional UPDATE (or the first INSERT), so one process wins."""
    lease = {"due_at": now + dt.timedelta(seconds=lease_seconds), "holder": holder_name(), "last_started_at": now}
    if SweepLease.objects.filter(name=name, due_at__lte=now).update(**lease):
        return True
    if SweepLease.objects.filter(name=name).exists():
        return False
    try:
        with transaction.atomic():
            SweepLease.objects.create(name=name, **lease)
    except IntegrityError:  # another process created it first: it holds the sweep
        return False
    return True


def _run(entry: dict[str, Any]) -> str:
    """Run the entry's task in this thread; return "" or the error it ended with."""
    result = _task(entry["task"]).apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {}))
    if result.failed():
        logger.warning("embedded sweep %s failed: %r", entry["task"], result.result)
        return repr(result.result)[:2000]
    return ""


def _seconds_until_next_due() -> float:
    names = list(_schedule())
    due = SweepLease.objects.filter(name__in=names).values_list("due_at", flat=True)
    if len(due) < len(names):
        return 0.0
    wait = (min(due) - clock.now()).total_seconds()
    return min(max(wait, 0.05), MAX_IDLE_SECONDS)
