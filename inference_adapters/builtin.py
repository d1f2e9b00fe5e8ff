"""Built-in task types (spec 9.5, 9.6): start a loop from an AI service's request/response pair.

The decision itself (activation conditions) belongs to the flow definition:
flows.definitions.activation, which StartHumanLoop applies to every built-in flow.
"""

from __future__ import annotations

from typing import Any

from flows.definitions import conditions
from flows.definitions.activation import camelize, evaluate_builtin_request
from flows.loops import lifecycle
from flows.models import FlowDefinition
from hitl.kernel import arns
from hitl.kernel.errors import InvalidInput
from workforce.models import Account


def start_from_service_call(
    *,
    account: Account,
    request_source: str,
    request: dict[str, Any],
    response: dict[str, Any],
    flow_definition_arn: str | None = None,
    human_loop_name: str | None = None,
) -> dict[str, Any]:
    """Start a loop (if the conditions fire) from an AI-service request/response pair in SDK (PascalCase) form.

    The flow and loop name come from the request's HumanLoopConfig unless
    given. Returns the service's HumanLoopActivationOutput shape; it has a
    HumanLoopArn only when a loop exists. Idempotent like StartHumanLoop.
    """
    config = request.get("HumanLoopConfig") or {}
    flow_definition_arn = flow_definition_arn or config.get("FlowDefinitionArn")
    human_loop_name = human_loop_name or config.get("HumanLoopName")
    if not flow_definition_arn or not human_loop_name:
        raise InvalidInput("HumanLoopConfig.FlowDefinitionArn and HumanLoopConfig.HumanLoopName are required.")
    flow = _flow_for(account, flow_definition_arn)
    if flow.request_source != request_source:
        raise InvalidInput(
            f"Flow definition {flow.name} has request source {flow.request_source or '(none: custom task type)'}, "
            f"not {request_source}."
        )
    input_json = {"aiServiceRequest": camelize(request), "aiServiceResponse": camelize(response)}
    result = lifecycle.start_human_loop(
        account=account,
        name=human_loop_name,
        flow_definition_arn=flow_definition_arn,
        input_content=conditions.canonical_json(input_json),
        data_attributes=config.get("DataAttributes"),
    )
    if result.loop is None:
        return dict(evaluate_builtin_request(flow, input_json).activation_output)
    output = dict(result.loop.activation_output or {})
    output["HumanLoopArn"] = arns.build("human-loop", account.aws_account_id, result.loop.name)
    return output


def _flow_for(account: Account, flow_definition_arn: str) -> FlowDefinition:
    name = arns.parse_name("flow-definition", flow_definition_arn, account.aws_account_id)
    flow = FlowDefinition.objects.filter(account=account, name=name, deleted_at__isnull=True).first() if name else None
    if flow is None:
        raise InvalidInput(f"Flow definition {flow_definition_arn} does not exist in this account and region.")
    return flow
