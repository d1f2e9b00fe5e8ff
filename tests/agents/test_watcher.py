"""The events process's watcher: a tick reads what changed, not one row per waiter (agents/waiting.py)."""

from __future__ import annotations

import asyncio
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents.waiting import Watcher
from flows.loops import lifecycle
from flows.loops.bulk import BulkItem, bulk_start_human_loops
from flows.models import HumanLoop
from hitl.kernel import clock
from tests import factories as f

WAITERS = 300


@pytest.fixture
def open_loops():
    account = f.account()
    reviewer = f.user("rita")
    flow = f.flow_definition(account, f.workteam(account, members=[reviewer]))
    items = [BulkItem(f"wait-{i}", json.dumps({"i": i})) for i in range(WAITERS)]
    assert bulk_start_human_loops(account, flow, items, writers=1).created == WAITERS
    return account, reviewer, dict(HumanLoop.objects.values_list("name", "id"))


def watch_all(watcher: Watcher, loop_ids) -> tuple[asyncio.AbstractEventLoop, dict[int, asyncio.Future]]:
    event_loop = asyncio.new_event_loop()
    futures = {loop_id: event_loop.create_future() for loop_id in loop_ids}
    for loop_id, future in futures.items():
        watcher.add_loop_waiter(loop_id, future)
    return event_loop, futures


def resolved(event_loop: asyncio.AbstractEventLoop, futures: dict[int, asyncio.Future]) -> set[int]:
    event_loop.run_until_complete(asyncio.sleep(0))  # run the call_soon_threadsafe callbacks
    return {loop_id for loop_id, future in futures.items() if future.done()}


@pytest.mark.django_db
def test_a_tick_costs_two_range_reads_however_many_loops_are_watched(open_loops):
    _, reviewer, ids = open_loops
    watcher = Watcher()
    watcher.sweep_seconds = 3600  # no periodic sweep within this test
    event_loop, futures = watch_all(watcher, ids.values())
    watcher.tick()  # the first tick checks the newly registered loops once by id
    assert resolved(event_loop, futures) == set()

    with CaptureQueriesContext(connection) as idle_tick:
        watcher.tick()
    assert len(idle_tick) == 2
    # Range reads of new rows: no statement carries the watched ids.
    assert all(len(query["sql"]) < 400 for query in idle_tick.captured_queries), idle_tick.captured_queries

    task = lifecycle.claim_next_task(reviewer)
    lifecycle.submit_task(reviewer, task.id, {"decisions": [{"type": "approve"}]})
    with CaptureQueriesContext(connection) as deciding_tick:
        watcher.tick()
    assert len(deciding_tick) == 2
    # The decision (its outbox row) wakes its waiter, and only its waiter; no one was described.
    assert resolved(event_loop, futures) == {task.human_loop_id}
    event_loop.close()


@pytest.mark.django_db
def test_a_loop_decided_before_its_waiter_registered_is_found_at_the_next_tick(open_loops):
    _, reviewer, ids = open_loops
    watcher = Watcher()
    watcher.sweep_seconds = 3600
    event_loop, futures = watch_all(watcher, [ids["wait-0"]])
    watcher.tick()  # the marks now stand past every existing row

    # Decided between a waiter's first look and its registration: no new row will name it later.
    task = lifecycle.claim_next_task(reviewer)
    lifecycle.submit_task(reviewer, task.id, {"decisions": [{"type": "approve"}]})
    HumanLoop.objects.filter(id=ids["wait-2"]).update(status=HumanLoop.Status.STOPPED, finished_at=clock.now())
    watcher.tick()
    late, late_futures = watch_all(watcher, [task.human_loop_id, ids["wait-2"], ids["wait-3"]])
    watcher.tick()
    assert resolved(late, late_futures) == {task.human_loop_id, ids["wait-2"]}
    late.close()
    event_loop.close()


@pytest.mark.django_db
def test_the_periodic_sweep_finds_a_decision_the_range_read_passed_over(open_loops):
    """A transaction holding a lower outbox id can commit after a higher one was read."""
    _, reviewer, ids = open_loops
    watcher = Watcher()
    watcher.sweep_seconds = 3600
    task = lifecycle.claim_next_task(reviewer)
    event_loop, futures = watch_all(watcher, ids.values())
    watcher.tick()
    lifecycle.submit_task(reviewer, task.id, {"decisions": [{"type": "approve"}]})
    watcher._outbox_mark += 1000  # as if a later row had been read first  # noqa: SLF001
    watcher.tick()
    assert resolved(event_loop, futures) == set()

    watcher.sweep_seconds = 0
    watcher.tick()
    assert resolved(event_loop, futures) == {task.human_loop_id}
    event_loop.close()


@pytest.mark.django_db
def test_the_sweep_rereads_recent_rows_not_one_id_per_waiter(open_loops):
    """With 1,000 waiters a sweep by id built 20 ms of SQL every second; a re-read range costs the same for any number."""
    _, reviewer, ids = open_loops
    watcher = Watcher()
    watcher.sweep_seconds = 0  # every tick is a sweep
    event_loop, futures = watch_all(watcher, ids.values())
    watcher.tick()
    task = lifecycle.claim_next_task(reviewer)
    lifecycle.submit_task(reviewer, task.id, {"decisions": [{"type": "approve"}]})
    watcher._outbox_mark += 1000  # as if a later row had been read first  # noqa: SLF001
    with CaptureQueriesContext(connection) as sweep:
        watcher.tick()
    assert len(sweep) == 2
    assert all(len(query["sql"]) < 400 for query in sweep.captured_queries), sweep.captured_queries
    assert resolved(event_loop, futures) == {task.human_loop_id}
    event_loop.close()
