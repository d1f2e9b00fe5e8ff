"""StartHumanLoop through the real boto3 runtime client."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from flows.models import HumanLoop, ReviewTask
from hitl.kernel import arns
from tests.protocol.conftest import loop_input, start_loop
from workforce.models import AccessKey


def test_starting_a_loop_returns_its_arn_and_creates_the_loop_in_progress(aws_account, runtime_client, flow_setup):
    response = runtime_client.start_human_loop(
        HumanLoopName="review-0001",
        FlowDefinitionArn=flow_setup.flow_arn,
        HumanLoopInput=loop_input(taskObject="Late delivery, but support fixed it fast."),
        DataAttributes={"ContentClassifiers": ["FreeOfPersonallyIdentifiableInformation"]},
    )

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert response["ResponseMetadata"]["RequestId"]
    assert response["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/json"
    account_id = aws_account.account.aws_account_id
    assert response["HumanLoopArn"] == f"arn:aws:sagemaker:us-east-1:{account_id}:human-loop/review-0001"
    loop = HumanLoop.objects.get(name="review-0001")
    assert loop.status == "InProgress"
    assert loop.account == aws_account.account
    assert loop.input_json == {"taskObject": "Late delivery, but support fixed it fast."}
    assert loop.data_attributes == {"ContentClassifiers": ["FreeOfPersonallyIdentifiableInformation"]}
    assert ReviewTask.objects.filter(human_loop=loop, state="open").count() == 1


def test_a_name_outside_the_pattern_is_a_validation_error(runtime_client, flow_setup):
    with pytest.raises(ClientError) as info:
        runtime_client.start_human_loop(
            HumanLoopName="Bad_Name", FlowDefinitionArn=flow_setup.flow_arn, HumanLoopInput=loop_input()
        )

    error = info.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Message"] == (
        "1 validation error detected: Value 'Bad_Name' at 'humanLoopName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*$"
    )
    assert not HumanLoop.objects.exists()


def test_input_content_that_is_not_json_is_a_validation_error(runtime_client, flow_setup):
    with pytest.raises(ClientError) as info:
        runtime_client.start_human_loop(
            HumanLoopName="loop-1",
            FlowDefinitionArn=flow_setup.flow_arn,
            HumanLoopInput={"InputContent": "taskObject: not json"},
        )

    assert info.value.response["Error"]["Code"] == "ValidationException"
    assert "humanLoopInput.inputContent" in info.value.response["Error"]["Message"]
    assert not HumanLoop.objects.exists()


def test_every_violation_is_reported_together(runtime_client, flow_setup):
    with pytest.raises(ClientError) as info:
        runtime_client.start_human_loop(
            HumanLoopName="x" * 64,
            FlowDefinitionArn="arn:aws:sagemaker:us-east-1:123:flow-definition/f",
            HumanLoopInput=loop_input(),
            DataAttributes={"ContentClassifiers": ["FreeOfAdultContent", "FreeOfCats"]},
        )

    message = info.value.response["Error"]["Message"]
    assert message.startswith("3 validation errors detected: ")
    assert "'humanLoopName' failed to satisfy constraint: Member must have length less than or equal to 63" in message
    assert "at 'flowDefinitionArn' failed to satisfy constraint: Member must satisfy regular expression" in message
    assert "Value 'FreeOfCats' at 'dataAttributes.contentClassifiers.2'" in message


def test_input_content_over_the_quota_is_refused(runtime_client, flow_setup):
    content = json.dumps({"taskObject": "x" * 3_145_728})
    with pytest.raises(ClientError) as info:
        runtime_client.start_human_loop(
            HumanLoopName="big", FlowDefinitionArn=flow_setup.flow_arn, HumanLoopInput={"InputContent": content}
        )

    assert info.value.response["Error"]["Code"] == "ValidationException"
    assert "Member must have length less than or equal to 3145728" in info.value.response["Error"]["Message"]


def test_an_unknown_flow_definition_is_a_validation_error(aws_account, runtime_client, flow_setup):
    missing = arns.build("flow-definition", aws_account.account.aws_account_id, "no-such-flow")
    with pytest.raises(ClientError) as info:
        start_loop(runtime_client, missing, "loop-1")

    assert info.value.response["Error"]["Code"] == "ValidationException"
    assert "no-such-flow" in info.value.response["Error"]["Message"]


def test_repeating_an_identical_request_returns_the_same_loop(runtime_client, flow_setup):
    first = start_loop(runtime_client, flow_setup.flow_arn, "loop-1", taskObject="same")
    again = start_loop(runtime_client, flow_setup.flow_arn, "loop-1", taskObject="same")

    assert again == first
    assert HumanLoop.objects.filter(name="loop-1").count() == 1
    assert ReviewTask.objects.count() == 1


def test_reusing_a_name_with_different_input_is_a_conflict(runtime_client, flow_setup):
    start_loop(runtime_client, flow_setup.flow_arn, "loop-1", taskObject="first")

    with pytest.raises(runtime_client.exceptions.ConflictException) as info:
        start_loop(runtime_client, flow_setup.flow_arn, "loop-1", taskObject="second")

    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert HumanLoop.objects.get(name="loop-1").input_json == {"taskObject": "first"}


def test_the_active_loop_quota_answers_service_quota_exceeded(settings, runtime_client, flow_setup):
    settings.HITL_ACTIVE_LOOP_QUOTA = 1
    start_loop(runtime_client, flow_setup.flow_arn, "loop-1")

    with pytest.raises(runtime_client.exceptions.ServiceQuotaExceededException) as info:
        start_loop(runtime_client, flow_setup.flow_arn, "loop-2")

    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 402


def test_a_key_limited_to_other_flows_is_denied(aws_account, runtime_client, flow_setup, make_flow_setup):
    other = make_flow_setup(aws_account.account)
    AccessKey.objects.filter(access_key_id=aws_account.access_key_id).update(allowed_flow_names=[other.flow.name])

    with pytest.raises(ClientError) as info:
        start_loop(runtime_client, flow_setup.flow_arn, "loop-1")

    assert info.value.response["Error"]["Code"] == "AccessDeniedException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert start_loop(runtime_client, other.flow_arn, "loop-2").endswith("human-loop/loop-2")
