"""Outbound work keeps one row per try, shown in the admin and audited; lost work is due again at once."""

from __future__ import annotations

import datetime as dt

import pytest
from celery.exceptions import Retry
from django.contrib.auth import get_user_model
from django.db import OperationalError
from django.urls import reverse

from flows import tasks
from flows.delivery import outbox, webhooks
from flows.delivery.storage import get_store
from flows.loops import lifecycle
from flows.models import HumanLoop, OutputOutbox, OutputWriteAttempt, WebhookDelivery
from hitl.kernel import clock
from tests import factories as f
from workforce.models import AuditRecord

pytestmark = pytest.mark.django_db(transaction=True)


class _BrokenStore:
    def put(self, *args, **kwargs):
        raise ConnectionError("S3 is unreachable")


def _answered_loop(name: str = "loop-1") -> HumanLoop:
    acct = f.account()
    reviewer = f.user()
    flow = f.flow_definition(acct, f.workteam(acct, members=[reviewer]), task_count=1)
    lifecycle.start_human_loop(
        account=acct, name=name, flow_definition_arn=f.flow_arn(flow), input_content='{"taskObject": "x"}'
    )
    task = lifecycle.claim_next_task(reviewer)
    lifecycle.submit_task(reviewer, task.id, {"sentiment": {"label": "Positive"}})
    return HumanLoop.objects.get(name=name)


def _seconds_from_now(when: dt.datetime) -> float:
    return (when - clock.now()).total_seconds()


def test_each_output_write_is_an_attempt_row_failures_are_audited_and_shown_in_the_admin(monkeypatch, client):
    monkeypatch.setattr("flows.delivery.outputs.get_store", lambda: _BrokenStore())
    loop = _answered_loop()
    row = OutputOutbox.objects.get(human_loop=loop)
    # Without a broker the retry is the sweep's, due after the backoff (1 s), with no grace on top.
    assert _seconds_from_now(row.next_attempt_at) == pytest.approx(1, abs=0.5)

    monkeypatch.setattr("flows.delivery.outputs.get_store", get_store)
    clock.advance(2)
    assert tasks.redeliver_outbox() == 1
    loop.refresh_from_db()
    assert loop.status == "Completed"

    tries = list(OutputWriteAttempt.objects.filter(outbox=row).order_by("attempted_at", "id"))
    assert [(t.status, "S3 is unreachable" in t.error) for t in tries] == [("failed", True), ("success", False)]
    [failure] = AuditRecord.objects.filter(operation="WriteHumanLoopOutput")
    assert (failure.kind, failure.result, failure.account_id) == ("loop", "Failed", loop.account_id)
    assert failure.resource == f"human-loop/{loop.id}" and "S3 is unreachable" in failure.details["error"]

    client.force_login(get_user_model().objects.create_superuser("ops", "ops@example.com", "pw"))
    page = client.get(reverse("admin:flows_outputoutbox_change", args=[row.id])).content.decode()
    assert "Attempts" in page and "S3 is unreachable" in page and "Success" in page


def test_each_webhook_try_is_an_attempt_row_with_its_response_code_shown_on_the_delivery(settings, client):
    settings.HITL_WEBHOOK_URLS = ["http://127.0.0.1:9/nothing-listens-here"]
    _answered_loop()
    delivery = WebhookDelivery.objects.get()
    clock.advance(3)
    assert tasks.redeliver_outbox() == 1

    tries = list(delivery.attempt_rows.order_by("attempted_at", "id"))
    assert [(t.status, t.response_status_code) for t in tries] == [("failed", None), ("failed", None)]
    assert all("Connection" in t.error for t in tries)
    assert AuditRecord.objects.filter(operation="DeliverWebhook", result="Failed").count() == 2

    client.force_login(get_user_model().objects.create_superuser("ops", "ops@example.com", "pw"))
    page = client.get(reverse("admin:flows_webhookdelivery_change", args=[delivery.id])).content.decode()
    assert page.count("nothing-listens-here") >= 1 and "Attempts" in page and "ConnectionError" in page


