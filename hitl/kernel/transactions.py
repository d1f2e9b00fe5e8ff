"""Enqueue Celery work only after the surrounding transaction commits (and the response is sent).

Publishing a message costs about a millisecond of kombu and Redis work. Inside
a web request it waits until the response has gone out (Django's
request_finished signal, sent when the WSGI server closes the response), so a
reviewer's submit or an API call is answered first. That is safe because
every enqueued task has an outbox row: a message that is never sent (the
process dies in between, or the broker is down) is re-sent by the beat sweep.
With CELERY_TASK_ALWAYS_EAGER (the embedded default) the task runs at commit.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.signals import request_finished
from django.db import transaction

logger = logging.getLogger("hitl.enqueue")

_request = threading.local()


def enqueue_on_commit(task: Any, *args: Any, on_failure: Callable[[], None] | None = None) -> None:
    """Schedule `task.delay(*args)` for when the current transaction commits.

    A failure to reach the broker is logged, then `on_failure` runs: every
    enqueued task has an outbox row, which it makes due at once so the next
    sweep re-sends it (flows.delivery.outbox), and nothing is lost.
    """

    def _send() -> None:
        try:
            task.delay(*args)
        except Exception:  # broker down: the outbox sweep retries
            logger.warning("could not enqueue %s%r; the outbox sweep will retry", task.name, args, exc_info=True)
            if on_failure is not None:
                on_failure()

    transaction.on_commit(lambda: _after_response(_send))


def collect_until_response_sent() -> None:
    """Start holding enqueues back until this thread's response is sent (called as a request begins)."""
    send_collected()  # a previous request whose response was never closed
    _request.pending = []


def send_collected(**kwargs: Any) -> None:
    """Publish what this thread's request held back (request_finished receiver)."""
    pending: list[Callable[[], None]] | None = getattr(_request, "pending", None)
    _request.pending = None
    for send in pending or ():
        send()


def _after_response(send: Callable[[], None]) -> None:
    pending = getattr(_request, "pending", None)
    if pending is None or settings.CELERY_TASK_ALWAYS_EAGER:
        send()
    else:
        pending.append(send)


request_finished.connect(send_collected, dispatch_uid="hitl_send_collected_enqueues")


@contextmanager
def write_transaction() -> Iterator[None]:
    """`transaction.atomic()` that, as the outermost block, first runs the hook of before_next_commit."""
    outermost = not transaction.get_connection().in_atomic_block
    with transaction.atomic():
        yield
        hook = getattr(_request, "before_commit", None) if outermost else None
        if hook is not None:
            _request.before_commit = None
            hook()


@contextmanager
def before_next_commit(hook: Callable[[], None]) -> Iterator[None]:
    """Run `hook` inside the next write_transaction of this block, just before it commits (at most once).

    The AWS API uses it to commit a call's audit record with the change it audits.
    """
    _request.before_commit = hook
    try:
        yield
    finally:
        _request.before_commit = None
