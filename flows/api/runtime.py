"""The `sagemaker-a2i-runtime` operations: start, describe, list, stop and delete human loops.

Protocol: rest-json (spec section 4). hitl.aws.views routes by method and path
and hands each handler the PascalCase input; handlers validate it, call
flows.loops.lifecycle or flows.loops.loop_queries, and render the PascalCase output.
Timestamps go out as ISO 8601 UTC with milliseconds; optional members without
a value are omitted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flows.delivery import outputs
from flows.loops import lifecycle, loop_queries, start_input
from flows.models import FlowDefinition, HumanLoop
from hitl.aws import tokens
from hitl.aws.registry import RequestContext, runtime_operation
from hitl.aws.validation import Validator, parse_timestamp
from hitl.kernel import arns
from hitl.kernel.errors import AccessDenied

FLOW_DEFINITION_ARN = r"arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:flow-definition/.*"
SORT_ORDERS = ("Ascending", "Descending")
DEFAULT_MAX_RESULTS = 10


@runtime_operation("StartHumanLoop")
def start_human_loop(context: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """Validate and start a loop; idempotent for an identical repeat (spec 4.1, 6.5)."""
    v = Validator(params)
    name = params.get("HumanLoopName")
    _add(v, start_input.name_problem(name))
    flow_arn = v.string("FlowDefinitionArn", required=True, max_len=1024, pattern=FLOW_DEFINITION_ARN)
    loop_input = v.structure("HumanLoopInput", required=True)
    content = loop_input.body.get("InputContent") if loop_input else None
    if loop_input:
        _add(v, start_input.input_content_problem(content))
    data_attributes = params.get("DataAttributes")
    _add(v, start_input.data_attributes_problem(data_attributes))
    v.done()
    input_json = start_input.parse_input_content(content)
    if data_attributes is not None:  # stored with its one member only
        data_attributes = {"ContentClassifiers": data_attributes["ContentClassifiers"]}
    _check_flow_allowed(context, arns.parse_name("flow-definition", flow_arn, context.account.aws_account_id))
    result = lifecycle.start_human_loop(
        account=context.account,
        name=name,
        flow_definition_arn=flow_arn,
        input_content=content,
        data_attributes=data_attributes,
        input_json=input_json,
    )
    if result.loop is None:  # a built-in flow whose activation conditions did not fire
        return {}
    return {"HumanLoopArn": _loop_arn(context, result.loop.name)}


def _add(v: Validator, problem: str | None) -> None:
    if problem:
        v.errors.append(problem)


@runtime_operation("DescribeHumanLoop")
def describe_human_loop(context: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """Describe one loop; Failure* only when Failed (spec 4.2).

    HumanLoopOutput is sent in every state, as real A2I does: the key is fixed at
    creation (it carries CreationTime), and AWS's sample notebooks read it right
    after StartHumanLoop.
    """
    name = _loop_name(params)
    loop = loop_queries.get_human_loop(context.account, name)
    _check_flow_allowed(context, loop.flow_definition.name)
    output: dict[str, Any] = {
        "CreationTime": _iso(loop.created_at),
        "HumanLoopStatus": loop.status,
        "HumanLoopName": loop.name,
        "HumanLoopArn": _loop_arn(context, loop.name),
        "FlowDefinitionArn": _flow_arn(context, loop.flow_definition),
    }
    if loop.status == HumanLoop.Status.FAILED:
        output["FailureReason"] = loop.failure_reason
        output["FailureCode"] = loop.failure_code
    output["HumanLoopOutput"] = {"OutputS3Uri": loop.output_s3_uri or outputs.output_uri(loop)}
    return output


@runtime_operation("ListHumanLoops")
def list_human_loops(context: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """List a flow's loops a page at a time with a keyset NextToken (spec 4.3)."""
    # Query values arrive as strings; the Validator checks them as the model's types.
    v = Validator(params)
    flow_arn = v.string("FlowDefinitionArn", required=True, max_len=1024, pattern=FLOW_DEFINITION_ARN)
    sort_order = v.string("SortOrder", enum=SORT_ORDERS, default="Descending")
    next_token = v.string("NextToken", max_len=tokens.MAX_LENGTH)
    created_after = _query_timestamp(v, "CreationTimeAfter")
    created_before = _query_timestamp(v, "CreationTimeBefore")
    max_results = _query_integer(v, "MaxResults", 1, 100, DEFAULT_MAX_RESULTS)
    v.done()

    flow = loop_queries.flow_definition_by_arn(context.account, flow_arn)
    _check_flow_allowed(context, flow.name)
    filters = {
        "flow": flow.id,
        "after": created_after.isoformat() if created_after else None,
        "before": created_before.isoformat() if created_before else None,
        "order": sort_order,
    }
    resume = None
    if next_token:
        created_at, name = tokens.redeem(next_token, filters)
        resume = (dt.datetime.fromisoformat(created_at), name)
    page = loop_queries.list_human_loops(
        flow,
        created_after=created_after,
        created_before=created_before,
        ascending=sort_order == "Ascending",
        limit=max_results,
        after=resume,
        fields=("name", "status", "created_at", "failure_reason"),  # what a summary shows
    )
    flow_definition_arn = _flow_arn(context, flow)
    summaries = []
    for loop in page.loops:
        summary = {
            "HumanLoopName": loop.name,
            "HumanLoopStatus": loop.status,
            "CreationTime": _iso(loop.created_at),
            "FlowDefinitionArn": flow_definition_arn,
        }
        if loop.status == HumanLoop.Status.FAILED:
            summary["FailureReason"] = loop.failure_reason
        summaries.append(summary)
    output: dict[str, Any] = {"HumanLoopSummaries": summaries}
    if page.last_key is not None:
        created_at, name = page.last_key
        output["NextToken"] = tokens.issue([created_at.isoformat(), name], filters)
    return output