def test_a_failed_enqueue_makes_the_output_due_at_once(monkeypatch):
    def broker_down(*args, **kwargs):
        raise OSError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.finalize_loop, "delay", broker_down)
    loop = _answered_loop()
    assert loop.status == "InProgress"
    assert _seconds_from_now(OutputOutbox.objects.get(human_loop=loop).next_attempt_at) <= 0

    # The very next sweep (every 5 s) re-sends it: no HITL_OUTBOX_GRACE_SECONDS wait.
    monkeypatch.undo()
    assert tasks.redeliver_outbox() == 1
    loop.refresh_from_db()
    assert loop.status == "Completed"


def test_work_handed_to_a_message_is_taken_over_one_grace_later_and_not_before(settings, monkeypatch):
    monkeypatch.setattr(tasks.finalize_loop, "delay", lambda *args: None)  # the message is lost in the broker
    loop = _answered_loop()
    assert _seconds_from_now(OutputOutbox.objects.get(human_loop=loop).next_attempt_at) == pytest.approx(
        settings.HITL_OUTBOX_GRACE_SECONDS, abs=1
    )
    assert settings.HITL_OUTBOX_GRACE_SECONDS + settings.CELERY_BEAT_SCHEDULE["redeliver-outbox"]["schedule"] <= 30

    clock.advance(settings.HITL_OUTBOX_GRACE_SECONDS - 1)
    assert tasks.redeliver_outbox() == 0
    clock.advance(2)
    monkeypatch.undo()
    assert tasks.redeliver_outbox() == 1
    loop.refresh_from_db()
    assert loop.status == "Completed"


def test_a_task_whose_failure_bookkeeping_fails_still_retries(monkeypatch):
    monkeypatch.setattr(tasks.finalize_loop, "delay", lambda *args: None)
    loop = _answered_loop()

    def database_restarting(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(lifecycle, "finalize_loop", database_restarting)
    monkeypatch.setattr(lifecycle, "record_output_failure", database_restarting)
    retried = []

    def retry(exc=None, countdown=None, **kwargs):
        retried.append((repr(exc), countdown))
        return Retry(exc=exc, when=countdown)

    monkeypatch.setattr(tasks.finalize_loop, "retry", retry)
    # As a worker runs it: a message with an id, not eager.
    tasks.finalize_loop.push_request(id="t-1", retries=0, is_eager=False, called_directly=False)
    try:
        with pytest.raises(Retry):
            tasks.finalize_loop.run(loop.id)
    finally:
        tasks.finalize_loop.pop_request()
    assert retried == [("OperationalError('terminating connection due to administrator command')", 1)]


def test_a_webhook_backoff_longer_than_a_worker_should_hold_goes_back_to_the_sweep(settings):
    settings.HITL_WEBHOOK_URLS = ["http://127.0.0.1:9/nothing-listens-here"]
    _answered_loop()
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(id=delivery.id).update(attempts=6)  # the next backoff is 128 s

    assert webhooks.deliver(delivery.id, max_countdown=tasks.WEBHOOK_MAX_COUNTDOWN_SECONDS) is None
    delivery.refresh_from_db()
    assert _seconds_from_now(delivery.next_attempt_at) == pytest.approx(128, abs=1)

    WebhookDelivery.objects.filter(id=delivery.id).update(attempts=1)  # the next backoff is 4 s: a countdown
    assert webhooks.deliver(delivery.id, max_countdown=tasks.WEBHOOK_MAX_COUNTDOWN_SECONDS) == 4
    delivery.refresh_from_db()
    assert _seconds_from_now(delivery.next_attempt_at) == pytest.approx(4 + settings.HITL_OUTBOX_GRACE_SECONDS, abs=1)
    assert outbox.claim_due(WebhookDelivery, ("id",), 10) == []


def test_the_broker_visibility_timeout_exceeds_every_task_time_limit_plus_the_longest_countdown(settings):
    from hitl.celery import app

    app.loader.import_default_modules()
    ours = [task for name, task in app.tasks.items() if not name.startswith("celery.")]
    longest_run = max(task.time_limit or settings.CELERY_TASK_TIME_LIMIT for task in ours)
    longest_countdown = max(tasks.OUTPUT_MAX_BACKOFF_SECONDS, tasks.WEBHOOK_MAX_COUNTDOWN_SECONDS)
    # Otherwise Redis would hand a running or waiting task to a second worker (a duplicate every timeout).
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > longest_run + longest_countdown
