"""The operations dashboard: backlog, time to complete, throughput per reviewer, human-vs-model disagreement."""

from __future__ import annotations

import re

import pytest

from flows.loops import lifecycle
from hitl.kernel import clock
from tests import factories as f


@pytest.mark.django_db
def test_dashboard_charts_the_work_for_operators_only(client, django_user_model, django_capture_on_commit_callbacks):
    acct = f.account()
    ana, bo = f.user("ana"), f.user("bo")
    team = f.workteam(acct, members=[ana, bo], name="animals")
    flow = f.flow_definition(acct, team, task_count=2)
    prediction = {"ModelPrediction": {"Label": "cat", "AnswerKey": "animal", "Score": 0.61}}
    lifecycle.start_human_loop(
        account=acct,
        name="routed",
        flow_definition_arn=f.flow_arn(flow),
        input_content="{}",
        activation_output=prediction,
    )
    lifecycle.start_human_loop(account=acct, name="queued", flow_definition_arn=f.flow_arn(flow), input_content="{}")
    with django_capture_on_commit_callbacks(execute=True):
        for reviewer, label in ((ana, "cat"), (bo, "dog")):
            task = lifecycle.claim_next_task(reviewer)
            lifecycle.submit_task(reviewer, task.id, {"animal": {"label": label}})
    lifecycle.claim_next_task(ana)  # one of "queued"'s tasks

    client.force_login(ana)
    assert client.get("/ops/dashboard/").status_code == 302  # reviewers are sent to the admin sign-in

    client.force_login(django_user_model.objects.create_superuser("root", "r@example.com", "pw"))
    page = client.get("/ops/dashboard/")
    text = page.content.decode()
    assert page.status_code == 200 and "Content-Security-Policy" in page
    assert "<td>animals</td><td>1</td><td>1</td>" in text  # backlog: one open, one leased
    assert re.search(r"<td>ana</td><td>1</td>", text) and re.search(r"<td>bo</td><td>1</td>", text)
    assert re.search(r"</td><td>1</td><td class=\"chart\"><span class=\"bar\"", text)  # one loop completed today
    assert re.search(r"<td>2</td><td>1</td><td>50.0</td>", text)  # 2 answers compared with the model, 1 differs


@pytest.mark.django_db
def test_backlog_leaves_out_tasks_of_loops_past_their_lifetime_that_the_sweep_has_not_reached(
    client, django_user_model
):
    acct = f.account()
    team = f.workteam(acct, members=[f.user("cy")], name="late")
    flow = f.flow_definition(acct, team, task_count=1, task_availability_lifetime_seconds=60)
    for n in range(3):
        lifecycle.start_human_loop(
            account=acct, name=f"old-{n}", flow_definition_arn=f.flow_arn(flow), input_content="{}"
        )
    clock.advance(120)  # the three loops' lifetime passed; no sweep ran
    lifecycle.start_human_loop(account=acct, name="fresh", flow_definition_arn=f.flow_arn(flow), input_content="{}")

    client.force_login(django_user_model.objects.create_superuser("root", "r@example.com", "pw"))
    text = client.get("/ops/dashboard/").content.decode()
    assert "<td>late</td><td>1</td><td>0</td>" in text
    assert client.get(f"/ops/teams/{team.id}/").context["open_count"] == 1
