"""A big import's task rows, written on a second backend and committed with the loops (flows.loops.side_writes).

Real PostgreSQL with prepared transactions (scripts/services.sh sets max_prepared_transactions). What a
dying process leaves is simulated where it dies: after PREPARE, with or without the caller's commit.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction

from flows.loops import bulk_direct, side_writes
from flows.loops.bulk import BulkItem
from flows.models import HumanLoop, ReviewTask, SideWriteDecision
from tests import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="two-phase commit is PostgreSQL's"),
]
NOW = dt.timedelta(0)


@pytest.fixture
def flow(monkeypatch):
    monkeypatch.setattr(bulk_direct, "SIDE_WRITER_FROM_ROWS", 1)
    acct = f.account()
    yield f.flow_definition(acct, f.workteam(acct, members=[f.user()]), task_count=2)
    with connection.cursor() as cursor:  # whatever a failing test left prepared would block the database's teardown
        cursor.execute("SELECT gid FROM pg_prepared_xacts WHERE gid LIKE %s", [side_writes.GID_PREFIX + "%"])
        for (gid,) in cursor.fetchall():
            cursor.execute(f"ROLLBACK PREPARED '{gid}'")


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT gid FROM pg_prepared_xacts WHERE database = current_database()")
        return [gid for (gid,) in cursor.fetchall()]


def _import(flow, names: list[str]):
    items = [BulkItem(name, f'{{"n": "{name}"}}') for name in names]
    return bulk_direct.start_direct(flow.account, flow, items, at_most=len(items))


def test_the_tasks_are_written_on_a_second_backend_and_commit_with_the_loops(flow):
    with transaction.atomic():
        assert _import(flow, ["a", "b", "c"]).created == 3
        # Before the caller's commit: the tasks wait prepared, recorded as decided in this transaction.
        assert [gid.startswith(side_writes.GID_PREFIX) for gid in _prepared()] == [True]
        assert SideWriteDecision.objects.count() == 1
        assert not ReviewTask.objects.exists()  # not this backend's rows until COMMIT PREPARED
    assert _prepared() == []
    assert not SideWriteDecision.objects.exists()
    tasks = ReviewTask.objects.filter(human_loop__flow_definition=flow)
    assert sorted(tasks.values_list("human_loop__name", flat=True)) == ["a", "a", "b", "b", "c", "c"]
    assert set(tasks.values_list("state", flat=True)) == {ReviewTask.State.OPEN}


def test_a_caller_that_rolls_back_leaves_no_task_once_settled(flow):
    with transaction.atomic():
        assert _import(flow, ["gone"]).created == 1
        transaction.set_rollback(True)  # the caller failed after the tasks were prepared
    assert not HumanLoop.objects.exists()
    assert len(_prepared()) == 1
    assert side_writes.settle() == 0  # too young: a live import's commit may still be on its way
    assert side_writes.settle(older_than=NOW) == 1
    assert _prepared() == [] and not ReviewTask.objects.exists()


def test_a_process_that_died_after_its_commit_gets_its_tasks_from_the_sweep(flow, monkeypatch):
    monkeypatch.setattr(side_writes.SideTransaction, "_commit_prepared", lambda self: None)  # died right there
    with transaction.atomic():
        assert _import(flow, ["kept"]).created == 1
    assert HumanLoop.objects.filter(name="kept").exists() and not ReviewTask.objects.exists()
    assert side_writes.settle(older_than=NOW) == 1
    assert ReviewTask.objects.filter(human_loop__name="kept").count() == 2
    assert _prepared() == [] and not SideWriteDecision.objects.exists()


def test_a_taken_name_undoes_the_side_transaction_too(flow):
    with transaction.atomic():
        assert _import(flow, ["taken"]).created == 1
    with transaction.atomic():
        assert _import(flow, ["new", "taken"]) is None  # left to the staged path, nothing written
    assert _prepared() == []
    assert ReviewTask.objects.count() == 2
    assert list(HumanLoop.objects.values_list("name", flat=True)) == ["taken"]


def test_without_a_free_prepared_transaction_slot_one_connection_writes_both(flow, monkeypatch):
    monkeypatch.setattr(side_writes, "open_side", lambda: None)
    with transaction.atomic():
        assert _import(flow, ["alone"]).created == 1
        assert _prepared() == []
        assert ReviewTask.objects.filter(human_loop__name="alone").count() == 2  # in this very transaction
