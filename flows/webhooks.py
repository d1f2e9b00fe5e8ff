"""Delivering status events to webhook endpoints (HMAC-SHA256 signed, retried with backoff)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

from flows.models import WebhookDelivery
from hitl import clock

SIGNATURE_HEADER = "X-Hitl-Signature-256"
MAX_BACKOFF_SECONDS = 300


def sign(secret: str, body: bytes) -> str:
    """Return the signature header value: sha256=<hex HMAC of the body>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver(delivery_id: int) -> int | None:
    """Try one delivery. Returns None when done (delivered or gone), else seconds until the next try."""
    import requests

    delivery = WebhookDelivery.objects.select_related("event", "endpoint").filter(id=delivery_id).first()
    if delivery is None or delivery.state != WebhookDelivery.State.PENDING:
        return None
    body = json.dumps(delivery.event.body, sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(delivery.endpoint.secret, body),
        "X-Hitl-Event-Id": str(delivery.event.event_id),
    }
    attempts = delivery.attempts + 1
    try:
        response = requests.post(delivery.endpoint.url, data=body, headers=headers, timeout=10)
        status, error = response.status_code, ""
    except requests.RequestException as exc:
        status, error = None, repr(exc)
    now = clock.now()
    if status is not None and 200 <= status < 300:
        WebhookDelivery.objects.filter(id=delivery.id).update(
            state=WebhookDelivery.State.DELIVERED,
            attempts=attempts,
            last_status_code=status,
            delivered_at=now,
            last_error="",
        )
        return None
    delay = min(2**attempts, MAX_BACKOFF_SECONDS)
    WebhookDelivery.objects.filter(id=delivery.id).update(
        attempts=attempts,
        last_status_code=status,
        last_error=error or f"HTTP {status}",
        next_attempt_at=now + dt.timedelta(seconds=delay),
    )
    return delay


def redeliver_pending() -> int:
    """Enqueue pending deliveries that are due (their earlier enqueue or retry may have been lost)."""
    from flows import tasks

    due = list(
        WebhookDelivery.objects.filter(
            state=WebhookDelivery.State.PENDING, next_attempt_at__lte=clock.now()
        ).values_list("id", flat=True)[:500]
    )
    for delivery_id in due:
        tasks.deliver_webhook.delay(delivery_id)
    return len(due)
