"""What a reviewer's next task and submit cost in SQL on PostgreSQL: the statements flows.loops.hot_sql runs, no more.

The claim statement brings the loop's name, input, template, version pin and account; the submit's
lock brings the loop's version pin. A field one of them leaves out is loaded lazily by whoever reads
it (the object grants, the pinned settings), one more round trip per request (bench/README.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection

from flows.models import HumanLoop, OutputOutbox, ReviewTask
from tests import factories

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="flows.loops.hot_sql runs on PostgreSQL only"),
]


# The test's own transaction turns each atomic block into a savepoint: not a statement of the request.
_SAVEPOINT = re.compile(r"^\s*(RELEASE |ROLLBACK TO )?SAVEPOINT\b", re.I)


@contextmanager
def statements() -> Iterator[list[str]]:
    """Collect the statements sent meanwhile, hot_sql's prepared ones included (CaptureQueriesContext misses those)."""
    sent: list[str] = []

    def record(execute, sql, params, many, context):
        if not _SAVEPOINT.match(sql):
            sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield sent


def headers(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Token {factories.worker_token(user)}"}


def next_task(client, reviewer_headers) -> tuple[dict, list[str]]:
    with statements() as sent:
        response = client.get("/portal/api/tasks/next?flow=overlap", **reviewer_headers)
    assert response.status_code == 200, response.content
    return response.json(), sent


def submit(client, reviewer_headers, task_id: int) -> list[str]:
    answer = {"answerContent": {"sentiment": {"label": "Positive"}}}
    with statements() as sent:
        response = client.post(
            f"/portal/api/tasks/{task_id}/submit", answer, content_type="application/json", **reviewer_headers
        )
    assert response.status_code == 200, response.content
    return sent


def test_next_task_is_one_statement_and_submit_two_or_three_with_the_output_row(
    client, settings, account, team, reviewer, second_reviewer
):
    settings.HITL_HOT_SQL = True
    flow = factories.flow_definition(account, team, name="overlap", task_count=2, task_time_limit_seconds=600)
    warm_up, measured = factories.human_loop(flow), factories.human_loop(flow)
    rita, sam = headers(reviewer), headers(second_reviewer)
    # The first requests fill the process caches (token, teams, flow, version); the measured ones find them warm.
    for who in (rita, sam):
        task, _ = next_task(client, who)
        assert task["humanLoopName"] == warm_up.name
        submit(client, who, task["taskId"])

    first, claim_statements = next_task(client, rita)
    second, _ = next_task(client, sam)
    not_done = submit(client, rita, first["taskId"])
    done = submit(client, sam, second["taskId"])

    assert first["humanLoopName"] == second["humanLoopName"] == measured.name
    assert first["title"] == "Review sentiment" and first["input"] == {"taskObject": "I love this product!"}
    assert len(claim_statements) == 1, claim_statements  # the claim, with the loop and its account
    assert len(not_done) == 2, not_done  # lock the loop; answer, audit and count
    assert len(done) == 3, done  # and the output row of the loop's last answer
    assert OutputOutbox.objects.filter(human_loop=measured).count() == 1
    states = set(ReviewTask.objects.filter(human_loop=measured).values_list("state", flat=True))
    assert states == {ReviewTask.State.SUBMITTED}
    assert HumanLoop.objects.get(id=measured.id).status == HumanLoop.Status.IN_PROGRESS  # finished on commit
