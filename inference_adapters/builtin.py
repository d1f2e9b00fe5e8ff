"""Built-in task types (spec 9.5, 9.6): decide whether a Textract/Rekognition result needs a human loop.

`evaluate_builtin_request` is called by `flows.lifecycle.start_human_loop`
for every flow with a request source, so StartHumanLoop, the Python adapters
and the HTTP endpoint all take the same decision. It is deterministic: the
same request gives the same decision and the same enriched input, which keeps
idempotent retries idempotent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flows import lifecycle, outputs
from flows.models import FlowDefinition
from hitl import arns
from hitl.errors import InvalidInput
from inference_adapters import conditions
from workforce.models import Account

# Spec 9.6: the documented (unconfirmed) value of HumanLoopActivationReasons.
ACTIVATION_REASON = "ConditionsEvaluation"


@dataclass(frozen=True)
class BuiltinDecision:
    start: bool
    # The loop input: the request/response pair plus selection, results and context (spec 9.5).
    input_json: dict[str, Any]
    # HumanLoopActivationReasons and HumanLoopActivationConditionsEvaluationResults (spec 9.6).
    activation_output: dict[str, Any]


def camelize(value: Any) -> Any:
    """Lower the first letter of every member name at every level; values are untouched (spec 9.5)."""
    if isinstance(value, dict):
        return {
            (key[:1].lower() + key[1:] if isinstance(key, str) else key): camelize(item) for key, item in value.items()
        }
    if isinstance(value, list):
        return [camelize(item) for item in value]
    return value


def evaluate_builtin_request(flow: FlowDefinition, input_json: Any) -> BuiltinDecision:
    """Evaluate `flow`'s activation conditions on `{"aiServiceRequest", "aiServiceResponse"}`.

    Raises InvalidInput when the input lacks the pair. Without activation
    conditions every request starts a loop and everything is selected (9.1).
    """
    source = flow.request_source
    if not isinstance(input_json, dict) or not all(
        isinstance(input_json.get(member), dict) for member in ("aiServiceRequest", "aiServiceResponse")
    ):
        raise InvalidInput(
            f"Flow definition {flow.name} is a built-in task type ({source}); InputContent must be a JSON object "
            'with "aiServiceRequest" and "aiServiceResponse" objects (camelCase, as the AI service returned them).'
        )
    request, response = input_json["aiServiceRequest"], input_json["aiServiceResponse"]
    enriched = dict(input_json)
    if flow.activation_conditions:
        document = conditions.parse_conditions(flow.activation_conditions)
        key = conditions.request_sampling_key(outputs.flow_arn(flow), request)
        evaluation = conditions.evaluate(source, document, response, key)
        start, results = evaluation.activated, evaluation.results
        selected_ids, form_keys = evaluation.selected, evaluation.important_form_keys
    else:
        start, results, form_keys, selected_ids = True, {}, [], None
    enriched["humanTaskActivationConditionResults"] = results
    enriched["selectedAiServiceResponse"] = _selected_response(source, response, selected_ids)
    if source == conditions.TEXTRACT_SOURCE:
        enriched["humanLoopContext"] = {"importantFormKeys": form_keys}
    activation_output = {
        "HumanLoopActivationReasons": [ACTIVATION_REASON],
        "HumanLoopActivationConditionsEvaluationResults": json.dumps(results, separators=(",", ":")),
    }
    return BuiltinDecision(start=start, input_json=enriched, activation_output=activation_output)


def _selected_response(source: str, response: dict[str, Any], selected: list[Any] | None) -> dict[str, Any]:
    if source == conditions.TEXTRACT_SOURCE:
        blocks = response.get("blocks") or []
        if selected is not None:
            wanted = set(selected)
            blocks = [
                block
                for block in blocks
                if isinstance(block, dict) and isinstance(block.get("id"), str | int) and block["id"] in wanted
            ]
        return {"blocks": blocks}
    restricted = dict(response)
    labels = response.get("moderationLabels") or []
    if selected is not None:
        labels = [labels[index] for index in selected]
    restricted["moderationLabels"] = labels
    return restricted


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
