"""Edges of the lifecycle: stop with a lease out, late and foreign submits, the sweep commands."""

from io import StringIO

import pytest
from django.core.management import call_command

from flows.loops import lifecycle
from flows.models import HumanLoop, ReviewTask
from hitl.kernel import clock
from hitl.kernel.errors import Conflict, NotFound
from tests import factories as f


@pytest.fixture
def setup():
    acct = f.account()
    alice, bob, outsider = f.user(), f.user(), f.user()
    flow = f.flow_definition(acct, f.workteam(acct, members=[alice, bob]), task_count=2, task_time_limit_seconds=60)
    lifecycle.start_human_loop(account=acct, name="loop-1", flow_definition_arn=f.flow_arn(flow), input_content="{}")
    return acct, alice, bob, outsider


@pytest.mark.django_db(transaction=True)
def test_a_stopping_loop_whose_last_lease_times_out_ends_stopped_and_the_late_submit_gets_409(setup):
    acct, alice, bob, _ = setup
    task = lifecycle.claim_next_task(alice)
    assert lifecycle.stop_human_loop(account=acct, name="loop-1").status == "Stopping"
    assert lifecycle.claim_next_task(bob) is None  # the unclaimed task was cancelled

    clock.advance(61)
    out = StringIO()
    call_command("expire_human_loops", stdout=out)
    assert "Reopened 1 timed-out tasks" in out.getvalue()

    loop = HumanLoop.objects.get(name="loop-1")
    assert (loop.status, loop.output_s3_uri) == ("Stopped", "")
    assert set(ReviewTask.objects.filter(human_loop=loop).values_list("state", flat=True)) == {"cancelled"}
    with pytest.raises(Conflict, match="Stopped"):
        lifecycle.submit_task(alice, task.id, {"late": True})
    assert [e.body["detail"]["humanLoopStatus"] for e in loop.status_events.all()] == ["Stopped"]


@pytest.mark.django_db(transaction=True)
def test_an_answer_given_while_stopping_is_written_to_the_output_of_the_stopped_loop(setup):
    acct, alice, _, _ = setup
    task = lifecycle.claim_next_task(alice)
    lifecycle.stop_human_loop(account=acct, name="loop-1")
    lifecycle.submit_task(alice, task.id, {"sentiment": {"label": "Neutral"}})

    loop = HumanLoop.objects.get(name="loop-1")
    assert loop.status == "Stopped" and loop.output_s3_uri.endswith("/loop-1/output.json")
    [event] = loop.status_events.all()
    assert event.body["detail"]["humanLoopOutput"] == {"outputS3Uri": loop.output_s3_uri}


@pytest.mark.django_db(transaction=True)
def test_someone_who_never_held_the_task_learns_nothing_about_it(setup):
    _, alice, _, outsider = setup
    task = lifecycle.claim_next_task(alice)
    with pytest.raises(NotFound):
        lifecycle.submit_task(outsider, task.id, {"x": 1})
    with pytest.raises(NotFound):
        lifecycle.submit_task(alice, 999_999, {"x": 1})


@pytest.mark.django_db(transaction=True)
def test_the_expiry_command_fails_loops_past_their_lifetime_once(setup):
    clock.advance(864000 + 1)
    out = StringIO()
    call_command("expire_human_loops", stdout=out)
    call_command("expire_human_loops", stdout=out)
    assert "failed 1 expired human loops" in out.getvalue()
    assert "failed 0 expired human loops" in out.getvalue()
    assert HumanLoop.objects.get(name="loop-1").failure_code == "Expired"
    out = StringIO()
    call_command("redeliver_outbox", stdout=out)
    assert "Re-enqueued 0" in out.getvalue()
