"""Status-change events in the EventBridge "SageMaker A2I HumanLoop Status Change" shape.

Each terminal transition stores one StatusEvent (and one WebhookDelivery per
active endpoint) in the same transaction as the transition: an outbox, so an
event is never lost and keeps its id across delivery retries.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction

from flows import jobs
from flows.delivery import outbox, webhooks
from flows.delivery.outputs import flow_arn, iso_millis
from flows.models import HumanLoop, ReviewTask, StatusEvent, WebhookDelivery, WebhookEndpoint
from hitl.kernel import arns, clock
from hitl.kernel.transactions import enqueue_on_commit

DETAIL_TYPE = "SageMaker A2I HumanLoop Status Change"

logger = logging.getLogger(__name__)
_inline = threading.local()


@contextmanager
def delivering_inline(max_countdown: float) -> Iterator[None]:
    """Within this block, deliver new events' webhooks at commit, in this process, not as a second task.

    The output worker (flows.tasks.finalize_loop) uses it: the event it stores is POSTed
    right after its transaction commits, saving a broker round trip and a wait in the
    queue behind other output writes. The WebhookDelivery row stays the retry net: a
    failed POST is retried as a countdown task (up to `max_countdown` s) or by the
    outbox sweep, as a delivery task's would be.
    """
    _inline.max_countdown = max_countdown
    try:
        yield
    finally:
        _inline.max_countdown = None


def _deliver_now(delivery_id: int, max_countdown: float) -> None:
    try:
        countdown = webhooks.deliver(delivery_id, max_countdown=max_countdown)
    except Exception:  # the row's next_attempt_at hands it to the outbox sweep
        logger.warning("inline webhook delivery %s failed; the outbox sweep retries it", delivery_id, exc_info=True)
        return
    if countdown is not None:
        try:
            jobs.DELIVER_WEBHOOK.task.apply_async((delivery_id,), countdown=countdown)
        except Exception:  # broker down: the sweep retries when the row is due
            logger.warning("could not schedule the retry of webhook delivery %s", delivery_id, exc_info=True)


def build_event(loop: HumanLoop, event_id: uuid.UUID) -> dict[str, Any]:
    """Return the event document for the loop's current (terminal) status."""
    account_id = loop.account.aws_account_id
    loop_arn = arns.build("human-loop", account_id, loop.name)
    failed = loop.status == HumanLoop.Status.FAILED
    return {
        "version": "0",
        "id": str(event_id),
        "detail-type": DETAIL_TYPE,
        "source": "aws.sagemaker",
        "account": account_id,
        "time": clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": settings.HITL_REGION,
        "resources": [loop_arn],
        "detail": {
            "creationTime": iso_millis(loop.created_at),
            "failureCode": loop.failure_code if failed else None,
            "failureReason": loop.failure_reason if failed else None,
            "flowDefinitionArn": flow_arn(loop.flow_definition),
            "humanLoopArn": loop_arn,
            "humanLoopName": loop.name,
            "humanLoopOutput": {"outputS3Uri": loop.output_s3_uri} if loop.output_s3_uri else None,
            "humanLoopStatus": loop.status,
            # hitl extension: the answers themselves, so an agent runtime resumes without reading S3.
            "humanAnswers": human_answers(loop.id),
        },
    }


def human_answers(loop_id: int) -> list[dict[str, Any]]:
    """Return the loop's submitted answers in submission order, as output.json's humanAnswers abridged.

    Each is {"answerContent", "submissionTime", "workerId"}; a tool-call review's
    answerContent is LangChain's HITLResponse ({"decisions": [...]}).
    """
    rows = (
        ReviewTask.objects.filter(human_loop_id=loop_id, state=ReviewTask.State.SUBMITTED)
        .order_by("submitted_at", "id")
        .values_list("answer", "submitted_at", "worker__worker__worker_id")
    )
    return [
        {"answerContent": answer, "submissionTime": iso_millis(submitted_at), "workerId": worker_id}
        for answer, submitted_at, worker_id in rows
    ]


def record_status_change(loop: HumanLoop) -> StatusEvent:
    """Store the event for the loop's new status and schedule its deliveries (caller holds a transaction)."""
    event_id = uuid.uuid4()
    event = StatusEvent.objects.create(event_id=event_id, human_loop=loop, body=build_event(loop, event_id))
    ensure_configured_endpoints(loop.account_id)
    endpoints = WebhookEndpoint.objects.filter(account_id=loop.account_id, is_active=True)
    sweep_at = outbox.handed_to_message()
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(event=event, endpoint=e, next_attempt_at=sweep_at) for e in endpoints
    )
    inline = getattr(_inline, "max_countdown", None)
    for delivery in deliveries:
        if inline is not None:
            transaction.on_commit(partial(_deliver_now, delivery.id, inline))
        else:
            enqueue_on_commit(
                jobs.DELIVER_WEBHOOK,
                delivery.id,
                on_failure=partial(outbox.mark_due_now, WebhookDelivery, id=delivery.id),
            )
    return event


def ensure_configured_endpoints(account_id: int) -> None:
    """Create the account's rows for HITL_WEBHOOK_URLS (signed with HITL_WEBHOOK_SECRET) if missing.

    HITL_EVENT_SQS_QUEUE_URL and HITL_EVENT_BUS_NAME become `sqs:`/`eventbridge:` rows the same way.

    Operators configure deployment-wide endpoints by environment; they become
    ordinary WebhookEndpoint rows of every account that emits an event, so
    they share the delivery log and can be deactivated in the admin.
    """
    urls = list(settings.HITL_WEBHOOK_URLS)
    if settings.HITL_EVENT_SQS_QUEUE_URL:
        urls.append(webhooks.SQS_PREFIX + settings.HITL_EVENT_SQS_QUEUE_URL)
    if settings.HITL_EVENT_BUS_NAME:
        urls.append(webhooks.EVENTBRIDGE_PREFIX + settings.HITL_EVENT_BUS_NAME)
    if not urls:
        return
    existing = set(WebhookEndpoint.objects.filter(account_id=account_id, url__in=urls).values_list("url", flat=True))
    for url in urls:
        if url not in existing:
            # get_or_create re-reads after a unique-constraint race with a parallel transition.
            WebhookEndpoint.objects.get_or_create(
                account_id=account_id, url=url, defaults={"secret": settings.HITL_WEBHOOK_SECRET}
            )
