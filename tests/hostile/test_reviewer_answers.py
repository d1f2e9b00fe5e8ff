"""Reviewers' answers (the JSON API the portal page posts to) refuse hostile JSON with 400, never a 500.

An answer is stored in a JSON column and written into output.json: a NUL or a
lone surrogate there would fail the write on PostgreSQL, or the output forever.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings

from flows.loops import lifecycle
from flows.models import ReviewTask
from tests import factories as f
from tests.hostile.conftest import unique_name
from tests.hostile.test_start_human_loop_input import hostile_text

HOSTILE_BODIES = {
    "an escaped lone surrogate": b'{"answerContent": {"label": "\\ud800"}}',
    "a NUL character": b'{"answerContent": {"label": "a\\u0000b"}}',
    "deep nesting": b'{"answerContent": {"a": ' + b"[" * 5000 + b"]" * 5000 + b"}}",
    "a float that overflows": b'{"answerContent": {"score": 1e999}}',
    "NaN": b'{"answerContent": {"score": NaN}}',
    "invalid UTF-8": b'{"answerContent": {"label": "\xff"}}',
}


def claimed_task(flow, reviewer) -> ReviewTask:
    f.human_loop(flow, {"taskObject": "text"}, name=unique_name())
    return lifecycle.claim_next_task(reviewer, flow=flow)


def submit(client, reviewer, task: ReviewTask, body: bytes):
    client.force_login(reviewer)
    return client.post(f"/portal/api/tasks/{task.id}/submit", data=body, content_type="application/json")


@pytest.mark.parametrize("body", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
def test_a_hostile_answer_is_refused_and_the_task_stays_the_reviewers(client, flow, reviewer, body):
    task = claimed_task(flow, reviewer)

    response = submit(client, reviewer, task, body)

    assert response.status_code == 400
    assert response.json()["message"].startswith("The body is not a JSON document this server accepts: ")
    task.refresh_from_db()
    assert task.state == ReviewTask.State.LEASED
    assert submit(client, reviewer, task, b'{"answerContent": {"label": "fine"}}').status_code == 200


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=hostile_text)
def test_no_answer_makes_a_500_and_what_is_stored_can_be_written(client, flow, reviewer, answer):
    task = claimed_task(flow, reviewer)
    body = ('{"answerContent": {"value": ' + answer + "}}").encode("utf-8", "surrogatepass")

    response = submit(client, reviewer, task, body)

    assert response.status_code in (200, 400), response.content
    if response.status_code == 200:
        task.refresh_from_db()
        json.dumps(task.answer, allow_nan=False).encode("utf-8")
