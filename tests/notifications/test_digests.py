"""New work is announced as one digest per reviewer per window, never one message per loop."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from flows import jobs
from flows.loops import bulk, lifecycle
from hitl.kernel import clock
from notifications import tasks
from notifications.models import Delivery, ReviewerSettings, TeamOptOut
from tests import factories

pytestmark = pytest.mark.django_db


def _start_many(flow, count: int, prefix: str) -> None:
    items = [{"HumanLoopName": f"{prefix}-{n}", "InputContent": "{}"} for n in range(count)]
    summary = bulk.bulk_start_human_loops(flow.account, flow, items)
    assert summary.created == count


def test_ten_thousand_loops_in_a_minute_make_one_digest_per_reviewer_per_window(smtp_server, notified, settings):
    settings.HITL_NOTIFY_DIGEST_SECONDS = 300
    clock.set_now(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    for second in range(0, 60, 6):  # 10,000 loops over one minute, the sweep running all along
        _start_many(notified.flow, 1000, f"burst-{second}")
        tasks.send_notifications()
        clock.advance(6)

    assert len(smtp_server) == 2  # one per reviewer, not 10,000
    first = smtp_server[0]
    assert first["Subject"] == "1000 new tasks for team-a"  # the first thousand, at once
    assert "List-Unsubscribe" in first and first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    clock.advance(300 - 60)  # the window ends: the other 9,000 in one digest each
    tasks.send_notifications()
    assert len(smtp_server) == 4
    assert smtp_server[-1]["Subject"] == "9000 new tasks for team-a"
    assert Delivery.objects.count() == 4


class _Broker:
    """Stands in for Celery's delay() of the announce job: records each enqueue; the test runs the job."""

    name = "notifications.tasks.send_notifications"

    def __init__(self) -> None:
        self.sent: list[float] = []

    def delay(self) -> None:
        self.sent.append(time.monotonic())


def test_a_started_loop_has_its_digest_sent_at_once_not_at_the_next_beat(
    smtp_server, notified, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.HITL_NOTIFY_DIGEST_SECONDS = 300
    broker = _Broker()
    monkeypatch.setattr(jobs.ANNOUNCE_NEW_WORK, "_task", broker)
    monkeypatch.setattr(lifecycle, "_announced_at", {})
    clock.set_now(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))

    def start(count: int = 1) -> float:
        settings.CELERY_TASK_ALWAYS_EAGER = False  # started with a broker: the job goes to a worker
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(count):
                factories.human_loop(notified.flow)
        settings.CELERY_TASK_ALWAYS_EAGER = True  # the test runs the worker's side itself
        return time.monotonic()

    created = start()
    assert len(broker.sent) == 1  # enqueued at the loop's commit: the worker sends the digest now
    tasks.send_notifications()  # what the worker runs
    assert len(smtp_server) == 2 and smtp_server.arrived_at[0] - created < 1

    clock.advance(10)
    start(50)  # the rest of the window: its digest is sent, so no more jobs
    assert len(broker.sent) == 1

    clock.advance(300)
    start()
    assert len(broker.sent) == 2  # a new window: announced at once again


def test_quiet_hours_hold_a_digest_until_they_end_and_an_unsubscribed_reviewer_gets_none(smtp_server, notified):
    quiet, gone = notified.reviewers
    ReviewerSettings.objects.create(
        user=quiet, quiet_start=dt.time(22, 0), quiet_end=dt.time(7, 0), time_zone="Europe/Berlin"
    )
    TeamOptOut.objects.create(user=gone, workteam=notified.team)
    clock.set_now(dt.datetime(2026, 12, 1, 22, 30, tzinfo=dt.UTC))  # 23:30 in Berlin
    factories.human_loop(notified.flow)

    tasks.send_notifications()
    assert smtp_server == []
    row = Delivery.objects.get()
    assert row.recipient == quiet and row.next_attempt_at == dt.datetime(2026, 12, 2, 6, 0, tzinfo=dt.UTC)

    clock.set_now(dt.datetime(2026, 12, 2, 6, 0, 1, tzinfo=dt.UTC))  # 07:00 in Berlin
    tasks.send_notifications()
    assert [m["To"] for m in smtp_server] == [quiet.email]
