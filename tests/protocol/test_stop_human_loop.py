"""StopHumanLoop through the real boto3 runtime client."""

from __future__ import annotations

import pytest

from flows.loops import lifecycle
from flows.models import StatusEvent
from hitl.kernel import clock
from tests.protocol.conftest import start_loop


def status(client, name: str) -> str:
    return client.describe_human_loop(HumanLoopName=name)["HumanLoopStatus"]


def test_stopping_a_loop_nobody_works_on_stops_it_at_once(runtime_client, flow_setup):
    start_loop(runtime_client, flow_setup.flow_arn, "loop-1")

    response = runtime_client.stop_human_loop(HumanLoopName="loop-1")

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert set(response) == {"ResponseMetadata"}
    assert status(runtime_client, "loop-1") == "Stopped"
    assert lifecycle.claim_next_task(flow_setup.reviewer) is None  # its task left the queue


def test_a_loop_with_an_accepted_task_is_stopping_until_the_answer_arrives(runtime_client, flow_setup):
    start_loop(runtime_client, flow_setup.flow_arn, "loop-1")
    task = lifecycle.claim_next_task(flow_setup.reviewer)

    runtime_client.stop_human_loop(HumanLoopName="loop-1")
    assert status(runtime_client, "loop-1") == "Stopping"
    lifecycle.submit_task(flow_setup.reviewer, task.id, {"sentiment": {"label": "Negative"}})

    described = runtime_client.describe_human_loop(HumanLoopName="loop-1")
    assert described["HumanLoopStatus"] == "Stopped"
    assert described["HumanLoopOutput"]["OutputS3Uri"].endswith("/loop-1/output.json")


def test_stopping_a_stopped_loop_again_is_a_no_op(runtime_client, flow_setup):
    start_loop(runtime_client, flow_setup.flow_arn, "loop-1")
    runtime_client.stop_human_loop(HumanLoopName="loop-1")

    runtime_client.stop_human_loop(HumanLoopName="loop-1")

    assert status(runtime_client, "loop-1") == "Stopped"


def test_stopping_a_completed_loop_succeeds_and_leaves_it_completed_so_it_can_be_deleted(runtime_client, flow_setup):
    # The clean-up cell of AWS's tabular-data notebook: stop, then delete, a Completed loop.
    start_loop(runtime_client, flow_setup.flow_arn, "loop-1")
    task = lifecycle.claim_next_task(flow_setup.reviewer)
    lifecycle.submit_task(flow_setup.reviewer, task.id, {"sentiment": {"label": "Positive"}})
    output_uri = runtime_client.describe_human_loop(HumanLoopName="loop-1")["HumanLoopOutput"]["OutputS3Uri"]

    response = runtime_client.stop_human_loop(HumanLoopName="loop-1")

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert set(response) == {"ResponseMetadata"}
    described = runtime_client.describe_human_loop(HumanLoopName="loop-1")
    assert described["HumanLoopStatus"] == "Completed"
    assert described["HumanLoopOutput"]["OutputS3Uri"] == output_uri
    assert [e.body["detail"]["humanLoopStatus"] for e in StatusEvent.objects.all()] == ["Completed"]
    runtime_client.delete_human_loop(HumanLoopName="loop-1")


def test_stopping_a_failed_loop_succeeds_and_leaves_it_failed(runtime_client, make_flow_setup, aws_account):
    setup = make_flow_setup(aws_account.account, task_availability_lifetime_seconds=60)
    start_loop(runtime_client, setup.flow_arn, "loop-1")
    clock.advance(61)

    runtime_client.stop_human_loop(HumanLoopName="loop-1")

    assert status(runtime_client, "loop-1") == "Failed"


def test_a_loop_named_stop_is_stopped_by_post(runtime_client, flow_setup):
    start_loop(runtime_client, flow_setup.flow_arn, "stop")
    start_loop(runtime_client, flow_setup.flow_arn, "other")

    runtime_client.stop_human_loop(HumanLoopName="stop")

    assert status(runtime_client, "stop") == "Stopped"
    assert status(runtime_client, "other") == "InProgress"


def test_stopping_a_missing_loop_is_not_found(runtime_client, flow_setup):
    with pytest.raises(runtime_client.exceptions.ResourceNotFoundException):
        runtime_client.stop_human_loop(HumanLoopName="no-such-loop")


def test_another_account_cannot_stop_the_loop(runtime_client, flow_setup, make_clients):
    start_loop(runtime_client, flow_setup.flow_arn, "loop-1")
    other = make_clients("globex")

    with pytest.raises(other.runtime.exceptions.ResourceNotFoundException):
        other.runtime.stop_human_loop(HumanLoopName="loop-1")
    assert status(runtime_client, "loop-1") == "InProgress"
