"""A work team's qualification test (`hitl:qualification` on the team, `=team` on its flows), through the reviewer API.

Passing it on one flow of the team qualifies the reviewer on every flow of the team that opts in;
failing it holds them on all of those flows.
"""

import json
import random

import pytest

from flows.models import ReviewerStanding
from flows.quality import gold
from tests import factories as f
from workforce.models import AuditRecord, WorkteamQualification

pytestmark = pytest.mark.django_db

LABELS = ["cat", "dog", "fox"]


@pytest.fixture(autouse=True)
def seeded_gold(monkeypatch):
    monkeypatch.setattr(gold, "_random", random.Random(14))


def _team_and_flows(*flow_tags, reviewers=2):
    acct = f.account()
    people = [f.user() for _ in range(reviewers)]
    team = f.workteam(acct, members=people, tags=[{"Key": "hitl:qualification", "Value": "3:0.67"}])
    flows = []
    for n, tags in enumerate(flow_tags):
        flow = f.flow_definition(acct, team, tags=[{"Key": k, "Value": v} for k, v in tags.items()])
        for i in range(4):
            gold.add_gold_item(
                flow,
                name=f"{flow.name}-g{i}",
                input_content=json.dumps({"taskObject": f"gold {n}-{i}", "truth": LABELS[i % 3]}),
                answer={"s": {"label": LABELS[i % 3]}},
            )
        f.human_loop(flow, {"taskObject": f"real {n}", "truth": "cat"})
        flows.append(flow)
    return team, flows, people


def _next(client, person, flow):
    token = f.worker_token(person)
    response = client.get(f"/portal/api/tasks/next?flow={flow.name}", HTTP_AUTHORIZATION=f"Token {token}")
    return None if response.status_code == 204 else response.json()


def _submit(client, person, task, right):
    label = task["input"]["truth"] if right else "wrong"
    response = client.post(
        f"/portal/api/tasks/{task['taskId']}/submit",
        json.dumps({"answerContent": {"s": {"label": label}}}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {f.worker_token(person)}",
    )
    assert response.status_code == 200, response.content


def _take_test(client, person, flow, right):
    seen = []
    for _ in range(3):
        task = _next(client, person, flow)
        seen.append(task["input"]["taskObject"])
        _submit(client, person, task, right)
    return seen


def test_passing_the_team_test_on_one_flow_qualifies_on_every_flow_of_the_team_that_opts_in(client):
    team, (first, second, own), (person, other) = _team_and_flows(
        {"hitl:qualification": "team"}, {"hitl:qualification": "team"}, {}
    )

    assert all(taken.startswith("gold 0-") for taken in _take_test(client, person, first, right=True))
    served = _next(client, person, second)  # no second test: the real task of the other opted-in flow

    assert served is not None and served["input"]["taskObject"] == "real 1"
    verdict = WorkteamQualification.objects.get(worker=person, workteam=team)
    assert verdict.passed and verdict.taken_on == first.name and verdict.gold_answered == 3
    assert ReviewerStanding.objects.get(worker=person, flow_definition=second).qualified_at is not None
    assert _next(client, person, first)["input"]["taskObject"] == "real 0"
    assert AuditRecord.objects.filter(operation="QualifyReviewer", account_id=team.account_id).count() == 1
    # A flow of the team that does not opt in asks for no test.
    assert _next(client, other, own)["input"]["taskObject"] == "real 2"


def test_the_test_is_taken_before_any_real_task_and_a_failed_one_holds_the_reviewer_on_every_opted_in_flow(client):
    team, (first, second), (person, other) = _team_and_flows(
        {"hitl:qualification": "team"}, {"hitl:qualification": "team"}
    )

    for taken in _take_test(client, person, first, right=False):
        assert taken.startswith("gold")  # every task before the verdict is a gold item

    assert _next(client, person, first) is None
    assert _next(client, person, second) is None  # the verdict holds on the other flow: no retake there
    assert not WorkteamQualification.objects.get(worker=person, workteam=team).passed
    standing = ReviewerStanding.objects.get(worker=person, flow_definition=second)
    assert standing.paused_at is not None and "qualification test on flow" in standing.pause_reason
    # Another member is not affected, and still takes the test first.
    assert _next(client, other, second)["input"]["taskObject"].startswith("gold")


def test_an_admin_deleting_the_verdict_lets_the_reviewer_take_the_test_again(client, admin_client):
    team, (first,), (person, _) = _team_and_flows({"hitl:qualification": "team"})
    _take_test(client, person, first, right=False)
    verdict = WorkteamQualification.objects.get(worker=person, workteam=team)

    listed = admin_client.get("/admin/workforce/workteamqualification/")
    assert listed.status_code == 200 and first.name in listed.content.decode()
    deleted = admin_client.post(
        f"/admin/workforce/workteamqualification/{verdict.id}/delete/", {"post": "yes"}, follow=True
    )
    assert deleted.status_code == 200 and not WorkteamQualification.objects.filter(id=verdict.id).exists()
    gold.resume_reviewer(ReviewerStanding.objects.get(worker=person, flow_definition=first))

    assert _next(client, person, first)["input"]["taskObject"].startswith("gold")


def test_the_admin_refuses_a_bad_team_test_with_a_message_that_says_what_is_allowed():
    from workforce.admin import WorkteamForm

    team, _, _ = _team_and_flows()
    data = {
        "account": team.account_id,
        "workforce": team.workforce_id,
        "name": team.name,
        "description": team.description,
        "member_definitions": "[]",
        "tags": json.dumps([{"Key": "hitl:qualification", "Value": "0"}]),
    }

    form = WorkteamForm(data=data, instance=team)
    assert not form.is_valid()
    assert "hitl:qualification must be off, N or N:ACCURACY" in form.errors["tags"][0]
    assert WorkteamForm(
        data=dict(data, tags=json.dumps([{"Key": "hitl:qualification", "Value": "5:0.9"}])), instance=team
    ).is_valid()
