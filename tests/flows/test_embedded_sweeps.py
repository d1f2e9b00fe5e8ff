"""The embedded default (SQLite, no broker) runs the beat schedule inside the web process.

Each story loads the WSGI entry point as gunicorn and runserver do, then lets
time pass without anyone calling the API or the portal: the sweeps alone must
expire loops and leases and retry webhooks.
"""

from __future__ import annotations

import importlib
import time

import pytest
from django.db import OperationalError, close_old_connections

from flows.loops import lifecycle
from flows.models import HumanLoop, ReviewTask, WebhookDelivery
from hitl.kernel import clock
from hitl.kernel.coordination.models import SweepLease
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not _holds(predicate):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.2)
        close_old_connections()


def _holds(predicate) -> bool:
    try:
        return bool(predicate())
    except OperationalError as exc:
        # The test database is SQLite in shared-cache memory, where a reader meets the sweep thread's
        # table lock instead of waiting for it (a file database, as the embedded default uses, waits).
        assert "locked" in str(exc)
        return False


@pytest.fixture
def web_process(settings):
    """Call it to make this process a web process of the embedded default: hitl.wsgi loaded (again), no broker.

    Tests arrange their rows first: in the shared-cache memory database of the tests, a write that meets
    the sweep thread's table lock fails at once instead of waiting.
    """
    assert not settings.CELERY_BROKER_URL and settings.CELERY_TASK_ALWAYS_EAGER

    def start():
        import hitl.wsgi

        importlib.reload(hitl.wsgi)

    yield start
    from hitl.kernel import embedded_beat

    embedded_beat.stop()
    assert not embedded_beat.running()


@pytest.fixture
def flaky_receiver(webhook_receiver):
    """A webhook receiver that answers 500 to the first POST and 200 afterwards."""
    return webhook_receiver(lambda n: 500 if n == 1 else 200)


def _team(**flow_overrides):
    acct = f.account()
    reviewer = f.user()
    flow = f.flow_definition(acct, f.workteam(acct, members=[reviewer]), **flow_overrides)
    return acct, reviewer, flow


def test_an_expired_loop_becomes_failed_without_anyone_reading_it(web_process):
    _, _, flow = _team(task_availability_lifetime_seconds=60)
    loop = f.human_loop(flow, name="late")
    clock.advance(61)
    web_process()

    wait_until(lambda: HumanLoop.objects.get(id=loop.id).status == "Failed", 10, "the loop to expire")
    loop.refresh_from_db()
    assert (loop.failure_code, loop.failure_reason) == ("Expired", lifecycle.EXPIRED_REASON)
    assert loop.status_events.get().body["detail"]["humanLoopStatus"] == "Failed"


def test_a_webhook_that_got_a_500_is_retried(settings, flaky_receiver, web_process):
    url, received = flaky_receiver
    settings.HITL_WEBHOOK_URLS = [url]
    acct, reviewer, flow = _team()
    f.human_loop(flow)
    task = lifecycle.claim_next_task(reviewer)
    lifecycle.submit_task(reviewer, task.id, {"ok": True})
    assert [h["X-Hitl-Delivery-Attempt"] for h, _ in received] == ["1"]  # delivered at commit, refused
    web_process()

    # The backoff after one failure is 2 s: the sweep sends attempt 2 then, with no one calling anything.
    wait_until(lambda: WebhookDelivery.objects.get().state == "delivered", 15, "the retried delivery")
    assert [h["X-Hitl-Delivery-Attempt"] for h, _ in received] == ["1", "2"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.last_status_code) == (2, 200)
    tries = list(delivery.attempt_rows.order_by("attempted_at").values_list("status", "response_status_code"))
    assert tries == [("failed", 500), ("success", 200)]


def test_an_expired_lease_is_released(web_process):
    _, reviewer, flow = _team()
    f.human_loop(flow)
    task = lifecycle.claim_next_task(reviewer)
    clock.advance(flow.task_time_limit_seconds + 1)
    web_process()

    wait_until(lambda: ReviewTask.objects.get(id=task.id).state == "open", 20, "the lease to be released")
    assert ReviewTask.objects.get(id=task.id).worker_id is None


def test_each_sweep_runs_in_one_process_at_a_time(monkeypatch):
    from hitl.kernel import embedded_beat

    # "Process" A takes every sweep; B, right after, finds them all held.
    monkeypatch.setattr(embedded_beat, "holder_name", lambda: "host:a")
    assert sorted(embedded_beat.run_due_sweeps()) == [
        "deadline-steps",
        "expire-leases",
        "expire-loops",
        "index-loop-search",
        "redeliver-outbox",
        "send-notifications",
        "settle-side-writes",
    ]
    monkeypatch.setattr(embedded_beat, "holder_name", lambda: "host:b")
    assert embedded_beat.run_due_sweeps() == []

    # Each sweep is due again after its own interval, and then whoever looks first takes it.
    clock.advance(6)
    assert sorted(embedded_beat.run_due_sweeps()) == [
        "deadline-steps",
        "index-loop-search",
        "redeliver-outbox",
        "send-notifications",
    ]
    assert SweepLease.objects.get(name="redeliver-outbox").holder == "host:b"
    assert SweepLease.objects.get(name="expire-loops").holder == "host:a"


def test_a_process_that_died_mid_sweep_holds_it_only_until_its_lease_ends(monkeypatch):
    from hitl.kernel import embedded_beat

    now = clock.now()
    # A holder took expire-loops and never came back (killed): its lease is the task's time limit.
    assert embedded_beat._claim("expire-loops", now, lease_seconds=300)
    clock.advance(299)
    assert "expire-loops" not in embedded_beat.run_due_sweeps()
    clock.advance(2)
    assert "expire-loops" in embedded_beat.run_due_sweeps()


def test_no_thread_is_started_when_a_broker_runs_the_beat(settings):
    from hitl.kernel import embedded_beat

    settings.HITL_EMBEDDED_SWEEPS = False
    assert embedded_beat.start() is False
    assert not embedded_beat.running()
