"""Quality control set through boto3: `hitl:` tags on CreateFlowDefinition and AddTags, TaskCount up to 9."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from flows.models import HumanLoop
from tests.protocol.conftest import start_loop
from tests.protocol.test_control_plane_flow_definitions import create, refs  # noqa: F401 (fixture)


def _create_tagged(client, refs, tags, **overrides):  # noqa: F811
    loop_config = {
        "WorkteamArn": refs["team"],
        "HumanTaskUiArn": refs["ui"],
        "TaskTitle": "Sentiment",
        "TaskDescription": "Pick the sentiment",
        "TaskCount": 3,
        **overrides,
    }
    return client.create_flow_definition(
        FlowDefinitionName="graded",
        HumanLoopConfig=loop_config,
        OutputConfig={"S3OutputPath": "s3://a2i-results/reviews"},
        RoleArn=refs["role"],
        Tags=tags,
    )


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("hitl:consolidation", "average", "dawid-skene or majority-vote"),
        ("hitl:overlap", "adaptive:3:2:0.9", "adaptive:MIN:MAX:TARGET"),
        ("hitl:overlap", "adaptive:1:10:0.9", "MAX <= 9"),
        ("hitl:gold-rate", "0.9", "from 0 to 0.5"),
        ("hitl:gold-rate", "often", "from 0 to 0.5"),
        ("hitl:pause-after", "-1", "whole number"),
        ("hitl:qualification", "5:2", "N:ACCURACY"),
        ("hitl:consolidaton", "dawid-skene", "not a hitl setting"),
    ],
)
def test_a_bad_hitl_tag_is_a_validation_error_that_says_what_is_allowed(sagemaker_client, refs, key, value, says):  # noqa: F811
    with pytest.raises(ClientError) as error:
        _create_tagged(sagemaker_client, refs, [{"Key": key, "Value": value}])

    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert key in error.value.response["Error"]["Message"]
    assert says in error.value.response["Error"]["Message"]


def test_hitl_tags_are_checked_by_add_tags_too_and_good_ones_are_kept(sagemaker_client, refs):  # noqa: F811
    arn = _create_tagged(sagemaker_client, refs, [{"Key": "hitl:gold-rate", "Value": "0.1"}])["FlowDefinitionArn"]

    with pytest.raises(ClientError) as error:
        sagemaker_client.add_tags(ResourceArn=arn, Tags=[{"Key": "hitl:flag-below", "Value": "2"}])
    assert error.value.response["Error"]["Code"] == "ValidationException"
    sagemaker_client.add_tags(ResourceArn=arn, Tags=[{"Key": "hitl:overlap", "Value": "adaptive:1:5:0.95"}])

    assert sagemaker_client.list_tags(ResourceArn=arn)["Tags"] == [
        {"Key": "hitl:gold-rate", "Value": "0.1"},
        {"Key": "hitl:overlap", "Value": "adaptive:1:5:0.95"},
    ]


def test_task_count_goes_up_to_nine_and_an_adaptive_flow_starts_with_its_minimum(
    aws_account,
    sagemaker_client,
    runtime_client,
    refs,  # noqa: F811
):
    nine = create(sagemaker_client, refs, name="nine", TaskCount=9)["FlowDefinitionArn"]
    adaptive = _create_tagged(
        sagemaker_client, refs, [{"Key": "hitl:overlap", "Value": "adaptive:2:5:0.95"}], TaskCount=1
    )["FlowDefinitionArn"]

    assert sagemaker_client.describe_flow_definition(FlowDefinitionName="nine")["HumanLoopConfig"]["TaskCount"] == 9
    start_loop(runtime_client, nine, "nine-reviews")
    start_loop(runtime_client, adaptive, "adaptive-reviews")
    assert HumanLoop.objects.get(name="nine-reviews").review_tasks.count() == 9
    assert HumanLoop.objects.get(name="adaptive-reviews").review_tasks.count() == 2


def test_a_work_team_sets_a_qualification_test_its_flows_opt_into_and_bad_values_are_refused(sagemaker_client, refs):  # noqa: F811
    # A flow cannot opt into a test its team does not set.
    with pytest.raises(ClientError) as error:
        _create_tagged(sagemaker_client, refs, [{"Key": "hitl:qualification", "Value": "team"}])
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert "has no hitl:qualification tag" in error.value.response["Error"]["Message"]
    # Bad team values, on CreateWorkteam and AddTags.
    with pytest.raises(ClientError) as error:
        sagemaker_client.create_workteam(
            WorkteamName="graders",
            Description="Graders",
            MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["graders"]}}],
            Tags=[{"Key": "hitl:qualification", "Value": "ten"}],
        )
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert "hitl:qualification must be off, N or N:ACCURACY" in error.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as error:
        sagemaker_client.add_tags(ResourceArn=refs["team"], Tags=[{"Key": "hitl:qualification", "Value": "3:1.5"}])
    assert error.value.response["Error"]["Code"] == "ValidationException"

    sagemaker_client.add_tags(ResourceArn=refs["team"], Tags=[{"Key": "hitl:qualification", "Value": "3:0.67"}])
    arn = _create_tagged(sagemaker_client, refs, [{"Key": "hitl:qualification", "Value": "team"}])["FlowDefinitionArn"]

    assert {"Key": "hitl:qualification", "Value": "team"} in sagemaker_client.list_tags(ResourceArn=arn)["Tags"]
    assert sagemaker_client.list_tags(ResourceArn=refs["team"])["Tags"] == [
        {"Key": "hitl:qualification", "Value": "3:0.67"}
    ]
