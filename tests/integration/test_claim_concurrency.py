"""Claiming on PostgreSQL: concurrent reviewers never collide, never wait on each other, oldest first."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from flows.loops import lifecycle
from flows.models import ReviewTask
from hitl.kernel import clock
from tests.integration import scenario

# Both writers of the hot paths (tests/conftest.py): the statements and the ORM.
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("writer")]


def _in_thread(fn, *args):
    """Run fn on its own database connection (as a separate request would)."""
    try:
        return fn(*args)
    finally:
        connection.close()


def test_eight_reviewers_claiming_at_once_take_every_task_exactly_once(_backing_services):
    t = scenario.team(reviewers=8, task_count=2)
    for i in range(12):
        scenario.start(t, f"rush-{i}")
    start = threading.Barrier(8)

    def drain(reviewer):
        start.wait()
        taken = []
        while (task := lifecycle.claim_next_task(reviewer)) is not None:
            taken.append((task.id, task.human_loop_id))
        return taken

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda r: _in_thread(drain, r), t.reviewers))
    all_ids = [task_id for taken in results for task_id, _ in taken]
    assert len(all_ids) == len(set(all_ids)) == 24
    for taken in results:  # distinct workers per loop
        loops = [loop_id for _, loop_id in taken]
        assert len(loops) == len(set(loops))
    assert ReviewTask.objects.filter(state="leased").count() == 24


def test_a_claim_skips_a_row_locked_by_another_transaction_instead_of_waiting(_backing_services):
    t = scenario.team(reviewers=1, task_count=1)
    scenario.start(t, "first")
    scenario.start(t, "second")
    oldest = ReviewTask.objects.order_by("id").first()
    locked, release = threading.Event(), threading.Event()

    def hold_lock():
        with transaction.atomic():
            ReviewTask.objects.select_for_update().get(id=oldest.id)
            locked.set()
            release.wait(10)

    holder = threading.Thread(target=_in_thread, args=(hold_lock,))
    holder.start()
    try:
        assert locked.wait(5)
        with ThreadPoolExecutor(1) as pool:
            future = pool.submit(_in_thread, lifecycle.claim_next_task, t.reviewers[0])
            task = future.result(timeout=3)  # a blocked claim would time out here
        assert task.human_loop.name == "second"
    finally:
        release.set()
        holder.join()


def test_one_reviewer_in_several_tabs_never_gets_two_tasks_of_one_loop(_backing_services):
    t = scenario.team(reviewers=1, task_count=3)
    scenario.start(t, "a")
    scenario.start(t, "b")
    reviewer = t.reviewers[0]
    start = threading.Barrier(6)

    def claim():
        start.wait()
        task = lifecycle.claim_next_task(reviewer)
        return task and task.human_loop_id

    with ThreadPoolExecutor(6) as pool:
        loop_ids = [x for x in pool.map(lambda _: _in_thread(claim), range(6)) if x]
    assert sorted(loop_ids) == sorted(set(loop_ids)) and len(loop_ids) == 2


def test_tasks_go_out_oldest_loop_first_and_a_reopened_lease_keeps_its_place(_backing_services):
    t = scenario.team(reviewers=3, task_count=1, task_time_limit_seconds=60)
    for name in ("one", "two", "three"):
        scenario.start(t, name)
    alice, bob, carol = t.reviewers
    assert lifecycle.claim_next_task(alice).human_loop.name == "one"
    clock.advance(61)  # alice's lease on "one" runs out
    assert lifecycle.claim_next_task(bob).human_loop.name == "one"
    assert lifecycle.claim_next_task(carol).human_loop.name == "two"
