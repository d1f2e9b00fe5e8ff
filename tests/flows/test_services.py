"""Flow definitions and human task UIs: the validation edge cases, at service and handler level."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace

import pytest

from flows.api import sagemaker as api
from flows.definitions import services
from flows.loops import lifecycle
from flows.models import FlowDefinition, HumanLoop
from hitl.aws.registry import RequestContext
from hitl.kernel import arns
from hitl.kernel.errors import InUse, InvalidInput, LimitExceeded, NotFound
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def acct():
    return f.account()


@pytest.fixture
def team(acct):
    return f.workteam(acct, name="reviewers")


@pytest.fixture
def ui(acct):
    return services.create_human_task_ui(acct, name="sentiment", content=f.SENTIMENT_TEMPLATE)


def ctx_for(acct) -> RequestContext:
    return RequestContext(account=acct, access_key=None, request_id=str(uuid.uuid4()))


def spec(acct, team, ui, **overrides) -> services.FlowDefinitionSpec:
    fields = {
        "name": "reviews",
        "role_arn": f"arn:aws:iam::{acct.aws_account_id}:role/A2I",
        "s3_output_path": "s3://bucket/out",
        "workteam_arn": arns.build("workteam", acct.aws_account_id, team.name),
        "human_task_ui_arn": arns.build("human-task-ui", acct.aws_account_id, ui.name),
        "task_title": "Sentiment",
        "task_description": "Pick one",
        "task_count": 1,
    }
    fields.update(overrides)
    return services.FlowDefinitionSpec(**fields)


def wire_request(acct, team, ui, **overrides) -> dict:
    body = {
        "FlowDefinitionName": "reviews",
        "HumanLoopConfig": {
            "WorkteamArn": arns.build("workteam", acct.aws_account_id, team.name),
            "HumanTaskUiArn": arns.build("human-task-ui", acct.aws_account_id, ui.name),
            "TaskTitle": "Sentiment",
            "TaskDescription": "Pick one",
            "TaskCount": 1,
        },
        "OutputConfig": {"S3OutputPath": "s3://bucket/out"},
        "RoleArn": f"arn:aws:iam::{acct.aws_account_id}:role/A2I",
    }
    for key, value in overrides.items():
        if key in body["HumanLoopConfig"] or key.startswith("Task"):
            body["HumanLoopConfig"][key] = value
        else:
            body[key] = value
    return body


def validation_message(acct, body) -> str:
    with pytest.raises(InvalidInput) as error:
        api.create_flow_definition(ctx_for(acct), body)
    return error.value.message


# --- Shapes (handler level) ---------------------------------------------------


@pytest.mark.parametrize(
    ("member", "value", "path", "why"),
    [
        ("TaskCount", 10, "humanLoopConfig.taskCount", "less than or equal to 9"),
        ("TaskCount", 0, "humanLoopConfig.taskCount", "greater than or equal to 1"),
        ("TaskAvailabilityLifetimeInSeconds", 864001, "humanLoopConfig.taskAvailabilityLifetimeInSeconds", "864000"),
        ("TaskAvailabilityLifetimeInSeconds", 0, "humanLoopConfig.taskAvailabilityLifetimeInSeconds", "1"),
        ("TaskTimeLimitInSeconds", 29, "humanLoopConfig.taskTimeLimitInSeconds", "30"),
        ("TaskTimeLimitInSeconds", 28801, "humanLoopConfig.taskTimeLimitInSeconds", "28800"),
        ("TaskKeywords", ["ok", "bad  spaces"], "humanLoopConfig.taskKeywords.2", "pattern"),
        ("TaskKeywords", ["a", "b", "c", "d", "e", "f"], "humanLoopConfig.taskKeywords", "less than or equal to 5"),
        ("TaskTitle", "x" * 129, "humanLoopConfig.taskTitle", "128"),
        ("TaskTitle", "bell\x07", "humanLoopConfig.taskTitle", "pattern"),
        ("FlowDefinitionName", "Has_Upper", "flowDefinitionName", "pattern"),
        ("FlowDefinitionName", "a" * 64, "flowDefinitionName", "63"),
        ("RoleArn", "arn:aws:iam::12:role/x", "roleArn", "pattern"),
        ("OutputConfig", {"S3OutputPath": "ftp://bucket/x"}, "outputConfig.s3OutputPath", "pattern"),
        ("OutputConfig", {"S3OutputPath": "s3://b/x", "KmsKeyId": "key id!"}, "outputConfig.kmsKeyId", "pattern"),
        ("Tags", [{"Key": "k\u0000", "Value": "v"}], "tags.1.key", "pattern"),
        ("Tags", [{"Key": "k"}], "tags.1.value", "must not be null"),
        ("Tags", [{"Key": f"k{i}", "Value": "v"} for i in range(51)], "tags", "less than or equal to 50"),
    ],
)
def test_each_limit_and_pattern_is_a_validation_error_naming_the_field(acct, team, ui, member, value, path, why):
    message = validation_message(acct, wire_request(acct, team, ui, **{member: value}))

    assert f"at '{path}'" in message
    assert why in message
    assert not FlowDefinition.objects.exists()


def test_several_violations_are_reported_together(acct, team, ui):
    message = validation_message(
        acct, wire_request(acct, team, ui, TaskCount=10, RoleArn="arn:aws:iam::12:role/abcdef")
    )

    assert message.startswith("2 validation errors detected:")


def test_unicode_letters_are_allowed_in_tags(acct, team, ui):
    body = wire_request(acct, team, ui, Tags=[{"Key": "équipe", "Value": "Zürich 東京 +=@"}])

    api.create_flow_definition(ctx_for(acct), body)

    assert FlowDefinition.objects.get().tags == [{"Key": "équipe", "Value": "Zürich 東京 +=@"}]


def test_defaults_are_filled_in_and_echoed(acct, team, ui):
    api.create_flow_definition(ctx_for(acct), wire_request(acct, team, ui))

    described = api.describe_flow_definition(ctx_for(acct), {"FlowDefinitionName": "reviews"})

    config = described["HumanLoopConfig"]
    assert config["TaskAvailabilityLifetimeInSeconds"] == 864000
    assert config["TaskTimeLimitInSeconds"] == 3600
    assert "TaskKeywords" not in config
    assert None not in described.values()
    assert "HumanLoopActivationConfig" not in described


# --- References, activation, quotas (service level) ---------------------------


def test_the_flow_snapshots_the_template_so_deleting_the_ui_keeps_it(acct, team, ui):
    flow = services.create_flow_definition(acct, spec(acct, team, ui))

    services.delete_human_task_ui(acct, "sentiment")

    flow.refresh_from_db()
    assert flow.human_task_ui is None
    assert flow.template.content == f.SENTIMENT_TEMPLATE


def test_an_unknown_team_or_ui_is_a_validation_error(acct, team, ui):
    missing_team = arns.build("workteam", acct.aws_account_id, "ghosts")
    with pytest.raises(InvalidInput, match="work team .* does not exist"):
        services.create_flow_definition(acct, spec(acct, team, ui, workteam_arn=missing_team))
    missing_ui = arns.build("human-task-ui", acct.aws_account_id, "ghost-ui")
    with pytest.raises(InvalidInput, match="human task UI .* does not exist"):
        services.create_flow_definition(acct, spec(acct, team, ui, human_task_ui_arn=missing_ui))


def test_another_accounts_team_is_unknown(acct, ui):
    other = f.account()
    other_team = f.workteam(other, name="theirs")

    with pytest.raises(InvalidInput, match="does not exist"):
        services.create_flow_definition(
            acct, spec(acct, other_team, ui, workteam_arn=arns.build("workteam", other.aws_account_id, "theirs"))
        )


def test_the_public_crowd_is_refused(acct, team, ui):
    public = "arn:aws:sagemaker:us-east-1:394669845002:workteam/public-crowd/default"

    with pytest.raises(InvalidInput, match="private work teams only"):
        services.create_flow_definition(acct, spec(acct, team, ui, workteam_arn=public))


def test_activation_conditions_require_a_request_source(acct, team, ui):
    conditions = json.dumps({"Conditions": [{"ConditionType": "Sampling", "ConditionParameters": {}}]})

    with pytest.raises(InvalidInput, match="HumanLoopRequestSource"):
        services.create_flow_definition(acct, spec(acct, team, ui, activation_conditions=conditions))


def test_activation_conditions_are_checked_against_the_grammar(acct, team, ui):
    source = FlowDefinition.REKOGNITION_SOURCE
    with pytest.raises(InvalidInput):
        services.create_flow_definition(
            acct, spec(acct, team, ui, request_source=source, activation_conditions='{"Conditions": [{"Nope": 1}]}')
        )
    good = json.dumps(
        {"Conditions": [{"ConditionType": "Sampling", "ConditionParameters": {"RandomSamplingPercentage": 5}}]}
    )

    flow = services.create_flow_definition(
        acct, spec(acct, team, ui, request_source=source, activation_conditions=good)
    )

    described = api.describe_flow_definition(ctx_for(acct), {"FlowDefinitionName": flow.name})
    assert described["HumanLoopActivationConfig"] == {
        "HumanLoopActivationConditionsConfig": {"HumanLoopActivationConditions": good}
    }
    assert described["HumanLoopRequestSource"] == {"AwsManagedHumanLoopRequestSource": source}


def test_duplicate_names_and_quota(acct, team, ui, settings):
    services.create_flow_definition(acct, spec(acct, team, ui))
    with pytest.raises(InUse):
        services.create_flow_definition(acct, spec(acct, team, ui))
    settings.HITL_FLOW_DEFINITION_QUOTA = 1
    with pytest.raises(LimitExceeded):
        services.create_flow_definition(acct, spec(acct, team, ui, name="second"))


# --- Delete ---------------------------------------------------------------------


def start_loop(acct, flow, name="loop-1") -> HumanLoop:
    return lifecycle.start_human_loop(
        account=acct,
        name=name,
        flow_definition_arn=f.flow_arn(flow),
        input_content=json.dumps({"taskObject": "hi"}),
    ).loop


def test_a_flow_with_loops_in_progress_cannot_be_deleted(acct, team, ui):
    flow = services.create_flow_definition(acct, spec(acct, team, ui))
    start_loop(acct, flow)

    with pytest.raises(InUse, match="in progress"):
        services.delete_flow_definition(acct, "reviews")

    assert services.get_flow_definition(acct, "reviews").status == "Active"


def test_a_deleted_flow_keeps_its_finished_loops_and_frees_its_name(acct, team, ui):
    flow = services.create_flow_definition(acct, spec(acct, team, ui))
    loop = start_loop(acct, flow)
    lifecycle.stop_human_loop(account=acct, name=loop.name)
    with pytest.raises(InUse):
        services.delete_flow_definition(acct, "reviews")  # Stopping still counts as open
    lifecycle.finalize_loop(loop.id)
    loop.refresh_from_db()
    assert loop.status == "Stopped"

    services.delete_flow_definition(acct, "reviews")

    with pytest.raises(NotFound):
        services.get_flow_definition(acct, "reviews")
    loop.refresh_from_db()
    assert loop.flow_definition_id == flow.id
    flow.refresh_from_db()
    assert flow.status == "Deleting" and flow.deleted_at is not None
    recreated = services.create_flow_definition(acct, replace(spec(acct, team, ui), task_count=2))
    assert recreated.id != flow.id
    assert start_loop(acct, recreated, name="loop-2").flow_definition_id == recreated.id


def test_a_flow_without_loops_is_removed(acct, team, ui):
    services.create_flow_definition(acct, spec(acct, team, ui))

    services.delete_flow_definition(acct, "reviews")

    assert not FlowDefinition.objects.exists()
    with pytest.raises(NotFound):
        services.delete_flow_definition(acct, "reviews")


def test_listing_flows_costs_one_query(acct, team, ui, django_assert_num_queries):
    for number in range(4):
        services.create_flow_definition(acct, spec(acct, team, ui, name=f"flow-{number}"))

    with django_assert_num_queries(1):
        page = api.list_flow_definitions(ctx_for(acct), {"MaxResults": 3})

    assert [s["FlowDefinitionName"] for s in page["FlowDefinitionSummaries"]] == ["flow-3", "flow-2", "flow-1"]
    assert page["NextToken"]
