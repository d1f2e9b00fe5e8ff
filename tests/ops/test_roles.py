"""Boundaries of each role: reviewer, team lead, account admin, API clients (scoped keys), outsiders."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from flows.loops import lifecycle
from tests import factories as f
from workforce import access_keys
from workforce.models import WorkteamMembership


def _start(acct, flow, name, content):
    return lifecycle.start_human_loop(
        account=acct, name=name, flow_definition_arn=f.flow_arn(flow), input_content=content
    ).loop


@pytest.fixture
def two_teams(db):
    """Team A (account A) with reviewer ana; team B (account B) with reviewer bo holding a secret task."""
    acct_a, acct_b = f.account(), f.account()
    ana, bo = f.user("ana"), f.user("bo")
    team_a, team_b = f.workteam(acct_a, members=[ana]), f.workteam(acct_b, members=[bo])
    flow_a, flow_b = f.flow_definition(acct_a, team_a), f.flow_definition(acct_b, team_b)
    _start(acct_b, flow_b, "b-secret", '{"taskObject": "TEAM-B-CONFIDENTIAL"}')
    _start(acct_b, flow_b, "b-queued", '{"taskObject": "TEAM-B-QUEUED"}')
    b_task = lifecycle.claim_next_task(bo)
    return {"ana": ana, "bo": bo, "team_a": team_a, "team_b": team_b, "b_task": b_task, "flow_a": flow_a}


@pytest.mark.django_db
def test_reviewer_a_never_reads_or_answers_team_bs_task_by_guessing_ids(client, two_teams):
    client.force_login(two_teams["ana"])
    b_task = two_teams["b_task"]

    # Ana's queue is empty: team B's open task is not offered to her.
    assert client.get("/portal/api/tasks/next").status_code == 204
    for task_id in (b_task.id, b_task.id + 1, 999_999):
        frame = client.get(f"/portal/tasks/{task_id}/frame")
        assert frame.status_code == 404 and b"TEAM-B" not in frame.content
        submit = client.post(
            f"/portal/api/tasks/{task_id}/submit", {"answerContent": {"x": 1}}, content_type="application/json"
        )
        assert submit.status_code == 404 and b"TEAM-B" not in submit.content
        assert client.post(f"/portal/api/tasks/{task_id}/release").status_code == 404
    b_task.refresh_from_db()
    assert (b_task.state, b_task.worker, b_task.answer) == ("leased", two_teams["bo"], None)
    # Outputs are served to staff only: the admin turns a reviewer away.
    assert client.get("/admin/flows/humanloop/1/output/").status_code == 302


@pytest.mark.django_db
def test_team_lead_sees_their_teams_queue_and_nobody_elses(client, two_teams):
    team_a, team_b = two_teams["team_a"], two_teams["team_b"]
    lead = f.user("lead-b")
    WorkteamMembership.objects.create(workteam=team_b, user=lead, role="lead")

    client.force_login(lead)
    page = client.get(f"/ops/teams/{team_b.id}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Open tasks waiting: <strong>1</strong>" in text and "b-secret" in text and ">bo<" in text
    assert client.get(f"/ops/teams/{team_a.id}/").status_code == 404
    assert client.get("/admin/").status_code == 302  # a lead is not an operator

    client.force_login(two_teams["bo"])  # a plain reviewer of team B
    assert client.get(f"/ops/teams/{team_b.id}/").status_code == 404

    admin_of_b = f.user("owner-b")
    team_b.account.admins.add(admin_of_b)
    client.force_login(admin_of_b)
    assert client.get(f"/ops/teams/{team_b.id}/").status_code == 200
    assert client.get(f"/ops/teams/{team_a.id}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_api_keys_are_confined_to_their_scope_flows_and_account(boto_client):
    owner, outsider = f.account(), f.account()
    team = f.workteam(owner, members=[f.user()])
    allowed, other = f.flow_definition(owner, team), f.flow_definition(owner, team)
    _start(owner, allowed, "owned-loop", "{}")
    runtime_only = access_keys.create_access_key(owner, scope="runtime", allowed_flow_names=[allowed.name])
    runtime = boto_client("sagemaker-a2i-runtime", runtime_only)

    # A runtime-only key: the runtime works, the control plane is denied.
    assert runtime.describe_human_loop(HumanLoopName="owned-loop")["HumanLoopStatus"] == "InProgress"
    with pytest.raises(ClientError) as denied:
        boto_client("sagemaker", runtime_only).list_flow_definitions()
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"

    # A flow-scoped key may start loops of its flows only.
    def start(flow, name):
        return runtime.start_human_loop(
            HumanLoopName=name, FlowDefinitionArn=f.flow_arn(flow), HumanLoopInput={"InputContent": "{}"}
        )

    assert start(allowed, "fine")["HumanLoopArn"].endswith(":human-loop/fine")
    with pytest.raises(ClientError) as wrong_flow:
        start(other, "not-mine")
    assert wrong_flow.value.response["Error"]["Code"] == "AccessDeniedException"

    # Another account's key sees none of it.
    stranger = access_keys.create_access_key(outsider)
    with pytest.raises(ClientError) as missing:
        boto_client("sagemaker-a2i-runtime", stranger).describe_human_loop(HumanLoopName="owned-loop")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as missing_flow:
        boto_client("sagemaker", stranger).describe_flow_definition(FlowDefinitionName=allowed.name)
    assert missing_flow.value.response["Error"]["Code"] == "ResourceNotFound"


@pytest.mark.django_db
def test_account_admin_sees_and_acts_on_their_own_account_only_in_the_admin(client, two_teams, django_user_model):
    from django.contrib.auth.models import Permission

    from flows.models import HumanLoop

    team_a, team_b = two_teams["team_a"], two_teams["team_b"]
    _start(team_a.account, two_teams["flow_a"], "a-loop", '{"taskObject": "TEAM-A"}')
    owner_a = django_user_model.objects.create_user("owner-a", password="pw", is_staff=True)
    owner_a.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["flows", "workforce"]))
    team_a.account.admins.add(owner_a)
    client.force_login(owner_a)
    b_loop = HumanLoop.objects.get(name="b-secret")

    listing = client.get("/admin/flows/humanloop/").content.decode()
    assert "a-loop" in listing and "b-secret" not in listing
    assert client.get(f"/admin/flows/humanloop/{b_loop.pk}/change/").status_code == 302  # "doesn't exist"
    assert client.get(f"/admin/workforce/workteam/{team_b.pk}/invite/").status_code == 404
    client.post("/admin/flows/humanloop/", {"action": "stop_loops", "_selected_action": [b_loop.pk]})
    b_loop.refresh_from_db()
    assert b_loop.status == "InProgress"
    add_key = client.get("/admin/workforce/accesskey/add/").content.decode()
    assert str(team_a.account) in add_key and str(team_b.account) not in add_key
    assert client.get("/admin/workforce/account/add/").status_code == 403
