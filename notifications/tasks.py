"""Celery tasks of notifications: the sweep (digests, deadline steps, due deliveries) and one delivery.

Every delivery is a row that the sweep takes when due (flows.delivery.outbox.claim_due),
so a lost message or a failed enqueue only waits for the next sweep.
"""

from __future__ import annotations

from celery import shared_task

from flows import jobs
from flows.delivery import outbox
from notifications import delivery, sweeps
from notifications.models import Delivery


@shared_task(acks_late=True, time_limit=60)
def deliver_notification(delivery_id: int) -> bool:
    """Send one notification; a failure is retried by the sweep after its backoff."""
    return delivery.deliver(delivery_id)


@shared_task(acks_late=True, time_limit=120)
def send_notifications() -> int:
    """Record the digests due, then send every delivery past due."""
    made = sweeps.send_digests()
    return made + _send_due()


@shared_task(acks_late=True, time_limit=300)
def run_deadline_steps() -> int:
    """Take the reminders, escalations and timeouts that came due, then send their messages."""
    taken = sweeps.run_deadline_steps()
    _send_due()
    return taken


def _send_due() -> int:
    ids = delivery.claim_due()
    for delivery_id in ids:
        outbox.send_or_mark_due(deliver_notification, delivery_id, Delivery, id=delivery_id)
    return len(ids)


# flows.loops.lifecycle.announce_new_work enqueues the digest sweep through flows.jobs (it cannot import this).
jobs.ANNOUNCE_NEW_WORK.bind(send_notifications)
