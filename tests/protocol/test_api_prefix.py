"""An endpoint_url with a path prefix (HITL_API_PREFIX): the prefix is routed and is part of the signature."""

from __future__ import annotations

import pytest

from tests.protocol.conftest import start_loop


def test_boto3_clients_work_with_a_prefixed_endpoint(api_prefix, aws_account, flow_setup):
    runtime = aws_account.client("sagemaker-a2i-runtime", endpoint_url=aws_account.endpoint_url + api_prefix)

    arn = start_loop(runtime, flow_setup.flow_arn, "loop-1")
    described = runtime.describe_human_loop(HumanLoopName="loop-1")
    listed = runtime.list_human_loops(FlowDefinitionArn=flow_setup.flow_arn)
    runtime.stop_human_loop(HumanLoopName="loop-1")
    runtime.delete_human_loop(HumanLoopName="loop-1")

    assert described["HumanLoopArn"] == arn
    assert [s["HumanLoopName"] for s in listed["HumanLoopSummaries"]] == ["loop-1"]
    with pytest.raises(runtime.exceptions.ResourceNotFoundException):
        runtime.describe_human_loop(HumanLoopName="loop-1")


def test_the_control_plane_is_served_at_the_bare_prefix(api_prefix, aws_account):
    sagemaker = aws_account.client("sagemaker", endpoint_url=aws_account.endpoint_url + api_prefix)

    response = sagemaker.list_flow_definitions()

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert response["FlowDefinitionSummaries"] == []