@runtime_operation("StopHumanLoop")
def stop_human_loop(context: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """Stop a loop (spec 4.4); a loop that already finished is left as it is, with 200.

    What AWS answers for a Completed or Failed loop is not documented; AWS's
    tabular-data sample notebook stops its Completed loop in its clean-up cell and
    then deletes it, so the call succeeds here and changes nothing.
    """
    name = _loop_name(params)
    _check_flow_allowed(context, loop_queries.get_human_loop(context.account, name).flow_definition.name)
    try:
        lifecycle.stop_human_loop(account=context.account, name=name)
    except lifecycle.LoopAlreadyFinished:
        pass
    return {}


@runtime_operation("DeleteHumanLoop")
def delete_human_loop(context: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """Delete a finished loop (spec 4.5)."""
    name = _loop_name(params)
    _check_flow_allowed(context, loop_queries.get_human_loop(context.account, name).flow_definition.name)
    lifecycle.delete_human_loop(account=context.account, name=name)
    return {}


# --- Helpers ------------------------------------------------------------------


def _loop_name(params: dict[str, Any]) -> str:
    v = Validator(params)
    name = params.get("HumanLoopName")
    _add(v, start_input.name_problem(name))
    v.done()
    return name


def _query_timestamp(v: Validator, name: str) -> dt.datetime | None:
    raw = v.body.get(name)
    if raw is None:
        return None
    # A query string never carries epoch numbers for an iso8601 member.
    parsed = parse_timestamp(raw) if isinstance(raw, str) and not _is_number(raw) else None
    if parsed is None:
        v.fail(name, raw, "Member must be an ISO 8601 timestamp, e.g. 2024-05-01 or 2024-05-01T09:30:12Z")
    return parsed


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _query_integer(v: Validator, name: str, minimum: int, maximum: int, default: int) -> int:
    raw = v.body.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        v.fail(name, raw, "Member must be an integer")
        return default
    if value < minimum:
        v.fail(name, raw, f"Member must have value greater than or equal to {minimum}")
    elif value > maximum:
        v.fail(name, raw, f"Member must have value less than or equal to {maximum}")
    return value


def _check_flow_allowed(context: RequestContext, flow_name: str | None) -> None:
    allowed = context.access_key.allowed_flow_names
    if allowed and flow_name not in allowed:
        raise AccessDenied(
            f"Access key {context.access_key.access_key_id} may only use the flow definitions "
            f"{', '.join(sorted(allowed))}; this request concerns {flow_name or 'another flow definition'}."
        )


def _loop_arn(context: RequestContext, name: str) -> str:
    return arns.build("human-loop", context.account.aws_account_id, name)


def _flow_arn(context: RequestContext, flow: FlowDefinition) -> str:
    return arns.build("flow-definition", context.account.aws_account_id, flow.name)


def _iso(value: dt.datetime) -> str:
    value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
