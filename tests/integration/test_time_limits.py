"""Loop lifetime and task leases: correct on read with a moved clock, and swept by the real beat."""

import pytest

from flows.loops import lifecycle
from flows.models import HumanLoop, OutputOutbox, ReviewTask, StatusEvent
from hitl.kernel import clock
from hitl.kernel.errors import Conflict
from tests.integration import scenario
from tests.integration.conftest import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_loop_past_its_lifetime_is_never_handed_out_and_fails_as_expired(live):
    t = scenario.team(reviewers=3, task_count=3, task_availability_lifetime_seconds=600)
    loop = scenario.start(t, "expiring")
    alice, bob, carol = t.reviewers
    first = lifecycle.claim_next_task(alice)
    lifecycle.submit_task(alice, first.id, {"ok": True})
    held = lifecycle.claim_next_task(bob)

    clock.advance(601)
    # No sweep has run yet, and still: nothing is handed out and a late answer is refused.
    assert HumanLoop.objects.get(id=loop.id).status == "InProgress"
    assert lifecycle.claim_next_task(carol) is None
    with pytest.raises(Conflict):
        lifecycle.submit_task(bob, held.id, {"late": True})

    assert lifecycle.expire_loops() == 1
    loop.refresh_from_db()
    assert (loop.status, loop.failure_code) == ("Failed", "Expired")
    assert loop.failure_reason == "The task expired before the required number of workers completed it."
    assert loop.output_s3_uri == ""
    assert not OutputOutbox.objects.filter(human_loop=loop).exists()
    assert set(ReviewTask.objects.filter(human_loop=loop).values_list("state", flat=True)) == {
        "submitted",
        "cancelled",
    }
    [event] = StatusEvent.objects.filter(human_loop=loop)
    assert event.body["detail"]["humanLoopStatus"] == "Failed"
    assert event.body["detail"]["failureCode"] == "Expired"
    assert lifecycle.expire_loops() == 0  # a second sweep changes nothing


def test_a_lease_past_its_time_limit_goes_to_another_reviewer_and_the_late_submit_gets_409(live):
    t = scenario.team(reviewers=2, task_count=1, task_time_limit_seconds=60)
    scenario.start(t, "leased")
    alice, bob = t.reviewers
    task = lifecycle.claim_next_task(alice)

    clock.advance(61)
    # Bob's claim reopens the abandoned lease itself; no sweep needed.
    again = lifecycle.claim_next_task(bob)
    assert again is not None and again.id == task.id
    with pytest.raises(Conflict, match="no longer assigned"):
        lifecycle.submit_task(alice, task.id, {"late": True})
    assert lifecycle.claim_next_task(alice) is None  # a timed-out reviewer does not get the loop again
    lifecycle.submit_task(bob, again.id, {"sentiment": {"label": "Positive"}})

    scenario.wait_for_status(["leased"], "Completed", timeout=20)
    assert [a["workerId"] for a in scenario.read_output("leased")["humanAnswers"]] == [bob.worker.worker_id]


def test_the_real_beat_sweeps_return_abandoned_leases_and_fail_expired_loops(live):
    # Real time here: the worker process has its own clock.
    t = scenario.team(reviewers=1, task_count=1, task_time_limit_seconds=1)
    scenario.start(t, "abandoned")
    task = lifecycle.claim_next_task(t.reviewers[0])
    short = scenario.team(reviewers=1, task_count=1, task_availability_lifetime_seconds=1)
    scenario.start(short, "short-lived")

    # expire-leases runs every 15 s, expire-loops every 30 s.
    wait_until(lambda: ReviewTask.objects.get(id=task.id).state == "open", 35, "the lease sweep")
    scenario.wait_for_status(["short-lived"], "Failed", timeout=35)
    assert HumanLoop.objects.get(name="short-lived").failure_code == "Expired"
    assert HumanLoop.objects.get(name="abandoned").status == "InProgress"
