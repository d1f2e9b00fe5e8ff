"""DeleteHumanLoop through the real boto3 runtime client."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from flows.loops import lifecycle
from flows.models import HumanLoop
from tests.protocol.conftest import start_loop


def test_an_in_progress_loop_cannot_be_deleted(runtime_client, flow_setup):
    start_loop(runtime_client, flow_setup.flow_arn, "loop-1")

    with pytest.raises(ClientError) as info:
        runtime_client.delete_human_loop(HumanLoopName="loop-1")

    assert info.value.response["Error"]["Code"] == "ValidationException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert runtime_client.describe_human_loop(HumanLoopName="loop-1")["HumanLoopStatus"] == "InProgress"


def test_a_stopped_loop_is_deleted_and_then_gone_everywhere(runtime_client, flow_setup):
    start_loop(runtime_client, flow_setup.flow_arn, "loop-1")
    runtime_client.stop_human_loop(HumanLoopName="loop-1")
    assert runtime_client.describe_human_loop(HumanLoopName="loop-1")["HumanLoopStatus"] == "Stopped"

    response = runtime_client.delete_human_loop(HumanLoopName="loop-1")

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    with pytest.raises(runtime_client.exceptions.ResourceNotFoundException):
        runtime_client.describe_human_loop(HumanLoopName="loop-1")
    with pytest.raises(runtime_client.exceptions.ResourceNotFoundException):
        runtime_client.delete_human_loop(HumanLoopName="loop-1")
    listed = runtime_client.list_human_loops(FlowDefinitionArn=flow_setup.flow_arn)
    assert listed["HumanLoopSummaries"] == []


def test_a_completed_loop_is_deleted_but_its_name_can_be_reused(runtime_client, flow_setup):
    start_loop(runtime_client, flow_setup.flow_arn, "loop-1", taskObject="first")
    task = lifecycle.claim_next_task(flow_setup.reviewer)
    lifecycle.submit_task(flow_setup.reviewer, task.id, {"sentiment": {"label": "Positive"}})

    runtime_client.delete_human_loop(HumanLoopName="loop-1")
    start_loop(runtime_client, flow_setup.flow_arn, "loop-1", taskObject="second")

    described = runtime_client.describe_human_loop(HumanLoopName="loop-1")
    assert described["HumanLoopStatus"] == "InProgress"
    assert HumanLoop.objects.filter(name="loop-1").count() == 2  # the deleted one is kept, hidden


def test_a_loop_named_stop_is_deleted_by_delete(runtime_client, flow_setup):
    start_loop(runtime_client, flow_setup.flow_arn, "stop")
    runtime_client.stop_human_loop(HumanLoopName="stop")

    runtime_client.delete_human_loop(HumanLoopName="stop")

    with pytest.raises(runtime_client.exceptions.ResourceNotFoundException):
        runtime_client.describe_human_loop(HumanLoopName="stop")


def test_another_account_cannot_delete_the_loop(runtime_client, flow_setup, make_clients):
    start_loop(runtime_client, flow_setup.flow_arn, "loop-1")
    runtime_client.stop_human_loop(HumanLoopName="loop-1")
    other = make_clients("globex")

    with pytest.raises(other.runtime.exceptions.ResourceNotFoundException):
        other.runtime.delete_human_loop(HumanLoopName="loop-1")
    assert runtime_client.describe_human_loop(HumanLoopName="loop-1")["HumanLoopStatus"] == "Stopped"
