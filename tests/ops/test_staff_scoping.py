"""Every staff-facing page shows a staff member only the accounts they administer (issue 11, finding 3).

Account A ("acme") has a task UI, a team, a flow, answered and waiting loops, audit records, a routing
decision and an output. The admin of account B must see nothing of it on any page; A's own admin
(and a superuser) must, so each check is known to look at the right place.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission

from flows.loops import lifecycle
from flows.models import HumanLoop
from inference_adapters.models import RoutingDecision
from tests import factories as f
from workforce.models import AuditRecord

SECRET_TEMPLATE = "<crowd-form><p>ACME-CONFIDENTIAL-TEMPLATE {{ task.input.taskObject }}</p></crowd-form>"


def _staff_admin_of(acct, username: str):
    person = f.user(username, is_staff=True)
    person.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["flows", "workforce", "inference_adapters"])
    )
    acct.admins.add(person)
    return person


@pytest.fixture
def acme(db, django_capture_on_commit_callbacks):
    acct = f.account(name="acme-corp")
    reviewer = f.user("acme-reviewer")
    team = f.workteam(acct, members=[reviewer], name="acme-team")
    ui = f.human_task_ui(acct, content=SECRET_TEMPLATE, name="acme-ui")
    flow = f.flow_definition(acct, team, ui, name="acme-flow")
    prediction = {"ModelPrediction": {"Label": "cat", "AnswerKey": "animal", "Score": 0.6}}
    with django_capture_on_commit_callbacks(execute=True):
        answered = lifecycle.start_human_loop(
            account=acct,
            name="acme-answered",
            flow_definition_arn=f.flow_arn(flow),
            input_content="{}",
            activation_output=prediction,
        ).loop
        f.human_loop(flow, name="acme-waiting")
        task = lifecycle.claim_next_task(reviewer, flow=flow)
        lifecycle.submit_task(reviewer, task.id, {"animal": {"label": "dog"}})
    RoutingDecision.objects.create(
        flow_definition=flow, item_id="acme-item-7", model_version="acme-model-v3", route="human", prediction={}
    )
    answered.refresh_from_db()
    assert answered.status == "Completed" and AuditRecord.objects.filter(account=acct).exists()
    return {
        "account": acct,
        "ui": ui,
        "team": team,
        "flow": flow,
        "loop": answered,
        "admin": _staff_admin_of(acct, "ann"),
    }


@pytest.fixture
def other_admin(db):
    other = f.account(name="other-corp")
    f.workteam(other, members=[], name="other-team")
    return _staff_admin_of(other, "olaf")


def _text(client, url: str, **kwargs) -> tuple[int, str]:
    response = client.post(url, kwargs) if kwargs else client.get(url)
    return response.status_code, response.content.decode()


def test_template_preview_lists_and_renders_only_the_staff_members_task_uis(client, acme, other_admin):
    ui = acme["ui"]
    client.force_login(acme["admin"])
    assert "acme-ui" in _text(client, "/portal/preview/")[1]
    assert "ACME-CONFIDENTIAL-TEMPLATE" in _text(client, f"/portal/preview/?ui={ui.pk}")[1]

    client.force_login(other_admin)
    assert "acme" not in _text(client, "/portal/preview/")[1]
    assert "ACME-CONFIDENTIAL-TEMPLATE" not in _text(client, f"/portal/preview/?ui={ui.pk}")[1]
    _text(client, "/portal/preview/", ui=str(ui.pk), template="", input="{}")
    assert "ACME-CONFIDENTIAL-TEMPLATE" not in client.get("/portal/preview/frame?preview=1").content.decode()


def test_operations_dashboard_counts_only_the_staff_members_accounts(client, acme, other_admin):
    client.force_login(acme["admin"])
    mine = _text(client, "/ops/dashboard/")[1]
    assert "acme-team" in mine and "acme-reviewer" in mine and "<td>1</td><td>1</td><td>100.0</td>" in mine

    client.force_login(other_admin)
    status, theirs = _text(client, "/ops/dashboard/")
    assert status == 200
    assert "acme" not in theirs and "100.0" not in theirs


def test_team_pages_show_only_the_staff_members_teams(client, acme, other_admin):
    team = acme["team"]
    client.force_login(other_admin)
    assert "acme-team" not in _text(client, "/ops/teams/")[1]
    assert _text(client, f"/ops/teams/{team.id}/")[0] == 404


@pytest.mark.parametrize(
    "changelist",
    [
        "/admin/flows/humanloop/",
        "/admin/flows/humantaskui/",
        "/admin/flows/flowdefinition/",
        "/admin/flows/outputoutbox/",
        "/admin/workforce/auditrecord/",
        "/admin/workforce/workteam/",
        "/admin/workforce/account/",
        "/admin/inference_adapters/routingdecision/",
    ],
)
def test_admin_lists_and_their_filters_show_nothing_of_another_account(client, acme, other_admin, changelist):
    client.force_login(acme["admin"])
    status, mine = _text(client, changelist)
    assert status == 200 and "acme" in mine

    client.force_login(other_admin)
    status, theirs = _text(client, changelist)
    assert status == 200
    assert "acme" not in theirs  # neither rows nor the names in the filter sidebar


def test_audit_export_and_loop_output_refuse_another_accounts_records(client, acme, other_admin):
    record_ids = list(AuditRecord.objects.filter(account=acme["account"]).values_list("id", flat=True))
    export = {"action": "export_json_lines", "_selected_action": [str(i) for i in record_ids]}
    client.force_login(acme["admin"])
    mine = client.post("/admin/workforce/auditrecord/", export)
    assert len(b"".join(mine.streaming_content).splitlines()) == len(record_ids)

    client.force_login(other_admin)
    theirs = client.post("/admin/workforce/auditrecord/", export)
    exported = b"".join(theirs.streaming_content) if theirs.streaming else theirs.content
    assert not re.search(rb'"accountId":\s*"' + acme["account"].aws_account_id.encode(), exported)
    assert b"acme" not in exported
    loop = HumanLoop.objects.get(name="acme-answered")
    assert client.get(f"/admin/flows/humanloop/{loop.pk}/output/").status_code == 404
    assert client.get(f"/admin/flows/humanloop/{loop.pk}/change/").status_code in (302, 404)


def test_a_superuser_sees_every_account_as_in_the_admin(client, acme, other_admin, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw"))
    assert "acme-ui" in _text(client, "/portal/preview/")[1]
    assert "acme-team" in _text(client, "/ops/dashboard/")[1]
    assert "acme-item-7" in _text(client, "/admin/inference_adapters/routingdecision/")[1]
