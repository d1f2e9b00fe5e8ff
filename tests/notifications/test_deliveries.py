"""Every message is a delivery row with one attempt row per try, retried with backoff; failures are audited."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from hitl.kernel import clock
from notifications import delivery, senders, sweeps, tasks
from notifications.models import Channel, Delivery
from tests import factories
from tests.notifications.conftest import channel
from workforce.models import AuditRecord

pytestmark = pytest.mark.django_db


def test_a_failing_slack_webhook_is_retried_with_backoff_until_it_answers(http_receiver, notified, settings):
    url, received = http_receiver(lambda n: 500 if n < 3 else 200)
    clock.set_now(clock.now())
    slack = channel(notified.account, Channel.Kind.SLACK, url=url + "/slack")
    factories.human_loop(notified.flow)
    sweeps.send_digests()
    row = Delivery.objects.get(channel=slack)

    assert delivery.deliver(row.id) is False
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_status_code) == ("pending", 1, 500)
    assert row.id not in delivery.claim_due()  # not due until its backoff (2 s) has passed
    clock.advance(2)
    assert row.id in delivery.claim_due()
    delivery.deliver(row.id)
    clock.advance(4)
    delivery.deliver(row.id)

    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_status_code) == ("delivered", 3, 200)
    assert [a.status for a in row.attempt_rows.order_by("id")] == ["failed", "failed", "success"]
    failures = AuditRecord.objects.filter(operation="DeliverNotification")
    assert failures.count() == 2 and all(r.result == "Failed" and r.status_code == 500 for r in failures)
    assert f"notification-delivery/{row.id} slack:slack" == failures.first().resource
    # Slack got Block Kit with the flow's link.
    assert b'"blocks"' in received[-1][2] and b"Review sentiment: 1 new" in received[-1][2]


def test_a_delivery_is_marked_failed_after_the_last_attempt(http_receiver, notified, settings):
    settings.HITL_NOTIFY_MAX_ATTEMPTS = 2
    url, _ = http_receiver(lambda n: 503)
    teams = channel(notified.account, Channel.Kind.TEAMS, url=url + "/teams")
    factories.human_loop(notified.flow)
    sweeps.send_digests()
    row = Delivery.objects.get(channel=teams)

    delivery.deliver(row.id)
    delivery.deliver(row.id)
    delivery.deliver(row.id)  # a failed delivery is left alone

    row.refresh_from_db()
    assert (row.state, row.attempts) == ("failed", 2)
    assert row.attempt_rows.count() == 2


def test_the_sweep_sends_due_deliveries_once_even_when_run_twice(smtp_server, notified):
    factories.human_loop(notified.flow)

    tasks.send_notifications()  # eager: the deliveries are sent in the sweep
    tasks.send_notifications()

    assert sorted(m["To"] for m in smtp_server) == [r.email for r in notified.reviewers]
    assert Delivery.objects.filter(state="delivered").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_tasks_holding_one_delivery_send_it_once(notified, monkeypatch):
    """A delivery task that waited past its outbox grace meets the one the sweep enqueued again."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: SQLite runs one writer at a time")
    factories.human_loop(notified.flow)
    sweeps.send_digests()
    row = Delivery.objects.filter(channel=notified.email).order_by("id").first()
    sending, release, sent = threading.Event(), threading.Event(), []

    def slow_send(held: Delivery) -> tuple[int, str]:
        sent.append(held.id)
        sending.set()
        release.wait(10)
        return senders.SMTP_ACCEPTED, ""

    monkeypatch.setattr(senders, "send", slow_send)
    results = {}

    def first() -> None:
        try:
            results["first"] = delivery.deliver(row.id)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first)
    thread.start()
    assert sending.wait(10)
    results["second"] = delivery.deliver(row.id)  # while the first is still sending
    release.set()
    thread.join(10)

    assert sent == [row.id]
    assert results == {"first": True, "second": False}
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("delivered", 1)


def test_each_delivery_is_one_message_id_so_a_repeat_after_a_crash_can_be_dropped(smtp_server, notified):
    factories.human_loop(notified.flow)
    tasks.send_notifications()

    rows = Delivery.objects.filter(channel=notified.email)
    assert sorted(m["Message-ID"] for m in smtp_server) == sorted(
        f"<hitl-notification-{row.id}@localhost>" for row in rows
    )


@pytest.mark.django_db(transaction=True)
def test_a_send_on_sqlite_holds_no_transaction(notified, monkeypatch):
    """SQLite's transactions take the one write lock (IMMEDIATE): a slow channel must not stall every writer."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL locks the one delivery row while it is sent")
    factories.human_loop(notified.flow)
    sweeps.send_digests()
    row = Delivery.objects.filter(channel=notified.email).order_by("id").first()
    in_transaction = []

    def send(held: Delivery) -> tuple[int, str]:
        in_transaction.append(connection.in_atomic_block)
        return senders.SMTP_ACCEPTED, ""

    monkeypatch.setattr(senders, "send", send)
    assert delivery.deliver(row.id) is True
    assert in_transaction == [False]
