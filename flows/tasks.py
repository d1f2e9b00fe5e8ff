"""Celery tasks: thin wrappers that reload rows and call one service.

All are acks_late and safe to run twice (see each service's docstring).
"""

from __future__ import annotations

from celery import shared_task

from flows import lifecycle, webhooks


@shared_task(bind=True, acks_late=True, max_retries=None, time_limit=120)
def finalize_loop(self, loop_id: int) -> None:
    """Write a finished loop's output.json and set its final status; retry with backoff on store errors."""
    try:
        lifecycle.finalize_loop(loop_id)
    except Exception as exc:
        lifecycle.record_output_failure(loop_id, repr(exc))
        countdown = min(2 ** min(self.request.retries, 6), 60)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(bind=True, acks_late=True, max_retries=None, time_limit=60)
def deliver_webhook(self, delivery_id: int) -> None:
    """POST one status event to one webhook endpoint; retry with backoff until it is accepted."""
    delay = webhooks.deliver(delivery_id)
    if delay is not None:
        raise self.retry(countdown=delay)


@shared_task(acks_late=True, time_limit=120)
def expire_leases() -> int:
    return lifecycle.expire_leases()


@shared_task(acks_late=True, time_limit=300)
def expire_loops() -> int:
    return lifecycle.expire_loops()


@shared_task(acks_late=True, time_limit=120)
def redeliver_outbox() -> int:
    """Re-enqueue outbox work whose enqueue may have been lost (broker down at commit time)."""
    return webhooks.redeliver_pending() + lifecycle_redeliver()


def lifecycle_redeliver() -> int:
    from flows.models import OutputOutbox

    pending = list(
        OutputOutbox.objects.filter(state=OutputOutbox.State.PENDING).values_list("human_loop_id", flat=True)[:500]
    )
    for loop_id in pending:
        finalize_loop.delay(loop_id)
    return len(pending)
