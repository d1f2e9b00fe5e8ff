"""A deadline burst: thousands of loops past their deadline time out in one sweep, a batch at a time, set-based.

Each batch of 1,000 is a few statements in one transaction (flows.loops.lifecycle.time_out_human_loops),
with the same outcome as one loop's timeout: tasks cancelled, the output saying why, Failed/Expired with its
event. A crash inside a batch takes none of it, and the re-run writes each output once.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.db import transaction

from flows import jobs
from flows.definitions import services
from flows.loops import bulk, lifecycle
from flows.models import HumanLoop, OutputOutbox, ReviewTask
from hitl.kernel import clock
from notifications import sweeps
from notifications.models import LoopStep
from tests import factories

pytestmark = pytest.mark.django_db

LOOPS = 2100  # three batches of sweeps.BATCH


@pytest.fixture
def burst(notified, monkeypatch, django_capture_on_commit_callbacks):
    """LOOPS open loops of a flow with a 10 min deadline (fail), one of them leased; the output jobs recorded."""
    clock.set_now(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    flow = notified.flow
    services.add_tags(notified.account, factories.flow_arn(flow), [{"Key": "hitl:deadline", "Value": "10m"}])
    flow = type(flow).objects.get(id=flow.id)
    items = ({"HumanLoopName": f"late-{n}", "InputContent": "{}"} for n in range(LOOPS))
    assert bulk.bulk_start_human_loops(notified.account, flow, items).created == LOOPS
    held = lifecycle.claim_next_task(notified.reviewers[0])
    enqueued: list[int] = []  # the output writes (a worker's job, at commit): run by the test when it says so
    monkeypatch.setattr(
        lifecycle,
        "enqueue_on_commit",
        lambda job, loop_ids, **kwargs: transaction.on_commit(lambda: enqueued.extend(loop_ids)),
    )
    clock.advance(10 * 60 + 1)

    def sweep() -> int:
        with django_capture_on_commit_callbacks(execute=True):  # the test's transaction never commits
            return sweeps.run_deadline_steps()

    return {"flow": flow, "held": held, "enqueued": enqueued, "sweep": sweep}


def test_a_deadline_burst_times_out_every_loop_in_one_sweep_in_a_few_statements_a_batch(
    burst, django_assert_max_num_queries
):
    # One loop a transaction was ~6 statements a loop (12,600 here) and 1,000 loops a sweep. About 20 on
    # PostgreSQL; SQLite splits each bulk INSERT by its limit of bound variables (~90 outbox rows a statement).
    with django_assert_max_num_queries(100):
        assert burst["sweep"]() == LOOPS

    assert OutputOutbox.objects.count() == LOOPS == LoopStep.objects.filter(step="timeout").count()
    assert sorted(burst["enqueued"]) == sorted(HumanLoop.objects.values_list("id", flat=True))
    assert not ReviewTask.objects.exclude(state="cancelled").exists()  # the held task too: no answer after the deadline
    assert burst["sweep"]() == 0  # nothing twice


def test_a_timed_out_loop_of_a_burst_ends_as_one_loop_does(burst):
    burst["sweep"]()
    loop = burst["held"].human_loop
    lifecycle.finalize_loop(loop.id)  # the output job

    loop.refresh_from_db()
    assert (loop.status, loop.failure_code) == ("Failed", "Expired")
    assert "deadline of 600 s passed" in loop.failure_reason
    event = loop.status_events.get().body["detail"]
    assert (event["humanLoopStatus"], event["failureCode"]) == ("Failed", "Expired")
    bucket, key = loop.output_s3_uri.removeprefix("s3://").split("/", 1)
    output = json.loads((settings.HITL_LOCAL_STORE_DIR / bucket / key).read_text())
    assert output["hitlTimeout"] == {
        "action": "fail",
        "deadlineSeconds": 600,
        "reason": loop.failure_reason,
        "at": "2026-12-01T09:10:01.000Z",
    }
    assert output["humanAnswers"] == []


def test_a_crash_inside_a_batch_takes_none_of_it_and_the_rerun_writes_each_output_once(burst, monkeypatch):
    real = LoopStep.objects.bulk_create
    calls = []

    def crash_on_the_second_batch(rows, **kwargs):
        calls.append(len(rows))
        if len(calls) == 2:
            raise ConnectionError("killed between the batch's outbox rows and its commit")
        return real(rows, **kwargs)

    monkeypatch.setattr(LoopStep.objects, "bulk_create", crash_on_the_second_batch)
    with pytest.raises(ConnectionError):
        burst["sweep"]()
    # The first batch committed whole; the second left nothing: no outbox row, no job, its tasks still open.
    assert OutputOutbox.objects.count() == 1000 == len(burst["enqueued"])
    assert ReviewTask.objects.filter(state="cancelled").count() == 1000
    monkeypatch.setattr(LoopStep.objects, "bulk_create", real)

    assert burst["sweep"]() == LOOPS - 1000
    assert sorted(burst["enqueued"]) == sorted(HumanLoop.objects.values_list("id", flat=True))  # each once
    for loop_id in burst["enqueued"][:3] + burst["enqueued"][-3:]:
        lifecycle.finalize_loop(loop_id)
        lifecycle.finalize_loop(loop_id)  # a job delivered twice writes nothing more
    assert HumanLoop.objects.filter(status="Failed").count() == 6
    assert all(loop.status_events.count() == 1 for loop in HumanLoop.objects.filter(status="Failed"))


def test_the_output_jobs_of_a_batch_go_a_chunk_a_message_and_write_every_output(
    notified, django_capture_on_commit_callbacks, monkeypatch
):
    clock.set_now(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    services.add_tags(notified.account, factories.flow_arn(notified.flow), [{"Key": "hitl:deadline", "Value": "1m"}])
    flow = type(notified.flow).objects.get(id=notified.flow.id)
    items = ({"HumanLoopName": f"due-{n}", "InputContent": "{}"} for n in range(120))
    bulk.bulk_start_human_loops(notified.account, flow, items)
    messages = []
    finalize_loops = jobs.FINALIZE_LOOPS.task
    monkeypatch.setattr(finalize_loops, "delay", lambda ids: messages.append(ids) or finalize_loops.apply(args=(ids,)))
    clock.advance(61)

    with django_capture_on_commit_callbacks(execute=True):  # the jobs run at commit (no broker: eager)
        assert sweeps.run_deadline_steps() == 120

    assert [len(ids) for ids in messages] == [50, 50, 20]  # lifecycle.FINALIZE_CHUNK loops a message
    assert HumanLoop.objects.filter(status="Failed", failure_code="Expired").count() == 120
    for loop in HumanLoop.objects.all()[:3]:
        assert loop.status_events.count() == 1
        bucket, key = loop.output_s3_uri.removeprefix("s3://").split("/", 1)
        assert json.loads((settings.HITL_LOCAL_STORE_DIR / bucket / key).read_text())["hitlTimeout"]["action"] == "fail"
