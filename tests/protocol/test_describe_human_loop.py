"""DescribeHumanLoop through the real boto3 runtime client."""

from __future__ import annotations

import datetime as dt

import pytest

from flows.loops import lifecycle
from flows.models import HumanLoop
from hitl.kernel import clock
from tests.protocol.conftest import start_loop

pytestmark = pytest.mark.usefixtures("signing_follows_clock")

REQUIRED = {"CreationTime", "HumanLoopStatus", "HumanLoopName", "HumanLoopArn", "FlowDefinitionArn"}


def test_an_in_progress_loop_has_the_required_members_and_its_future_output_uri(runtime_client, flow_setup):
    clock.set_now(dt.datetime(2024, 5, 1, 9, 30, 12, 345678, tzinfo=dt.UTC))
    arn = start_loop(runtime_client, flow_setup.flow_arn, "review-0001")

    response = runtime_client.describe_human_loop(HumanLoopName="review-0001")

    # Real A2I names the output location from the start (its path carries the creation time);
    # AWS's sample notebooks read resp["HumanLoopOutput"] right after starting.
    assert set(response) - {"ResponseMetadata"} == REQUIRED | {"HumanLoopOutput"}
    assert response["HumanLoopOutput"] == {
        "OutputS3Uri": f"s3://a2i-results/reviews/{flow_setup.flow.name}/2024/05/01/09/30/12/review-0001/output.json"
    }
    assert response["HumanLoopStatus"] == "InProgress"
    assert response["HumanLoopName"] == "review-0001"
    assert response["HumanLoopArn"] == arn
    assert response["FlowDefinitionArn"] == flow_setup.flow_arn
    # botocore parsed the ISO string: millisecond precision, UTC.
    assert response["CreationTime"] == dt.datetime(2024, 5, 1, 9, 30, 12, 345000, tzinfo=dt.UTC)


def test_the_wire_timestamp_is_iso_8601_with_milliseconds(aws_account, runtime_client, flow_setup):
    clock.set_now(dt.datetime(2024, 5, 1, 9, 30, 12, 5000, tzinfo=dt.UTC))
    start_loop(runtime_client, flow_setup.flow_arn, "review-0001")
    raw = {}
    runtime_client.meta.events.register(
        "after-call.sagemaker-a2i-runtime.DescribeHumanLoop",
        lambda http_response, **_: raw.update(body=http_response.content),
    )

    runtime_client.describe_human_loop(HumanLoopName="review-0001")

    assert b'"CreationTime":"2024-05-01T09:30:12.005Z"' in raw["body"]
    assert b"null" not in raw["body"]


def test_a_completed_loop_has_the_output_uri_it_was_described_with_from_the_start(runtime_client, flow_setup):
    start_loop(runtime_client, flow_setup.flow_arn, "review-0001")
    announced = runtime_client.describe_human_loop(HumanLoopName="review-0001")["HumanLoopOutput"]
    task = lifecycle.claim_next_task(flow_setup.reviewer)
    lifecycle.submit_task(flow_setup.reviewer, task.id, {"sentiment": {"label": "Positive"}})

    response = runtime_client.describe_human_loop(HumanLoopName="review-0001")

    assert response["HumanLoopStatus"] == "Completed"
    output_uri = response["HumanLoopOutput"]["OutputS3Uri"]
    assert output_uri.startswith("s3://a2i-results/reviews/")
    assert output_uri.endswith("/review-0001/output.json")
    assert response["HumanLoopOutput"] == announced
    assert "FailureReason" not in response
    assert "FailureCode" not in response


def test_a_loop_past_its_lifetime_is_described_as_failed_expired(runtime_client, make_flow_setup, aws_account):
    setup = make_flow_setup(aws_account.account, task_availability_lifetime_seconds=60)
    start_loop(runtime_client, setup.flow_arn, "review-0001")
    clock.advance(61)  # the sweep has not run; the read must not show a loop that can no longer finish

    response = runtime_client.describe_human_loop(HumanLoopName="review-0001")

    assert response["HumanLoopStatus"] == "Failed"
    assert response["FailureCode"] == "Expired"
    assert response["FailureReason"] == lifecycle.EXPIRED_REASON
    assert response["HumanLoopOutput"]["OutputS3Uri"].endswith("/review-0001/output.json")
    assert HumanLoop.objects.get(name="review-0001").status == "Failed"


def test_a_loop_that_never_existed_is_not_found(runtime_client, flow_setup):
    with pytest.raises(runtime_client.exceptions.ResourceNotFoundException) as info:
        runtime_client.describe_human_loop(HumanLoopName="no-such-loop")

    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert info.value.response["Error"]["Message"] == "Human loop no-such-loop does not exist."
    assert info.value.response["ResponseMetadata"]["RequestId"]


def test_a_loop_named_stop_is_described_not_stopped(runtime_client, flow_setup):
    start_loop(runtime_client, flow_setup.flow_arn, "stop")

    response = runtime_client.describe_human_loop(HumanLoopName="stop")

    assert response["HumanLoopName"] == "stop"
    assert response["HumanLoopStatus"] == "InProgress"


def test_another_account_cannot_see_the_loop(runtime_client, flow_setup, make_clients):
    start_loop(runtime_client, flow_setup.flow_arn, "review-0001")
    other = make_clients("globex")

    with pytest.raises(other.runtime.exceptions.ResourceNotFoundException):
        other.runtime.describe_human_loop(HumanLoopName="review-0001")
