"""The outbox's bookkeeping: when the sweep takes a row over, and one attempt row per try.

Both kinds of outbound work (OutputOutbox: write output.json; WebhookDelivery:
send one event to one endpoint) are rows with `state = pending` and a
`next_attempt_at`, which is the one rule of redelivery: **the sweep
(`flows.tasks.redeliver_outbox`) re-sends every pending row whose
`next_attempt_at` has passed.** Whoever hands a row to a Celery message
(the on-commit enqueue, a task scheduling its own retry, the sweep itself)
sets it to when that message should have finished plus
HITL_OUTBOX_GRACE_SECONDS; a failed enqueue sets it to now; a retry left to
the sweep (no broker, or a webhook backoff too long for a worker to hold)
sets it to when the retry is due. So a message lost to a broker restart or a
SIGKILLed worker is re-sent one grace after it was due, without waiting for
the broker's visibility timeout, and a retry without a message is not late.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from django.conf import settings
from django.db import models

from flows.models import DeliveryAttemptStatus, OutputWriteAttempt, WebhookDeliveryAttempt
from hitl.kernel import clock
from workforce.audit import trail as audit

logger = logging.getLogger(__name__)


def handed_to_message(after_seconds: float = 0.0) -> dt.datetime:
    """Return `next_attempt_at` for a row whose message runs in `after_seconds`: then plus the grace."""
    return clock.now() + dt.timedelta(seconds=after_seconds + settings.HITL_OUTBOX_GRACE_SECONDS)


def due_in(seconds: float) -> dt.datetime:
    """Return `next_attempt_at` for a retry that no message carries: the sweep takes it at that time."""
    return clock.now() + dt.timedelta(seconds=seconds)


def mark_due_now(model: type[models.Model], **lookup: Any) -> None:
    """Make a pending row due at once (its message could not be sent), so the next sweep takes it."""
    try:
        model.objects.filter(state="pending", **lookup).update(next_attempt_at=clock.now())
    except Exception:  # the database is down too: the row is still due at its grace
        logger.warning("could not mark %s %s due", model.__name__, lookup, exc_info=True)


def claim_due(model: type[models.Model], fields: tuple[str, ...], limit: int) -> list[tuple[Any, ...]]:
    """Return `fields` of pending rows past their `next_attempt_at`, each claimed for one more grace.

    The conditional update on the due time read is the claim: two sweeps never both take a row.
    """
    now = clock.now()
    rows = model.objects.filter(state="pending", next_attempt_at__lte=now).values_list(
        "id", "next_attempt_at", *fields
    )[:limit]
    handed = handed_to_message()
    claimed = []
    for row_id, due, *values in rows:
        if model.objects.filter(id=row_id, next_attempt_at=due).update(next_attempt_at=handed):
            claimed.append(tuple(values))
    return claimed


def send_or_mark_due(task: Any, task_arg: int, model: type[models.Model], **lookup: Any) -> None:
    """Send `task.delay(task_arg)` now; if the broker refuses, make the row due at once for the next sweep."""
    try:
        task.delay(task_arg)
    except Exception:  # broker down: the next sweep re-sends it
        logger.warning("could not enqueue %s(%r); the outbox sweep will retry", task.name, task_arg, exc_info=True)
        mark_due_now(model, **lookup)


class Attempt:
    """Times one try; `record_*` writes its attempt row (and, for a failure, an audit record)."""

    def __init__(self) -> None:
        self.started_at = clock.now()
        self._start = time.monotonic()

    @property
    def duration_ms(self) -> int:
        return max(0, round((time.monotonic() - self._start) * 1000))

    def row(self, error: str = "") -> dict[str, Any]:
        """The DeliveryAttempt columns of this try, ended now: failed when there is an error."""
        return {
            "attempted_at": self.started_at,
            "duration_ms": self.duration_ms,
            "status": DeliveryAttemptStatus.FAILED if error else DeliveryAttemptStatus.SUCCESS,
            "error": error[:2000],
        }


def record_output_attempt(
    *, outbox_id: int, loop_id: int, account_id: int | None, attempt: Attempt, error: str = ""
) -> None:
    """Insert the OutputWriteAttempt row of one try; a failed try is also written to the audit trail."""
    OutputWriteAttempt.objects.create(outbox_id=outbox_id, **attempt.row(error))
    if error:
        audit.record_delivery_failure(
            "WriteHumanLoopOutput", resource=f"human-loop/{loop_id}", account_id=account_id, error=error
        )


def record_webhook_attempt(delivery: Any, attempt: Attempt, *, status_code: int | None, error: str = "") -> None:
    """Insert the WebhookDeliveryAttempt row of one try; a failed try is also written to the audit trail."""
    WebhookDeliveryAttempt.objects.create(
        delivery_id=delivery.id, response_status_code=status_code, **attempt.row(error)
    )
    if error:
        audit.record_delivery_failure(
            "DeliverWebhook",
            resource=f"webhook-delivery/{delivery.id} {delivery.endpoint.url}",
            account_id=delivery.endpoint.account_id,
            error=error,
            status_code=status_code,
        )
