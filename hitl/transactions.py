"""Enqueue Celery work only after the surrounding transaction commits."""

from __future__ import annotations

from typing import Any

from django.db import transaction


def enqueue_on_commit(task: Any, *args: Any) -> None:
    """Schedule `task.delay(*args)` for when the current transaction commits.

    A failure to reach the broker is swallowed: every enqueued task has an
    outbox row that the beat sweep re-enqueues, so nothing is lost.
    """

    def _send() -> None:
        try:
            task.delay(*args)
        except Exception:  # broker down: the outbox sweep retries later
            import logging

            logging.getLogger("hitl.enqueue").warning(
                "could not enqueue %s%r; the outbox sweep will retry", task.name, args, exc_info=True
            )

    transaction.on_commit(_send)
