"""Delivering status events to webhook endpoints (HMAC-SHA256 signed, retried with backoff).

Each POST carries the event JSON as the body and these headers:

    X-Hitl-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with the endpoint secret>
    X-Hitl-Event-Id: <the event's id, the same on every retry>
    X-Hitl-Delivery-Attempt: <1, 2, ...>
    webhook-id, webhook-timestamp, webhook-signature: the same message signed as the Standard
        Webhooks specification says (hitl.kernel.standard_webhooks), with the endpoint secret as the key

Any 2xx answer counts as delivered; anything else (or no answer) is retried
with exponential backoff up to HITL_WEBHOOK_MAX_ATTEMPTS, then the delivery is
marked failed. Delivery is at least once: receivers deduplicate on the event
id (or on humanLoopArn + humanLoopStatus, as the spec says).

An endpoint whose URL is `sqs:<queue URL>` gets the same JSON as an SQS
message; `eventbridge:<bus name>` gets a PutEvents entry (source
HITL_EVENT_SOURCE, detail-type and detail as in the event). Both go through
boto3 and the same delivery rows, retries and log as HTTP webhooks.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F

from flows.delivery import outbox
from flows.models import WebhookDelivery
from hitl.kernel import clock, standard_webhooks

SIGNATURE_HEADER = "X-Hitl-Signature-256"
# Endpoint "URLs" that are AWS targets rather than HTTP webhooks (see events.ensure_configured_endpoints).
SQS_PREFIX = "sqs:"
EVENTBRIDGE_PREFIX = "eventbridge:"
MAX_BACKOFF_SECONDS = 3600
TIMEOUT_SECONDS = 10


def sign(secret: str, body: bytes) -> str:
    """Return the signature header value: sha256=<hex HMAC of the body>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> int:
    """Return seconds to wait after `attempts` failed attempts (2, 4, 8 ... capped at an hour)."""
    return min(2 ** min(attempts, 12), MAX_BACKOFF_SECONDS)


def encode_body(event_body: dict) -> bytes:
    """Return the exact bytes POSTed (and signed) for an event."""
    return json.dumps(event_body, sort_keys=True, separators=(",", ":")).encode()


def deliver(delivery_id: int, *, max_countdown: float = 0) -> int | None:
    """Try one delivery and record its attempt row.

    Returns the countdown (seconds, at most `max_countdown`) of the retry the
    caller should schedule as a message, or None: delivered, given up, gone,
    or the retry is left to the outbox sweep (a backoff longer than
    `max_countdown`; with 0, every retry is).
    """
    delivery = WebhookDelivery.objects.select_related("event", "endpoint").filter(id=delivery_id).first()
    if delivery is None or delivery.state != WebhookDelivery.State.PENDING:
        return None
    attempt = outbox.Attempt()
    body = encode_body(delivery.event.body)
    attempts = delivery.attempts + 1
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "hitl-webhooks/1",
        SIGNATURE_HEADER: sign(delivery.endpoint.secret, body),
        "X-Hitl-Event-Id": str(delivery.event.event_id),
        "X-Hitl-Delivery-Attempt": str(attempts),
    }
    # Standard Webhooks receivers (the standardwebhooks libraries) verify these; X-Hitl-* stays for existing ones.
    headers |= standard_webhooks.headers(
        delivery.endpoint.secret, str(delivery.event.event_id), standard_webhooks.wall_clock_timestamp(), body
    )
    url = delivery.endpoint.url
    if url.startswith((SQS_PREFIX, EVENTBRIDGE_PREFIX)):
        status, error = _send_to_aws(url, delivery.event.body, body)
    else:
        try:
            response = requests.post(url, data=body, headers=headers, timeout=TIMEOUT_SECONDS)
            status, error = response.status_code, ""
        except requests.RequestException as exc:
            status, error = None, repr(exc)
    now = clock.now()
    pending = WebhookDelivery.objects.filter(id=delivery.id, state=WebhookDelivery.State.PENDING)
    if status is not None and 200 <= status < 300:
        with transaction.atomic():
            pending.update(
                state=WebhookDelivery.State.DELIVERED,
                attempts=F("attempts") + 1,
                last_status_code=status,
                delivered_at=now,
                last_error="",
            )
            outbox.record_webhook_attempt(delivery, attempt, status_code=status)
        return None
    error = (error or f"HTTP {status}")[:2000]
    with transaction.atomic():
        outbox.record_webhook_attempt(delivery, attempt, status_code=status, error=error)
        if attempts >= settings.HITL_WEBHOOK_MAX_ATTEMPTS:
            pending.update(
                state=WebhookDelivery.State.FAILED,
                attempts=F("attempts") + 1,
                last_status_code=status,
                last_error=error,
            )
            return None
        delay = backoff(attempts)
        by_message = delay <= max_countdown
        pending.update(
            attempts=F("attempts") + 1,
            last_status_code=status,
            last_error=error,
            next_attempt_at=outbox.handed_to_message(delay) if by_message else outbox.due_in(delay),
        )
    return delay if by_message else None


def _send_to_aws(target: str, event: dict, body: bytes) -> tuple[int | None, str]:
    """Send an event to an SQS queue or an EventBridge bus. Returns (200, "") or (None, error)."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        if target.startswith(SQS_PREFIX):
            sqs = boto3.client("sqs", region_name=settings.HITL_REGION)
            sqs.send_message(QueueUrl=target.removeprefix(SQS_PREFIX), MessageBody=body.decode())
        else:
            bus = boto3.client("events", region_name=settings.HITL_REGION)
            # Real EventBridge refuses custom events whose source starts with "aws.": hence HITL_EVENT_SOURCE.
            entry = {
                "Source": settings.HITL_EVENT_SOURCE,
                "DetailType": event["detail-type"],
                "Detail": json.dumps(event["detail"], sort_keys=True),
                "Resources": event["resources"],
                "EventBusName": target.removeprefix(EVENTBRIDGE_PREFIX),
            }
            result = bus.put_events(Entries=[entry])
            if result.get("FailedEntryCount"):
                failed = result["Entries"][0]
                return None, f"{failed.get('ErrorCode')}: {failed.get('ErrorMessage')}"
    except (BotoCoreError, ClientError) as exc:
        return None, repr(exc)
    return 200, ""


def claim_stalled_deliveries(limit: int = 500) -> list[int]:
    """Return ids of pending deliveries past due, claiming each one (flows.delivery.outbox).

    Past due means the message that should have tried it was lost, its enqueue
    failed, or its retry was left to the sweep. Two sweeps never both take a row.
    """
    return [delivery_id for (delivery_id,) in outbox.claim_due(WebhookDelivery, ("id",), limit)]
