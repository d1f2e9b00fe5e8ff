"""Loop names with capital letters, as the service accepts them (issue 12 item 2), through the real boto3 client.

AWS's sample notebooks name loops `Fraud-detector-<ms>` and `Translate-A2I-Text<ms>`; the
published model's pattern is lowercase, the service's is not. Names are case-sensitive:
two names that differ only in case are two loops (flows/loops/start_input.py says why).
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from flows.loops.bulk import BulkItem, bulk_start_human_loops
from flows.models import HumanLoop
from tests.protocol.conftest import loop_input, start_loop

NOTEBOOK_NAMES = ["Fraud-detector-1613589638354", "Translate-A2I-Text1700000000000"]


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_a_notebook_loop_name_with_capitals_starts_describes_lists_stops_and_deletes(runtime_client, flow_setup, name):
    arn = start_loop(runtime_client, flow_setup.flow_arn, name)

    assert arn.endswith(f":human-loop/{name}")
    described = runtime_client.describe_human_loop(HumanLoopName=name)
    assert (described["HumanLoopName"], described["HumanLoopStatus"]) == (name, "InProgress")
    listed = runtime_client.list_human_loops(FlowDefinitionArn=flow_setup.flow_arn)["HumanLoopSummaries"]
    assert [summary["HumanLoopName"] for summary in listed] == [name]
    runtime_client.stop_human_loop(HumanLoopName=name)
    assert runtime_client.describe_human_loop(HumanLoopName=name)["HumanLoopStatus"] == "Stopped"
    runtime_client.delete_human_loop(HumanLoopName=name)
    assert not HumanLoop.objects.filter(name=name, deleted_at__isnull=True).exists()


def test_names_that_differ_only_in_case_are_two_loops_each_found_by_its_exact_name(runtime_client, flow_setup):
    upper = start_loop(runtime_client, flow_setup.flow_arn, "Review-1", taskObject="upper")
    lower = start_loop(runtime_client, flow_setup.flow_arn, "review-1", taskObject="lower")

    assert upper != lower
    assert HumanLoop.objects.get(name="Review-1").input_json == {"taskObject": "upper"}
    assert HumanLoop.objects.get(name="review-1").input_json == {"taskObject": "lower"}
    assert runtime_client.describe_human_loop(HumanLoopName="Review-1")["HumanLoopName"] == "Review-1"
    with pytest.raises(ClientError) as info:
        runtime_client.describe_human_loop(HumanLoopName="REVIEW-1")
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"
    # Each name keeps its own idempotency: a repeat of either is that loop again.
    assert start_loop(runtime_client, flow_setup.flow_arn, "Review-1", taskObject="upper") == upper


def test_names_outside_the_service_pattern_are_still_refused(runtime_client, flow_setup):
    for name in ("Bad_Name", "-leading-hyphen", "trailing-", "dots.not.allowed", "a" * 64):
        with pytest.raises(ClientError) as info:
            runtime_client.start_human_loop(
                HumanLoopName=name, FlowDefinitionArn=flow_setup.flow_arn, HumanLoopInput=loop_input()
            )
        assert info.value.response["Error"]["Code"] == "ValidationException", name


def test_bulk_start_takes_the_same_names(aws_account, flow_setup):
    items = [
        BulkItem(name, json.dumps({"taskObject": name})) for name in [*NOTEBOOK_NAMES, "fraud-detector-1613589638354"]
    ]
    items.append(BulkItem("Bad_Name", "{}"))

    summary = bulk_start_human_loops(aws_account.account, flow_setup.flow, items, writers=1)

    assert summary.created == 3
    [failure] = summary.failures
    assert failure.name == "Bad_Name"
    assert "Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*$" in failure.error.message
    assert set(HumanLoop.objects.values_list("name", flat=True)) == {*NOTEBOOK_NAMES, "fraud-detector-1613589638354"}
