"""manage.py edit_flow (issue 17): update, stale base, refused field, diff, rollback, listing, every setting."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from flows.models import FlowDefinition
from tests import factories as f
from tests.flows.test_versions import NO_SENTIMENT_TEMPLATE, V2_TEMPLATE, _answer


def _run(*args) -> str:
    out = io.StringIO()
    call_command("edit_flow", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_edit_flow_command_story(tmp_path):
    acct = f.account(name="acme")
    reviewer = f.user()
    ui = f.human_task_ui(acct, name="sentiment")
    flow = f.flow_definition(acct, f.workteam(acct, members=[reviewer]), ui, name="reviews")
    f.human_loop(flow)
    _answer(reviewer)

    dropping = tmp_path / "drop.html"
    dropping.write_text(NO_SENTIMENT_TEMPLATE)
    with pytest.raises(CommandError, match="no longer has the answer fields sentiment"):
        _run("acme", "ui", "sentiment", "--template", str(dropping), "--base", "1")
    v2 = tmp_path / "v2.html"
    v2.write_text(V2_TEMPLATE)
    assert "flows moved to it: reviews v2" in _run("acme", "ui", "sentiment", "--template", str(v2), "--base", "1")

    with pytest.raises(CommandError, match="is at version 2"):
        _run("acme", "flow", "reviews", "--set", "task_count=2", "--base", "1")
    assert "Published reviews v3." in _run("acme", "flow", "reviews", "--set", "task_count=2", "--base", "2")
    assert "-task_count: 1\n+task_count: 2" in _run("acme", "flow", "reviews", "--diff", "2", "3")
    assert "v4 (rollback to v1)" in _run("acme", "flow", "reviews", "--rollback", "1", "--base", "3")
    listing = _run("acme", "flow", "reviews")
    assert listing.splitlines()[-1].startswith("* v4") and "Rollback to v1" in listing


@pytest.mark.django_db
def test_edit_flow_sets_team_task_ui_conditions_and_hitl_tags_as_update_flow_definition_does(tmp_path):
    acct = f.account(name="acme")
    ui = f.human_task_ui(acct, name="sentiment")
    flow = f.flow_definition(
        acct,
        f.workteam(acct, name="day-shift"),
        ui,
        name="moderation",
        request_source=FlowDefinition.REKOGNITION_SOURCE,
        activation_conditions=_sampling(10),
    )
    night = f.workteam(acct, name="night-shift")
    other_ui = f.human_task_ui(acct, name="sentiment-v2", content=V2_TEMPLATE)
    conditions = tmp_path / "conditions.json"
    conditions.write_text(_sampling(50))

    out = _run(
        "acme", "flow", "moderation", "--base", "1",
        "--set", "workteam=night-shift", "--set", "human_task_ui=sentiment-v2",
        "--set", f"activation_conditions=@{conditions}", "--set", "hitl:flag-below=0.9",
    )  # fmt: skip

    assert "Published moderation v2." in out
    flow.refresh_from_db()
    assert (flow.workteam_id, flow.human_task_ui_id, flow.template_id) == (night.id, other_ui.id, other_ui.template_id)
    assert json.loads(flow.activation_conditions) == json.loads(_sampling(50))
    assert {"Key": "hitl:flag-below", "Value": "0.9"} in flow.tags
    assert "tag hitl:flag-below" in _run("acme", "flow", "moderation", "--diff", "1", "2")

    # Refused as UpdateFlowDefinition refuses them, naming what is wrong; nothing is published.
    for setting, message in (
        ("workteam=nobody", "work team .*nobody does not exist"),
        ("hitl:flag-below=2", "hitl:flag-below must be a number from 0 to 1"),
        ("task_time_limit_seconds=5", "task_time_limit_seconds must be a whole number from 30 to 28800"),
        ("activation_conditions={}", "Conditions"),
        ("role_arn=x", "settable fields are"),
    ):
        with pytest.raises(CommandError, match=message):
            _run("acme", "flow", "moderation", "--base", "2", "--set", setting)
    assert "Published moderation v3." in _run("acme", "flow", "moderation", "--base", "2", "--set", "hitl:flag-below=")
    flow.refresh_from_db()
    assert not [tag for tag in flow.tags if tag["Key"].startswith("hitl:")]


def _sampling(percent: int) -> str:
    return json.dumps(
        {"Conditions": [{"ConditionType": "Sampling", "ConditionParameters": {"RandomSamplingPercentage": percent}}]}
    )
