"""Webhook endpoints from settings, signed deliveries, backoff and giving up (embedded default, eager Celery)."""

import hashlib
import hmac
import json

import pytest

from flows import tasks
from flows.delivery import webhooks
from flows.loops import lifecycle
from flows.models import WebhookDelivery, WebhookEndpoint
from hitl.kernel import clock
from tests import factories as f


@pytest.fixture
def receiver(webhook_receiver):
    return webhook_receiver()


def _complete_a_loop(name: str = "loop-1"):
    acct = f.account()
    reviewer = f.user()
    flow = f.flow_definition(acct, f.workteam(acct, members=[reviewer]), task_count=1)
    lifecycle.start_human_loop(account=acct, name=name, flow_definition_arn=f.flow_arn(flow), input_content="{}")
    task = lifecycle.claim_next_task(reviewer)
    lifecycle.submit_task(reviewer, task.id, {"ok": True})
    return acct


@pytest.mark.django_db(transaction=True)
def test_urls_from_settings_become_endpoints_of_the_account_and_get_signed_events(settings, receiver):
    url, received = receiver
    settings.HITL_WEBHOOK_URLS = [url]
    settings.HITL_WEBHOOK_SECRET = "topsecret"

    acct = _complete_a_loop()

    endpoint = WebhookEndpoint.objects.get(account=acct)
    assert (endpoint.url, endpoint.secret) == (url, "topsecret")
    [(headers, body)] = received
    expected = "sha256=" + hmac.new(b"topsecret", body, hashlib.sha256).hexdigest()
    assert headers["X-Hitl-Signature-256"] == expected
    event = json.loads(body)
    assert event["detail"]["humanLoopStatus"] == "Completed"
    assert headers["X-Hitl-Event-Id"] == event["id"]
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_endpoint_is_retried_with_backoff_then_given_up(settings):
    settings.HITL_WEBHOOK_URLS = ["http://127.0.0.1:9/nothing-listens-here"]
    settings.HITL_WEBHOOK_MAX_ATTEMPTS = 3
    _complete_a_loop()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert delivery.last_status_code is None and "Connection" in delivery.last_error
    assert (delivery.next_attempt_at - clock.now()).total_seconds() == pytest.approx(2, abs=1)

    clock.advance(2 + settings.HITL_OUTBOX_GRACE_SECONDS)
    assert tasks.redeliver_outbox() == 1  # the sweep retries it: attempt 2
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("pending", 2)
    assert webhooks.deliver(delivery.id) is None  # attempt 3 is the last
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("failed", 3)
    assert webhooks.deliver(delivery.id) is None and WebhookDelivery.objects.get().attempts == 3


@pytest.mark.django_db(transaction=True)
def test_the_output_task_posts_the_webhook_at_its_commit_without_a_second_task(settings, receiver, monkeypatch):
    """One hop, not two: finalize_loop delivers its event's webhook itself; the row stays the retry net."""
    from flows import jobs

    url, received = receiver
    settings.HITL_WEBHOOK_URLS = [url]
    enqueued = []
    monkeypatch.setattr(jobs.DELIVER_WEBHOOK, "delay", lambda *args: enqueued.append(args))

    _complete_a_loop()

    assert len(received) == 1 and enqueued == []
    assert WebhookDelivery.objects.get().state == "delivered"
