"""The charts' one JSON endpoint: backlog, completions per hour, time to complete, agreement, reviewers; scoped."""

from __future__ import annotations

import pytest

from flows.loops import lifecycle
from hitl.kernel import clock
from tests import factories as f


def answer(reviewer, label: str, flow=None) -> None:
    task = lifecycle.claim_next_task(reviewer, flow=flow)
    lifecycle.submit_task(reviewer, task.id, {"sentiment": {"label": label}})


@pytest.mark.django_db
def test_the_series_follow_starts_and_answers_and_leave_other_accounts_out(
    client, personas, django_capture_on_commit_callbacks
):
    second = f.user("acme-second")
    flow = f.flow_definition(
        personas.account, f.workteam(personas.account, members=[personas.reviewer, second]), task_count=2
    )
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            f.human_loop(flow, {"taskObject": f"t{n}"}, name=f"c{n}")
        f.human_loop(personas.outsider.flow, name="theirs")
        clock.advance(600)
        answer(personas.reviewer, "Positive", flow)
        answer(second, "Positive", flow)  # c0: two agreeing answers, Completed after 10 minutes
        answer(personas.reviewer, "Positive", flow)
        answer(second, "Negative", flow)  # c1: two disagreeing answers
    client.force_login(personas.owner)
    data = client.get("/console/charts/data.json", {"days": 1}).json()

    assert data["backlog"][-1] == 1  # c2 is still open; the outsider's loop is not counted
    assert sum(data["completions"]) == 2
    assert data["time_to_complete"]["p50"] == [10.0]
    assert data["agreement"]["rate"] == [0.5] and data["agreement"]["loops"] == [2]
    reviewers = {row["reviewer"]: row for row in data["reviewers"]}
    assert set(reviewers) == {personas.reviewer.username, "acme-second"}
    assert reviewers["acme-second"]["answers"] == 2

    client.force_login(personas.outsider.owner)
    theirs = client.get("/console/charts/data.json").json()
    assert theirs["backlog"][-1] == 1 and sum(theirs["completions"]) == 0 and theirs["reviewers"] == []


@pytest.mark.django_db
def test_a_loop_open_before_the_window_counts_in_the_backlog_from_its_start(client, personas):
    f.human_loop(personas.flow, name="old")
    clock.advance(3 * 86400)
    client.force_login(personas.owner)
    data = client.get("/console/charts/data.json", {"days": 1}).json()
    assert data["backlog"][0] == 1 and data["backlog"][-1] == 1
    assert client.get("/console/charts/data.json", {"days": "junk"}).status_code == 200


def test_anonymous_and_reviewers_get_no_numbers(client, personas):
    assert client.get("/console/charts/data.json").status_code == 302
    client.force_login(personas.reviewer)
    assert client.get("/console/charts/data.json").status_code == 403
