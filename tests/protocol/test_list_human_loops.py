"""ListHumanLoops through the real boto3 runtime client: filters, both orders, keyset NextToken."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError

from hitl.kernel import arns, clock
from tests.protocol.conftest import start_loop

pytestmark = pytest.mark.usefixtures("signing_follows_clock")

T0 = dt.datetime(2024, 5, 1, 9, 0, 0, tzinfo=dt.UTC)


def start_at(runtime_client, flow_arn: str, name: str, minutes: float) -> None:
    clock.set_now(T0 + dt.timedelta(minutes=minutes))
    start_loop(runtime_client, flow_arn, name)


@pytest.fixture
def three_loops(runtime_client, flow_setup):
    """loop-a at 09:00, loop-b at 09:10, loop-c at 09:20 (clock left at 09:20)."""
    for minutes, name in [(0, "loop-a"), (10, "loop-b"), (20, "loop-c")]:
        start_at(runtime_client, flow_setup.flow_arn, name, minutes)
    return flow_setup


def names(response) -> list[str]:
    return [summary["HumanLoopName"] for summary in response["HumanLoopSummaries"]]


def page_through(client, flow_arn: str, **params) -> list[list[str]]:
    pages, token = [], None
    while True:
        response = client.list_human_loops(
            FlowDefinitionArn=flow_arn, MaxResults=1, **params, **({"NextToken": token} if token else {})
        )
        pages.append(names(response))
        token = response.get("NextToken")
        if token is None:
            return pages


def test_summaries_carry_the_documented_members(runtime_client, three_loops):
    response = runtime_client.list_human_loops(FlowDefinitionArn=three_loops.flow_arn)

    assert names(response) == ["loop-c", "loop-b", "loop-a"]  # default: Descending, newest first
    assert "NextToken" not in response
    first = response["HumanLoopSummaries"][0]
    assert first == {
        "HumanLoopName": "loop-c",
        "HumanLoopStatus": "InProgress",
        "CreationTime": T0 + dt.timedelta(minutes=20),
        "FlowDefinitionArn": three_loops.flow_arn,
    }


def test_max_results_1_pages_through_in_descending_order(runtime_client, three_loops):
    assert page_through(runtime_client, three_loops.flow_arn, SortOrder="Descending") == [
        ["loop-c"],
        ["loop-b"],
        ["loop-a"],
    ]


def test_max_results_1_pages_through_in_ascending_order(runtime_client, three_loops):
    assert page_through(runtime_client, three_loops.flow_arn, SortOrder="Ascending") == [
        ["loop-a"],
        ["loop-b"],
        ["loop-c"],
    ]


def test_loops_created_in_the_same_instant_are_ordered_by_name(runtime_client, flow_setup):
    for name in ["loop-b", "loop-a", "loop-c"]:
        start_at(runtime_client, flow_setup.flow_arn, name, 0)

    assert page_through(runtime_client, flow_setup.flow_arn, SortOrder="Ascending") == [
        ["loop-a"],
        ["loop-b"],
        ["loop-c"],
    ]


def test_the_boto3_paginator_walks_every_page(runtime_client, three_loops):
    paginator = runtime_client.get_paginator("list_human_loops")
    pages = list(
        paginator.paginate(
            FlowDefinitionArn=three_loops.flow_arn, SortOrder="Ascending", PaginationConfig={"PageSize": 2}
        )
    )

    assert [names(page) for page in pages] == [["loop-a", "loop-b"], ["loop-c"]]


def test_pages_are_keyset_based_so_a_new_loop_does_not_shift_them(runtime_client, three_loops):
    first = runtime_client.list_human_loops(FlowDefinitionArn=three_loops.flow_arn, MaxResults=1)
    start_at(runtime_client, three_loops.flow_arn, "loop-d", 30)  # newer than every listed loop

    second = runtime_client.list_human_loops(
        FlowDefinitionArn=three_loops.flow_arn, MaxResults=2, NextToken=first["NextToken"]
    )

    assert names(first) == ["loop-c"]
    assert names(second) == ["loop-b", "loop-a"]


def test_creation_time_filters_are_after_inclusive_and_before_exclusive(runtime_client, three_loops):
    response = runtime_client.list_human_loops(
        FlowDefinitionArn=three_loops.flow_arn,
        CreationTimeAfter=T0 + dt.timedelta(minutes=10),
        CreationTimeBefore=T0 + dt.timedelta(minutes=20),
    )

    assert names(response) == ["loop-b"]


def test_a_date_only_filter_means_midnight_utc(runtime_client, three_loops):
    before = runtime_client.list_human_loops(FlowDefinitionArn=three_loops.flow_arn, CreationTimeBefore="2024-05-01")
    after = runtime_client.list_human_loops(FlowDefinitionArn=three_loops.flow_arn, CreationTimeAfter="2024-05-01")

    assert names(before) == []
    assert before["HumanLoopSummaries"] == []
    assert names(after) == ["loop-c", "loop-b", "loop-a"]


def test_a_failed_loop_lists_its_failure_reason(runtime_client, make_flow_setup, aws_account):
    setup = make_flow_setup(aws_account.account, task_availability_lifetime_seconds=60)
    start_loop(runtime_client, setup.flow_arn, "loop-a")
    clock.advance(61)
    runtime_client.describe_human_loop(HumanLoopName="loop-a")  # fails it on read

    (summary,) = runtime_client.list_human_loops(FlowDefinitionArn=setup.flow_arn)["HumanLoopSummaries"]

    assert summary["HumanLoopStatus"] == "Failed"
    assert summary["FailureReason"]


def test_a_token_reused_with_other_filters_is_a_validation_error(runtime_client, three_loops):
    token = runtime_client.list_human_loops(FlowDefinitionArn=three_loops.flow_arn, MaxResults=1)["NextToken"]

    with pytest.raises(ClientError) as info:
        runtime_client.list_human_loops(
            FlowDefinitionArn=three_loops.flow_arn, MaxResults=1, NextToken=token, SortOrder="Ascending"
        )

    assert info.value.response["Error"]["Code"] == "ValidationException"
    assert "NextToken" in info.value.response["Error"]["Message"]


@pytest.mark.parametrize("token", ["garbage", "eyJwIjpbXX0.forged", "x" * 8193])
def test_a_token_this_server_did_not_issue_is_a_validation_error(runtime_client, three_loops, token):
    with pytest.raises(ClientError) as info:
        runtime_client.list_human_loops(FlowDefinitionArn=three_loops.flow_arn, NextToken=token)

    assert info.value.response["Error"]["Code"] == "ValidationException"


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        (
            {"MaxResults": 101},
            "'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
        ),
        ({"SortOrder": "Sideways"}, "Member must satisfy enum value set: [Ascending, Descending]"),
    ],
)
def test_out_of_range_parameters_are_validation_errors(runtime_client, three_loops, params, fragment):
    with pytest.raises(ClientError) as info:
        runtime_client.list_human_loops(FlowDefinitionArn=three_loops.flow_arn, **params)

    assert info.value.response["Error"]["Code"] == "ValidationException"
    assert fragment in info.value.response["Error"]["Message"]


def test_an_unknown_flow_definition_is_not_found(aws_account, runtime_client, flow_setup):
    missing = arns.build("flow-definition", aws_account.account.aws_account_id, "no-such-flow")

    with pytest.raises(runtime_client.exceptions.ResourceNotFoundException) as info:
        runtime_client.list_human_loops(FlowDefinitionArn=missing)

    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_another_account_cannot_list_the_loops(runtime_client, three_loops, make_clients, make_flow_setup):
    other = make_clients("globex")
    make_flow_setup(other.account)  # the other tenant has flows of its own

    with pytest.raises(other.runtime.exceptions.ResourceNotFoundException):
        other.runtime.list_human_loops(FlowDefinitionArn=three_loops.flow_arn)
    # The same flow name under the other tenant's account id names nothing of ours either.
    own_arn = arns.build("flow-definition", other.account.aws_account_id, three_loops.flow.name)
    with pytest.raises(other.runtime.exceptions.ResourceNotFoundException):
        other.runtime.list_human_loops(FlowDefinitionArn=own_arn)


def test_a_key_limited_to_other_flows_cannot_list_this_one(aws_account, runtime_client, three_loops):
    # Saved as the admin saves it: a save clears the per-process key cache (access_keys.active_key).
    key = aws_account.access_key.__class__.objects.get(access_key_id=aws_account.access_key_id)
    key.allowed_flow_names = ["some-other-flow"]
    key.save(update_fields=["allowed_flow_names"])

    with pytest.raises(ClientError) as info:
        runtime_client.list_human_loops(FlowDefinitionArn=three_loops.flow_arn)

    assert info.value.response["Error"]["Code"] == "AccessDeniedException"
