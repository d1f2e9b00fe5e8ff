"""Recording messages as Delivery rows and sending them, retried with backoff through the outbox machinery.

A new delivery is due at once (or when the reviewer's quiet hours end); the
notification sweep (notifications.tasks.sweep) takes due rows with
flows.delivery.outbox.claim_due, so two sweeps never send one row twice, and hands each
to `tasks.deliver_notification`. A failed try is an attempt row and an audit
record and comes back after flows.delivery.webhooks' backoff (2, 4, 8 ... s), up to
HITL_NOTIFY_MAX_ATTEMPTS tries. Rows are unique by `dedupe_key`, so recording
the same message twice (a sweep repeated) stores it once.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F

from flows.delivery import outbox, webhooks
from hitl.kernel import clock
from notifications import senders
from notifications.models import Delivery, DeliveryAttempt, ReviewerSettings
from workforce.audit import trail as audit

logger = logging.getLogger(__name__)


def record(deliveries: Iterable[Delivery]) -> int:
    """Insert new deliveries (those whose dedupe_key exists are skipped), each due at once or after quiet hours."""
    rows = list(deliveries)
    if not rows:
        return 0
    now = clock.now()
    quiet = _quiet_ends(now, {row.recipient_id for row in rows if row.recipient_id})
    for row in rows:
        row.next_attempt_at = quiet.get(row.recipient_id, now)
    keys = [row.dedupe_key for row in rows]
    before = Delivery.objects.filter(dedupe_key__in=keys).count()
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return Delivery.objects.filter(dedupe_key__in=keys).count() - before


def quiet_until(settings_row: ReviewerSettings, now: dt.datetime) -> dt.datetime | None:
    """Return when the reviewer's quiet hours end if `now` falls in them, else None."""
    start, end = settings_row.quiet_start, settings_row.quiet_end
    if start is None or end is None or start == end:
        return None
    try:
        zone = zoneinfo.ZoneInfo(settings_row.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    local = now.astimezone(zone)
    t = local.time().replace(tzinfo=None)
    inside = start <= t < end if start < end else (t >= start or t < end)  # a window over midnight
    if not inside:
        return None
    ends = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if ends <= local:
        ends += dt.timedelta(days=1)
    return ends.astimezone(dt.UTC)


def _quiet_ends(now: dt.datetime, user_ids: set[int]) -> dict[int, dt.datetime]:
    rows = ReviewerSettings.objects.filter(user_id__in=user_ids, quiet_start__isnull=False, quiet_end__isnull=False)
    ends = {row.user_id: quiet_until(row, now) for row in rows}
    return {user_id: end for user_id, end in ends.items() if end is not None}


def claim_due(limit: int = 500) -> list[int]:
    """Return ids of pending deliveries past due, each claimed for one grace (flows.delivery.outbox)."""
    return [delivery_id for (delivery_id,) in outbox.claim_due(Delivery, ("id",), limit)]


def deliver(delivery_id: int) -> bool:
    """Try one delivery and record its attempt row; returns True once delivered.

    A failure is retried by the sweep after the backoff, or marked failed after
    HITL_NOTIFY_MAX_ATTEMPTS tries. A delivered or failed row is left alone.
    """
    pending = Delivery.objects.select_related("channel", "recipient").filter(
        id=delivery_id, state=Delivery.State.PENDING
    )
    if not connection.features.has_select_for_update:
        # SQLite: every transaction takes the database's one write lock (IMMEDIATE, hitl/settings.py),
        # which must not be held through a network send; with one writer at a time there is no row
        # lock to take either.
        delivery = pending.first()
        return delivery is not None and _send(delivery)
    # The row is locked while it is sent. Two tasks can hold one row, when one waited in the
    # queue past its outbox grace and the sweep handed the row on again; the second finds the
    # row locked and leaves it (SKIP LOCKED), and once the first has committed the row is no
    # longer pending.
    with transaction.atomic():
        delivery = pending.select_for_update(skip_locked=True, of=("self",)).first()
        return delivery is not None and _send(delivery)


def _send(delivery: Delivery) -> bool:
    attempt = outbox.Attempt()
    if not delivery.channel.is_active:
        status, error = None, "The channel is switched off."
    else:
        status, error = senders.send(delivery)
    pending = Delivery.objects.filter(id=delivery.id, state=Delivery.State.PENDING)
    attempts = delivery.attempts + 1
    with transaction.atomic():
        _record_attempt(delivery, attempt, status, error)
        if not error:
            pending.update(
                state=Delivery.State.DELIVERED,
                attempts=F("attempts") + 1,
                last_status_code=status,
                last_error="",
                delivered_at=clock.now(),
            )
            return True
        gave_up = attempts >= settings.HITL_NOTIFY_MAX_ATTEMPTS
        pending.update(
            state=Delivery.State.FAILED if gave_up else Delivery.State.PENDING,
            attempts=F("attempts") + 1,
            last_status_code=status,
            last_error=error[:2000],
            next_attempt_at=outbox.due_in(webhooks.backoff(attempts)),
        )
    return False


def _record_attempt(delivery: Delivery, attempt: outbox.Attempt, status: int | None, error: str) -> None:
    DeliveryAttempt.objects.create(
        delivery_id=delivery.id,
        attempted_at=attempt.started_at,
        duration_ms=attempt.duration_ms,
        status="failed" if error else "success",
        response_status_code=status,
        error=error[:2000],
    )
    if error:
        audit.record_delivery_failure(
            "DeliverNotification",
            resource=f"notification-delivery/{delivery.id} {delivery.channel.kind}:{delivery.channel.name}",
            account_id=delivery.account_id,
            error=error,
            status_code=status,
        )
