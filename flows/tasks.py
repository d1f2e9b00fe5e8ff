"""Celery tasks: thin wrappers that reload rows and call one service.

All are acks_late and safe to run twice (see each service's docstring). Each
piece of outbound work (an output write, a webhook delivery) is a database row
with its next due time, so a lost message costs only a delay: the
`redeliver_outbox` beat sweep re-enqueues rows overdue by
HITL_OUTBOX_GRACE_SECONDS.
"""

from __future__ import annotations

import logging

from celery import shared_task

from flows import lifecycle, webhooks

logger = logging.getLogger(__name__)

OUTPUT_MAX_BACKOFF_SECONDS = 60


def output_backoff(retries: int) -> int:
    """Return the delay before output write attempt number `retries + 1` (1, 2, 4 ... 60 s)."""
    return min(2 ** min(retries, 6), OUTPUT_MAX_BACKOFF_SECONDS)


@shared_task(bind=True, acks_late=True, max_retries=None, time_limit=120)
def finalize_loop(self, loop_id: int) -> None:
    """Write a finished loop's output.json and set its final status; retry with backoff on store errors."""
    try:
        lifecycle.finalize_loop(loop_id)
    except Exception as exc:
        countdown = output_backoff(self.request.retries)
        logger.warning("output of loop %s not written (%r); retrying in %ss", loop_id, exc, countdown)
        lifecycle.record_output_failure(loop_id, repr(exc), retry_in=countdown)
        if self.request.is_eager:
            return  # eager retries would run at once, recursively: leave it to the outbox sweep
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(bind=True, acks_late=True, max_retries=None, time_limit=60)
def deliver_webhook(self, delivery_id: int) -> None:
    """POST one status event to one webhook endpoint; retry with backoff until it is accepted."""
    delay = webhooks.deliver(delivery_id)
    # Eager mode (no broker) would retry at once inside the caller's request: the sweep retries instead.
    if delay is not None and not self.request.is_eager:
        raise self.retry(countdown=delay)


@shared_task(acks_late=True, time_limit=120)
def expire_leases() -> int:
    """Return tasks whose reviewer ran out of time to the queue."""
    return lifecycle.expire_leases()


@shared_task(acks_late=True, time_limit=300)
def expire_loops() -> int:
    """Fail loops whose availability lifetime passed without enough answers."""
    return lifecycle.expire_loops()


@shared_task(acks_late=True, time_limit=120)
def redeliver_outbox() -> int:
    """Re-enqueue output writes and webhook deliveries whose message was lost (broker restart, killed worker)."""
    loop_ids = lifecycle.claim_stalled_outputs()
    for loop_id in loop_ids:
        finalize_loop.delay(loop_id)
    delivery_ids = webhooks.claim_stalled_deliveries()
    for delivery_id in delivery_ids:
        deliver_webhook.delay(delivery_id)
    return len(loop_ids) + len(delivery_ids)
