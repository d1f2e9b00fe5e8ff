"""Policy per flow (hitl:agent: tags): allowed decisions, auto-approval, a validity window, on-timeout."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from flows.models import HumanLoop
from hitl.kernel import clock


def request(*actions: tuple[str, dict, list[str]]) -> dict:
    return {
        "action_requests": [{"name": n, "args": a, "description": n} for n, a, _ in actions],
        "review_configs": [{"action_name": n, "allowed_decisions": d} for n, _, d in actions],
    }


def tag(flow, **tags: str) -> None:
    flow.tags = [{"Key": k, "Value": v} for k, v in tags.items()]
    flow.save(update_fields=["tags"])


REFUND = ("refund", {"order": "A-17", "amount": 30}, ["approve", "reject"])
CLEANUP = ("delete_file", {"path": "/tmp/scratch/x.log"}, ["approve", "reject"])


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("hitl:agent:allowed-decisions:refund", "approve maybe", "must be a space-separated list of approve edit"),
        ("hitl:agent:auto-approve:delete_file", "path=", "always, ARGUMENT=PREFIX or ARGUMENT==VALUE"),
        ("hitl:agent:auto-approve:delete_file", "yes", "always, ARGUMENT=PREFIX or ARGUMENT==VALUE"),
        ("hitl:agent:approval-valid-seconds", "0", "a whole number of seconds, at least 1"),
        ("hitl:agent:on-timeout", "shrug", "deny or approve"),
        ("hitl:agent:approve-everything", "yes", "is not a hitl agent policy tag"),
    ],
)
def test_a_bad_policy_tag_is_refused_with_the_tag_named(tool_review, key, value, message):
    sagemaker = tool_review.aws.sagemaker
    with pytest.raises(ClientError) as refused:
        sagemaker.add_tags(ResourceArn=tool_review.flow_arn, Tags=[{"Key": key, "Value": value}])
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert key in refused.value.response["Error"]["Message"] and message in refused.value.response["Error"]["Message"]
    tool_review.flow.refresh_from_db()
    assert tool_review.flow.tags == []


def test_a_request_offering_a_decision_the_flow_forbids_is_refused(tool_review):
    tool_review.aws.sagemaker.add_tags(
        ResourceArn=tool_review.flow_arn,
        Tags=[{"Key": "hitl:agent:allowed-decisions:refund", "Value": "approve reject"}],
    )
    offered = ("refund", {"order": "A-17"}, ["approve", "edit", "reject"])
    with pytest.raises(ClientError) as refused:
        tool_review.aws.runtime.start_human_loop(
            HumanLoopName="agent-1",
            FlowDefinitionArn=tool_review.flow_arn,
            HumanLoopInput={"InputContent": json.dumps(request(offered))},
        )
    message = refused.value.response["Error"]["Message"]
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert "allows only approve, reject for refund" in message and "also offers edit" in message
    assert not HumanLoop.objects.exists()


def test_auto_approved_calls_need_no_person_and_others_still_do(tool_review, events_url):
    tool_review.aws.sagemaker.add_tags(
        ResourceArn=tool_review.flow_arn, Tags=[{"Key": "hitl:agent:auto-approve:delete_file", "Value": "path=/tmp/"}]
    )
    reviews = tool_review.reviews(events_url)

    assert reviews.review("t:1", request(CLEANUP), timeout=5) == {"decisions": [{"type": "approve"}]}
    assert not HumanLoop.objects.exists()

    outside = ("delete_file", {"path": "/etc/passwd"}, ["approve", "reject"])
    assert reviews.start("t:2", request(outside)) is not None
    climbing = ("delete_file", {"path": "/tmp/../etc/passwd"}, ["approve", "reject"])
    assert reviews.start("t:2b", request(climbing)) is not None
    assert reviews.start("t:3", request(CLEANUP, REFUND)) is not None  # one call still needs a person
    assert HumanLoop.objects.count() == 3


def test_an_approval_past_the_validity_window_is_void(tool_review, events_url):
    tag(tool_review.flow, **{"hitl:agent:approval-valid-seconds": "60"})
    reviews = tool_review.reviews(events_url)
    name = reviews.start("t:4", request(REFUND))
    task = tool_review.next_task()
    tool_review.submit(task["taskId"], {"decisions": [{"type": "approve"}]})
    assert reviews.wait(name, timeout=10) == {"decisions": [{"type": "approve"}]}

    clock.advance(61)
    (decision,) = reviews.wait(name, timeout=10)["decisions"]
    assert decision["type"] == "reject"
    assert "The approval expired" in decision["message"] and "accepts 60 s" in decision["message"]


@pytest.mark.parametrize(("on_timeout", "expected"), [(None, "reject"), ("approve", "approve")])
def test_a_review_that_ends_without_an_answer_follows_on_timeout(tool_review, events_url, on_timeout, expected):
    tag(
        tool_review.flow, **({"hitl:agent:on-timeout": on_timeout} if on_timeout else {"hitl:agent:on-timeout": "deny"})
    )
    reviews = tool_review.reviews(events_url)
    name = reviews.start("t:5", request(REFUND, CLEANUP))
    tool_review.aws.runtime.stop_human_loop(HumanLoopName=name)
    decisions = reviews.wait(name, timeout=10)["decisions"]
    assert [d["type"] for d in decisions] == [expected, expected]
    if expected == "reject":
        assert decisions[0]["message"] == "No human decision: the review ended as Stopped. The tool was not run."


def test_a_policy_flow_refuses_input_that_is_not_a_hitl_request(tool_review):
    tag(tool_review.flow, **{"hitl:agent:on-timeout": "deny"})
    with pytest.raises(ClientError) as refused:
        tool_review.aws.runtime.start_human_loop(
            HumanLoopName="agent-2",
            FlowDefinitionArn=tool_review.flow_arn,
            HumanLoopInput={"InputContent": json.dumps({"taskObject": "not a tool call"})},
        )
    assert "must be a LangChain HITLRequest" in refused.value.response["Error"]["Message"]
