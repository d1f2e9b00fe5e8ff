"""Many reviewers asking for work at once never receive the same task."""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from contextlib import contextmanager

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from flows.models import ReviewTask
from tests import factories

REVIEWERS = 8
LOOPS = 3
# Both writers of the hot paths (tests/conftest.py): the statements and the ORM.
pytestmark = pytest.mark.usefixtures("writer")


@contextmanager
def file_database(path):
    """Let new threads use a file copy of the test database, as the embedded default does.

    The in-memory test database is shared-cache, where SQLite reports "table
    is locked" at once instead of waiting, unlike a real file database. The
    main thread keeps its in-memory connection (closing it would drop the
    database); threads open fresh connections, which read the swapped name.
    """
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    original = connection.settings_dict["NAME"]
    # The settings dict is shared by every connection object, including this thread's, which the
    # session's live server threads share too: while the name is swapped, a lingering server thread
    # closing it would really close it and so drop the in-memory database. Keep it marked in-memory.
    main = connections[DEFAULT_DB_ALIAS]  # this thread's connection object (the proxy cannot take attributes)
    main.is_in_memory_db = lambda: True
    connection.settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        connection.settings_dict["NAME"] = original
        del main.is_in_memory_db


def in_thread(function):
    """Run `function` in a new thread (so on its own database connection) and return its result."""
    result = []

    def run():
        try:
            result.append(function())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    return result[0]


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_never_hand_one_task_to_two_reviewers(account, tmp_path):
    reviewers = [factories.user(f"racer{n}") for n in range(REVIEWERS)]
    team = factories.workteam(account, members=reviewers)
    flow = factories.flow_definition(account, team, name="race", task_count=2)
    for _ in range(LOOPS):
        factories.human_loop(flow)
    tokens = [factories.worker_token(reviewer) for reviewer in reviewers]
    start = threading.Barrier(REVIEWERS)
    claims: dict[int, list[int]] = {}
    errors: list[BaseException] = []

    def take_work(index: int) -> None:
        from django.test import Client

        client = Client()
        mine = []
        try:
            start.wait()
            for _ in range(LOOPS):  # more asks than this reviewer can ever be given
                response = client.get("/portal/api/tasks/next", HTTP_AUTHORIZATION=f"Token {tokens[index]}")
                assert response.status_code in (200, 204), response.content
                if response.status_code == 200:
                    mine.append(response.json()["taskId"])
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            claims[index] = mine
            connection.close()

    with file_database(tmp_path / "claims.sqlite3"):
        threads = [threading.Thread(target=take_work, args=(n,)) for n in range(REVIEWERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        leases = in_thread(
            lambda: list(
                ReviewTask.objects.filter(state=ReviewTask.State.LEASED).values_list("id", "worker_id", "human_loop_id")
            )
        )

    assert not errors, errors
    handed_out = [task_id for mine in claims.values() for task_id in mine]
    assert len(handed_out) == LOOPS * 2  # every task was taken ...
    assert len(set(handed_out)) == len(handed_out)  # ... by exactly one reviewer
    assert len(leases) == LOOPS * 2
    assert max(Counter((worker, loop) for _, worker, loop in leases).values()) == 1  # never two tasks of one loop
    holder = {task_id: worker for task_id, worker, _ in leases}
    for index, mine in claims.items():
        assert all(holder[task_id] == reviewers[index].id for task_id in mine)
