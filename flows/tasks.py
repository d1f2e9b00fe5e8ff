"""Celery tasks: thin wrappers that reload rows and call one service.

All are acks_late and safe to run twice (see each service's docstring). Each
piece of outbound work (an output write, a webhook delivery) is a database row
with the time by which the `redeliver_outbox` sweep takes it over
(flows.delivery.outbox), so a lost message, a failed enqueue or a killed worker costs
only HITL_OUTBOX_GRACE_SECONDS plus one sweep interval.
"""

from __future__ import annotations

import logging

from celery import shared_task

from flows import jobs
from flows.delivery import events, outbox, storage, webhooks
from flows.loops import imports, lifecycle, side_writes
from flows.models import HumanLoop, OutputOutbox, WebhookDelivery
from flows.quality import gold

logger = logging.getLogger(__name__)

OUTPUT_MAX_BACKOFF_SECONDS = 60
# Webhook retries up to this long wait in the worker as a countdown message; longer backoffs go back to
# the outbox sweep. It bounds what a worker holds unacknowledged (see CELERY_BROKER_TRANSPORT_OPTIONS).
WEBHOOK_MAX_COUNTDOWN_SECONDS = 60


def output_backoff(retries: int) -> int:
    """Return the delay before output write attempt number `retries + 1` (1, 2, 4 ... 60 s)."""
    return min(2 ** min(retries, 6), OUTPUT_MAX_BACKOFF_SECONDS)


@shared_task(bind=True, acks_late=True, max_retries=None, time_limit=120)
def finalize_loop(self, loop_id: int) -> None:
    """Write a finished loop's output.json and set its final status; retry with backoff on store errors."""
    attempt = outbox.Attempt()
    try:
        # The webhooks of the event this stores go out at its commit, from here (not a second task).
        max_countdown = 0 if self.request.is_eager else WEBHOOK_MAX_COUNTDOWN_SECONDS
        with events.delivering_inline(max_countdown):
            lifecycle.finalize_loop(loop_id)
    except Exception as exc:
        reason = storage.permanent_failure_reason(exc)
        if reason is not None:  # retrying cannot help: fail the loop and say what to fix
            logger.warning("output of loop %s cannot be written (%r); failing the loop", loop_id, exc)
            lifecycle.fail_human_loop(
                loop_id,
                failure_code=HumanLoop.FailureCode.INTERNAL_ERROR,
                failure_reason=reason,
                attempt=attempt,
                error=repr(exc),
            )
            return
        countdown = output_backoff(self.request.retries)
        logger.warning("output of loop %s not written (%r); retrying in %ss", loop_id, exc, countdown)
        # Eager retries would run at once, recursively: without a broker the sweep retries when due.
        sweep_at = outbox.due_in(countdown) if self.request.is_eager else outbox.handed_to_message(countdown)
        try:
            lifecycle.record_output_failure(loop_id, repr(exc), next_attempt_at=sweep_at, attempt=attempt)
        except Exception:
            # The database is what failed (a restart): still retry, or the message would be acknowledged
            # and the write left to the sweep. The row keeps its earlier due time.
            logger.warning("could not record the failed output write of loop %s", loop_id, exc_info=True)
        if self.request.is_eager:
            return
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(acks_late=True, time_limit=300)
def finalize_loops(loop_ids: list[int]) -> None:
    """Write the outputs of a chunk of timed-out loops (a deadline burst), each as finalize_loop does.

    One message for a chunk, not one per loop: a burst of 100,000 deadlines would otherwise publish
    100,000 messages from the sweep. Each write runs here in turn (apply: in this worker); one that
    fails is retried by the outbox sweep after its backoff, as a write without a broker is, so one
    bad store does not hold the chunk.
    """
    for loop_id in loop_ids:
        finalize_loop.apply(args=(loop_id,))


@shared_task(bind=True, acks_late=True, max_retries=None, time_limit=60)
def deliver_webhook(self, delivery_id: int) -> None:
    """POST one status event to one webhook endpoint; retry with backoff until it is accepted."""
    # Eager mode (no broker) would retry at once inside the caller's request: the sweep retries instead.
    max_countdown = 0 if self.request.is_eager else WEBHOOK_MAX_COUNTDOWN_SECONDS
    try:
        countdown = webhooks.deliver(delivery_id, max_countdown=max_countdown)
    except Exception as exc:
        if self.request.is_eager:
            raise
        # Lost the database mid-delivery: retry soon; the row's due time stays as the sweep's backstop.
        logger.warning("webhook delivery %s interrupted (%r); retrying", delivery_id, exc)
        raise self.retry(exc=exc, countdown=output_backoff(self.request.retries)) from exc
    if countdown is not None:
        raise self.retry(countdown=countdown)


@shared_task(acks_late=True, time_limit=120)
def expire_leases() -> int:
    """Return tasks whose reviewer ran out of time to the queue."""
    return lifecycle.expire_leases()


@shared_task(acks_late=True, time_limit=300)
def expire_loops() -> int:
    """Fail loops whose availability lifetime passed without enough answers."""
    return lifecycle.expire_loops()


@shared_task(acks_late=True, time_limit=120)
def settle_side_writes() -> int:
    """Commit or roll back the side transactions a dying import left prepared (flows.loops.side_writes)."""
    return side_writes.settle()


@shared_task(acks_late=True, time_limit=120)
def redeliver_outbox() -> int:
    """Re-send output writes and webhook deliveries past their due time (flows.delivery.outbox)."""
    loop_ids = lifecycle.claim_stalled_outputs()
    for loop_id in loop_ids:
        outbox.send_or_mark_due(finalize_loop, loop_id, OutputOutbox, human_loop_id=loop_id)
    delivery_ids = webhooks.claim_stalled_deliveries()
    for delivery_id in delivery_ids:
        outbox.send_or_mark_due(deliver_webhook, delivery_id, WebhookDelivery, id=delivery_id)
    return len(loop_ids) + len(delivery_ids)


@shared_task(acks_late=True, time_limit=60)
def notify_reviewer_paused(standing_id: int) -> None:
    """Tell the flow's account admins that a reviewer was paused on it (flows.quality.gold)."""
    gold.notify_admins_of_pause(standing_id)


@shared_task(acks_late=True, time_limit=imports.RUN_TIME_LIMIT_SECONDS, max_retries=0, name=imports.RUN_IMPORT_TASK)
def run_import(job_id: int) -> None:
    """Run a queued import (flows.loops.imports.run_import; a second delivery finds it claimed and does nothing)."""
    imports.run_import(job_id)


# The services above enqueue these through flows.jobs, since they cannot import this module.
jobs.FINALIZE_LOOP.bind(finalize_loop)
jobs.FINALIZE_LOOPS.bind(finalize_loops)
jobs.DELIVER_WEBHOOK.bind(deliver_webhook)
jobs.NOTIFY_REVIEWER_PAUSED.bind(notify_reviewer_paused)
