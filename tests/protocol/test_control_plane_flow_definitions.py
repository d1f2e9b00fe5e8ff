"""Create/Describe/List/DeleteFlowDefinition through boto3 `sagemaker`."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from flows.models import FlowDefinition
from tests.factories import SENTIMENT_TEMPLATE


@pytest.fixture
def refs(aws_account, sagemaker_client) -> dict[str, str]:
    """A work team and a human task UI created through the API."""
    team_arn = sagemaker_client.create_workteam(
        WorkteamName="reviewers",
        Description="Sentiment reviewers",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["reviewers"]}}],
    )["WorkteamArn"]
    ui_arn = sagemaker_client.create_human_task_ui(
        HumanTaskUiName="sentiment-ui", UiTemplate={"Content": SENTIMENT_TEMPLATE}
    )["HumanTaskUiArn"]
    return {
        "team": team_arn,
        "ui": ui_arn,
        "role": f"arn:aws:iam::{aws_account.account.aws_account_id}:role/A2I",
    }


def create(client, refs, name="reviews", **loop_overrides):
    loop_config = {
        "WorkteamArn": refs["team"],
        "HumanTaskUiArn": refs["ui"],
        "TaskTitle": "Sentiment",
        "TaskDescription": "Pick the sentiment",
        "TaskCount": 1,
        **loop_overrides,
    }
    return client.create_flow_definition(
        FlowDefinitionName=name,
        HumanLoopConfig=loop_config,
        OutputConfig={"S3OutputPath": "s3://a2i-results/reviews"},
        RoleArn=refs["role"],
    )


def test_a_created_flow_is_described_with_every_member_and_defaults(aws_account, sagemaker_client, refs):
    response = create(sagemaker_client, refs, TaskKeywords=["sentiment", "support tickets"], TaskCount=2)
    account_id = aws_account.account.aws_account_id
    arn = f"arn:aws:sagemaker:us-east-1:{account_id}:flow-definition/reviews"
    assert response["FlowDefinitionArn"] == arn

    described = sagemaker_client.describe_flow_definition(FlowDefinitionName="reviews")

    described.pop("ResponseMetadata")
    creation_time = described.pop("CreationTime")
    assert creation_time.tzinfo is not None
    assert described == {
        "FlowDefinitionArn": arn,
        "FlowDefinitionName": "reviews",
        "FlowDefinitionStatus": "Active",
        "HumanLoopConfig": {
            "WorkteamArn": refs["team"],
            "HumanTaskUiArn": refs["ui"],
            "TaskTitle": "Sentiment",
            "TaskDescription": "Pick the sentiment",
            "TaskCount": 2,
            "TaskAvailabilityLifetimeInSeconds": 864000,
            "TaskTimeLimitInSeconds": 3600,
            "TaskKeywords": ["sentiment", "support tickets"],
        },
        "OutputConfig": {"S3OutputPath": "s3://a2i-results/reviews"},
        "RoleArn": refs["role"],
    }


def test_the_wire_timestamp_is_epoch_seconds_with_a_millisecond_fraction(aws_account, sagemaker_client, refs):
    create(sagemaker_client, refs)
    captured = {}

    def keep_body(http_response, **kwargs):
        captured["body"] = json.loads(http_response.content)

    sagemaker_client.meta.events.register("after-call.sagemaker.DescribeFlowDefinition", keep_body)
    sagemaker_client.describe_flow_definition(FlowDefinitionName="reviews")

    creation = captured["body"]["CreationTime"]
    assert isinstance(creation, int | float)
    assert round(creation, 3) == creation


def test_a_duplicate_flow_name_is_resource_in_use(sagemaker_client, refs):
    create(sagemaker_client, refs)

    with pytest.raises(sagemaker_client.exceptions.ResourceInUse):
        create(sagemaker_client, refs)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"TaskCount": 10}, "humanLoopConfig.taskCount"),
        ({"TaskTimeLimitInSeconds": 28801}, "humanLoopConfig.taskTimeLimitInSeconds"),
        ({"TaskAvailabilityLifetimeInSeconds": 864001}, "humanLoopConfig.taskAvailabilityLifetimeInSeconds"),
        ({"TaskKeywords": ["no_underscores"]}, "humanLoopConfig.taskKeywords.1"),
    ],
)
def test_limits_are_validation_errors_naming_the_field(sagemaker_client, refs, overrides, field):
    with pytest.raises(ClientError) as error:
        create(sagemaker_client, refs, **overrides)

    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert f"'{field}'" in error.value.response["Error"]["Message"]


def test_a_bad_name_pattern_is_a_validation_error(sagemaker_client, refs):
    with pytest.raises(ClientError) as error:
        create(sagemaker_client, refs, name="Not_Valid")

    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert "'flowDefinitionName'" in error.value.response["Error"]["Message"]
    assert "regular expression pattern" in error.value.response["Error"]["Message"]


def test_unknown_team_or_ui_and_the_public_crowd_are_validation_errors(aws_account, sagemaker_client, refs):
    account_id = aws_account.account.aws_account_id
    for overrides in (
        {"WorkteamArn": f"arn:aws:sagemaker:us-east-1:{account_id}:workteam/private-crowd/ghosts"},
        {"HumanTaskUiArn": f"arn:aws:sagemaker:us-east-1:{account_id}:human-task-ui/ghost"},
        {"WorkteamArn": "arn:aws:sagemaker:us-east-1:394669845002:workteam/public-crowd/default"},
    ):
        with pytest.raises(ClientError) as error:
            create(sagemaker_client, refs, **overrides)
        assert error.value.response["Error"]["Code"] == "ValidationException"
    assert not FlowDefinition.objects.exists()


def test_activation_conditions_are_stored_as_the_same_string(sagemaker_client, refs):
    conditions = json.dumps(
        {"Conditions": [{"ConditionType": "Sampling", "ConditionParameters": {"RandomSamplingPercentage": 5}}]}
    )
    sagemaker_client.create_flow_definition(
        FlowDefinitionName="moderation",
        HumanLoopRequestSource={"AwsManagedHumanLoopRequestSource": "AWS/Rekognition/DetectModerationLabels/Image/V3"},
        HumanLoopActivationConfig={
            "HumanLoopActivationConditionsConfig": {"HumanLoopActivationConditions": conditions}
        },
        HumanLoopConfig={
            "WorkteamArn": refs["team"],
            "HumanTaskUiArn": refs["ui"],
            "TaskTitle": "Moderate",
            "TaskDescription": "Check labels",
            "TaskCount": 1,
        },
        OutputConfig={"S3OutputPath": "s3://a2i-results/moderation", "KmsKeyId": "alias/a2i"},
        RoleArn=refs["role"],
    )

    described = sagemaker_client.describe_flow_definition(FlowDefinitionName="moderation")

    config = described["HumanLoopActivationConfig"]["HumanLoopActivationConditionsConfig"]
    assert config["HumanLoopActivationConditions"] == conditions
    assert described["OutputConfig"]["KmsKeyId"] == "alias/a2i"


def test_list_pages_with_max_results_one_in_both_orders(sagemaker_client, refs):
    for name in ("flow-a", "flow-b", "flow-c"):
        create(sagemaker_client, refs, name=name)

    def all_names(**kwargs) -> list[str]:
        names, token = [], None
        while True:
            extra = {"NextToken": token} if token else {}
            page = sagemaker_client.list_flow_definitions(MaxResults=1, **extra, **kwargs)
            assert len(page["FlowDefinitionSummaries"]) <= 1
            names += [s["FlowDefinitionName"] for s in page["FlowDefinitionSummaries"]]
            token = page.get("NextToken")
            if not token:
                return names

    assert all_names(SortOrder="Ascending") == ["flow-a", "flow-b", "flow-c"]
    assert all_names(SortOrder="Descending") == ["flow-c", "flow-b", "flow-a"]
    summary = sagemaker_client.list_flow_definitions()["FlowDefinitionSummaries"][0]
    assert set(summary) == {"FlowDefinitionName", "FlowDefinitionArn", "FlowDefinitionStatus", "CreationTime"}


def test_list_filters_by_creation_time(sagemaker_client, refs):
    create(sagemaker_client, refs, name="flow-a")
    created = sagemaker_client.describe_flow_definition(FlowDefinitionName="flow-a")["CreationTime"]

    def names(**kwargs):
        return [
            s["FlowDefinitionName"] for s in sagemaker_client.list_flow_definitions(**kwargs)["FlowDefinitionSummaries"]
        ]

    assert names(CreationTimeAfter=created) == ["flow-a"]  # inclusive
    assert names(CreationTimeBefore=created) == []  # exclusive


def test_a_bad_next_token_is_a_validation_error(sagemaker_client):
    with pytest.raises(ClientError) as error:
        sagemaker_client.list_flow_definitions(NextToken="not-a-token")

    assert error.value.response["Error"]["Code"] == "ValidationException"


def test_a_deleted_flow_is_resource_not_found(sagemaker_client, refs):
    create(sagemaker_client, refs)

    assert (
        sagemaker_client.delete_flow_definition(FlowDefinitionName="reviews")["ResponseMetadata"]["HTTPStatusCode"]
        == 200
    )

    with pytest.raises(sagemaker_client.exceptions.ResourceNotFound):
        sagemaker_client.describe_flow_definition(FlowDefinitionName="reviews")
    with pytest.raises(sagemaker_client.exceptions.ResourceNotFound):
        sagemaker_client.delete_flow_definition(FlowDefinitionName="reviews")
    assert sagemaker_client.list_flow_definitions()["FlowDefinitionSummaries"] == []


def test_a_flow_with_a_loop_in_progress_cannot_be_deleted(sagemaker_client, runtime_client, refs):
    arn = create(sagemaker_client, refs)["FlowDefinitionArn"]
    runtime_client.start_human_loop(
        HumanLoopName="open-loop", FlowDefinitionArn=arn, HumanLoopInput={"InputContent": '{"taskObject": "hi"}'}
    )

    with pytest.raises(sagemaker_client.exceptions.ResourceInUse):
        sagemaker_client.delete_flow_definition(FlowDefinitionName="reviews")


def test_another_account_cannot_see_or_use_the_flow(aws_account, sagemaker_client, refs, make_clients):
    arn = create(sagemaker_client, refs)["FlowDefinitionArn"]
    other = make_clients("other-tenant")

    assert other.sagemaker.list_flow_definitions()["FlowDefinitionSummaries"] == []
    with pytest.raises(other.sagemaker.exceptions.ResourceNotFound):
        other.sagemaker.describe_flow_definition(FlowDefinitionName="reviews")
    with pytest.raises(ClientError) as error:
        other.sagemaker.create_flow_definition(
            FlowDefinitionName="stolen",
            HumanLoopConfig={
                "WorkteamArn": refs["team"],
                "HumanTaskUiArn": refs["ui"],
                "TaskTitle": "t",
                "TaskDescription": "d",
                "TaskCount": 1,
            },
            OutputConfig={"S3OutputPath": "s3://x/y"},
            RoleArn=refs["role"],
        )
    assert error.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError):
        other.runtime.start_human_loop(HumanLoopName="x", FlowDefinitionArn=arn, HumanLoopInput={"InputContent": "{}"})
