"""Console flows: the gallery, creating a flow through the API's own checks, a flow's page and snippet."""

from __future__ import annotations

import pytest

from console import gallery
from flows.models import FlowDefinition, HumanLoop, HumanTaskUi

GALLERY = "/console/flows/new/"


def form(team, **overrides) -> dict[str, str]:
    fields = {
        "name": "boxes",
        "team": str(team.pk),
        "task_title": "Draw boxes",
        "task_description": "Draw a box around each car",
        "task_count": "2",
        "task_time_limit_seconds": "600",
        "task_availability_lifetime_seconds": "86400",
        "task_keywords": "cars, images",
        "s3_output_path": "s3://acme-results/boxes",
        "template": gallery.get("images/bounding-box").content,
        "sample_input": "{}",
    }
    fields.update(overrides)
    return fields


def test_the_gallery_offers_every_aws_sample_and_the_built_in_types(client, personas):
    client.force_login(personas.owner)
    response = client.get(GALLERY)
    assert response.status_code == 200
    assert len(gallery.samples()) == 73
    page = response.content.decode()
    assert page.count('href="/console/flows/new/') == 73 + 1  # the samples and the acme task UI
    assert {s.request_source for s in response.context["built_in"]} == {
        FlowDefinition.REKOGNITION_SOURCE,
        FlowDefinition.TEXTRACT_SOURCE,
    }
    assert [ui.account for ui in response.context["uis"]] == [personas.account]


def test_every_sample_renders_its_form_with_a_sample_input(client, personas):
    client.force_login(personas.owner)
    for sample in gallery.samples():
        response = client.get(f"{GALLERY}{sample.slug}/")
        assert response.status_code == 200, sample.slug
        assert response.context["start"]["template"] == sample.content


def test_an_unknown_sample_is_a_404_page(client, personas):
    client.force_login(personas.owner)
    assert client.get(f"{GALLERY}images/no-such-template/").status_code == 404


def test_creating_a_flow_from_a_sample_makes_its_task_ui_and_flow_with_the_chosen_settings(client, personas):
    client.force_login(personas.owner)
    response = client.post(f"{GALLERY}images/bounding-box/", form(personas.tenant.team))
    flow = FlowDefinition.objects.get(account=personas.account, name="boxes")
    assert response.status_code == 302
    assert response["Location"] == f"/console/flows/{flow.pk}/"
    assert (flow.workteam, flow.task_count, flow.task_time_limit_seconds) == (personas.tenant.team, 2, 600)
    assert (flow.task_availability_lifetime_seconds, flow.s3_output_path) == (86400, "s3://acme-results/boxes")
    assert flow.task_keywords == ["cars", "images"]
    assert flow.human_task_ui.name == "boxes"
    assert "crowd-bounding-box" in flow.template.content
    assert flow.current_version.created_by == "acme-owner"
    assert flow.role_arn == f"arn:aws:iam::{personas.account.aws_account_id}:role/HitlConsole"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"task_count": "10"},
            "ValidationException: 1 validation error detected: Value &#x27;10&#x27; at &#x27;humanLoopConfig.taskCount&#x27;",
        ),
        ({"name": "Bad_Name"}, "Bad_Name&#x27; at &#x27;humanTaskUiName&#x27; failed to satisfy constraint"),
        ({"s3_output_path": "s3://"}, "s3OutputPath"),
        ({"template": "{% if %}"}, "ValidationException"),
    ],
    ids=["task count", "name", "output path", "template"],
)
def test_a_refused_flow_shows_the_apis_error_and_leaves_nothing_behind(client, personas, overrides, message):
    client.force_login(personas.owner)
    response = client.post(f"{GALLERY}images/bounding-box/", form(personas.tenant.team, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not FlowDefinition.objects.filter(account=personas.account, name__in=["boxes", "Bad_Name"]).exists()
    assert not HumanTaskUi.objects.filter(account=personas.account, name__in=["boxes", "Bad_Name"]).exists()


def test_a_team_of_another_account_cannot_be_chosen(client, personas):
    client.force_login(personas.owner)
    response = client.post(f"{GALLERY}images/bounding-box/", form(personas.outsider.team))
    assert response.status_code == 400
    assert "Choose the work team" in response.content.decode()
    assert not FlowDefinition.objects.filter(name="boxes").exists()


def test_a_built_in_flow_gets_its_request_source_and_activation_conditions(client, personas):
    client.force_login(personas.owner)
    page = client.get(f"{GALLERY}text/textract_analyze_document/")
    conditions = page.context["data"]["activation_conditions"]
    response = client.post(
        f"{GALLERY}text/textract_analyze_document/",
        form(
            personas.tenant.team,
            name="forms",
            template=page.context["data"]["template"],
            activation_conditions=conditions,
        ),
    )
    assert response.status_code == 302
    flow = FlowDefinition.objects.get(name="forms")
    assert flow.request_source == FlowDefinition.TEXTRACT_SOURCE
    assert "ImportantFormKeyConfidenceCheck" in flow.activation_conditions


def test_a_flow_can_reuse_an_existing_task_ui(client, personas):
    client.force_login(personas.owner)
    ui = personas.flow.human_task_ui
    response = client.post(f"{GALLERY}ui/{ui.pk}/", form(personas.tenant.team, name="again", template="ignored"))
    assert response.status_code == 302
    assert FlowDefinition.objects.get(name="again").human_task_ui == ui
    assert HumanTaskUi.objects.filter(account=personas.account).count() == 1


def test_the_outsider_sees_neither_the_task_ui_nor_the_flow(client, personas):
    client.force_login(personas.outsider.owner)
    assert client.get(f"{GALLERY}ui/{personas.flow.human_task_ui.pk}/").status_code == 404
    assert client.get(f"/console/flows/{personas.flow.pk}/").status_code == 404
    assert personas.flow.name not in client.get("/console/flows/").content.decode()


def test_the_preview_endpoint_checks_the_template_and_input_and_keeps_them_for_the_frame(client, personas):
    client.force_login(personas.owner)
    bad = client.post("/console/flows/preview", {"template": "{% if %}", "input": "{nope"})
    assert bad.status_code == 400
    assert len(bad.json()["errors"]) == 2
    good = client.post(
        "/console/flows/preview",
        {"template": "<p>{{ task.input.taskObject }}</p>", "input": '{"taskObject": "hello there"}'},
    )
    assert good.json() == {"ok": True}
    frame = client.get("/portal/preview/frame?preview=1")
    assert frame.status_code == 200
    assert "hello there" in frame.content.decode()


def test_the_flow_page_shows_settings_numbers_and_a_snippet_that_starts_a_loop(client, personas, live_server):
    client.force_login(personas.owner)
    response = client.get(f"/console/flows/{personas.flow.pk}/")
    assert response.status_code == 200
    snippet = response.context["snippet"]
    arn = f"arn:aws:sagemaker:us-east-1:{personas.account.aws_account_id}:flow-definition/{personas.flow.name}"
    assert f'FlowDefinitionArn="{arn}"' in snippet
    # The snippet, pasted as it is with the account's key and this server's address, starts the loop.
    code = (
        snippet.replace("AKIA...", personas.tenant.key.access_key.access_key_id)
        .replace('aws_secret_access_key="..."', f'aws_secret_access_key="{personas.tenant.key.secret_access_key}"')
        .replace("http://testserver", live_server.url)
    )
    exec(compile(code, "snippet", "exec"), {})  # noqa: S102 - the page's own snippet, run as a user would
    loop = HumanLoop.objects.get(name=f"{personas.flow.name}-0001")
    assert loop.status == "InProgress"
    assert loop.flow_definition == personas.flow
