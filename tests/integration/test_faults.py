"""Faults while loops complete: each story checks that no output is lost and none is written twice."""

import os
import signal
import time
import uuid

import pytest

from flows import tasks
from flows.models import HumanLoop, OutputOutbox
from tests.integration import scenario
from tests.integration.conftest import SERVICES_DIR, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _complete_answers(t: scenario.Team, prefix: str, count: int) -> list[str]:
    names = [f"{prefix}-{i}" for i in range(count)]
    for name in names:
        scenario.start(t, name)
    assert scenario.answer_everything(t) == count * t.flow.task_count
    return names


def _worker_log_count(text: str) -> int:
    return (SERVICES_DIR / "worker.log").read_text().count(text)


def test_a_worker_killed_while_writing_outputs_is_replaced_and_the_new_worker_finishes(live):
    t = scenario.team(reviewers=2, task_count=2)
    moto_pid = int((SERVICES_DIR / "s3.pid").read_text())
    received_before = _worker_log_count("flows.tasks.finalize_loop[")
    # Freeze the S3 server so the worker is caught inside put_object.
    os.kill(moto_pid, signal.SIGSTOP)
    try:
        names = _complete_answers(t, "killed", 5)
        wait_until(
            lambda: _worker_log_count("flows.tasks.finalize_loop[") > received_before, 15, "the worker to take a write"
        )
        time.sleep(0.5)
        live.kill_worker()
    finally:
        os.kill(moto_pid, signal.SIGCONT)
    assert HumanLoop.objects.filter(name__in=names, status="InProgress").count() == 5

    live.start_worker()
    # The killed worker's messages are stuck unacknowledged; the outbox sweep re-enqueues them.
    scenario.wait_for_status(names, "Completed", timeout=45)
    scenario.assert_written_once(names)
    assert not OutputOutbox.objects.filter(human_loop__name__in=names, state="pending").exists()


def test_outputs_wait_while_s3_is_down_for_30_seconds_and_appear_after_it_returns(live):
    t = scenario.team(reviewers=1, task_count=1)
    live.stop_s3()
    try:
        names = _complete_answers(t, "s3down", 4)
        wait_until(
            lambda: OutputOutbox.objects.filter(human_loop__name__in=names).exclude(last_error="").count() == 4,
            15,
            "failed write attempts to be recorded",
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            # The loop only turns Completed once its object exists.
            assert HumanLoop.objects.filter(name__in=names, status="InProgress").count() == 4
            time.sleep(2)
    finally:
        live.start_s3()
    scenario.wait_for_status(names, "Completed", timeout=75)
    scenario.assert_written_once(names)
    assert min(OutputOutbox.objects.filter(human_loop__name__in=names).values_list("attempts", flat=True)) >= 2


def test_loops_complete_across_a_redis_restart_that_loses_every_queued_message(live):
    t = scenario.team(reviewers=1, task_count=1)
    live.stop_worker()
    try:
        # Messages for these sit in Redis when it restarts without persistence.
        queued = _complete_answers(t, "queued", 3)
        live.stop_redis()
        try:
            # Enqueueing fails while Redis is down; the answers still commit.
            lost = _complete_answers(t, "unqueued", 2)
        finally:
            live.start_redis()
    finally:
        live.start_worker()
    names = queued + lost
    assert HumanLoop.objects.filter(name__in=names, status="InProgress").count() == 5
    scenario.wait_for_status(names, "Completed", timeout=45)
    scenario.assert_written_once(names)


def test_the_same_finalize_message_delivered_twice_writes_and_completes_once(live):
    t = scenario.team(reviewers=1, task_count=1)
    live.stop_worker()
    try:
        [name] = _complete_answers(t, "twice", 1)
        loop = HumanLoop.objects.get(name=name)
        # The on-commit message is queued; publish a byte-identical duplicate (same task id) twice more.
        task_id = str(uuid.uuid4())
        tasks.finalize_loop.apply_async(args=[loop.id], task_id=task_id)
        tasks.finalize_loop.apply_async(args=[loop.id], task_id=task_id)
    finally:
        live.start_worker()
    scenario.wait_for_status([name], "Completed", timeout=20)
    wait_until(lambda: _worker_log_count(f"[{task_id}] succeeded") == 2, 20, "both duplicates to run")
    scenario.assert_written_once([name])
    # And once more in-process, after the fact: nothing changes, nothing is written.
    versions = scenario.output_etags(name)
    tasks.finalize_loop.apply(args=[loop.id])
    assert scenario.output_etags(name) == versions
