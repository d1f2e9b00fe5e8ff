"""Activation conditions of built-in task types (spec 9.5, 9.6): does a Textract/Rekognition result need a loop?

Part of the flow definition: `admit` is called by `flows.loops.lifecycle.start_human_loop`
and the bulk path for every start, so StartHumanLoop, `manage.py bulk_start`, the
Python adapters, the MCP server and the HTTP endpoint all take the same decision:
a built-in flow's activation conditions (`evaluate_builtin_request`), or a
tool-call review flow's agent policy (flows.definitions.agent_policy). It is deterministic: the same request gives the
same decision and the same enriched input, which keeps idempotent retries
idempotent. The conditions themselves are flows.definitions.conditions (pure functions).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flows.definitions import agent_policy, conditions
from flows.delivery import outputs
from flows.models import FlowDefinition
from hitl.kernel.errors import InvalidInput

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


@dataclass(frozen=True)
class Admission:
    start: bool  # False: no person is needed and no loop starts (StartHumanLoop answers {})
    input_json: Any  # what the loop stores (a built-in flow's enriched input, otherwise the request as sent)
    activation_output: dict[str, Any] | None  # a built-in flow's activation results, else None


def admit(flow: FlowDefinition, input_json: Any) -> Admission:
    """Decide whether a start request on `flow` becomes a loop: the one rule for every start path.

    Raises InvalidInput when the input does not fit the flow (a built-in flow without
    the request/response pair, a tool-call review flow's request outside its policy).
    """
    if flow.request_source:
        decision = evaluate_builtin_request(flow, input_json)
        return Admission(decision.start, decision.input_json, decision.activation_output)
    policy = agent_policy.parse(flow.tags)
    if policy is not None and not agent_policy.evaluate_start(flow.name, policy, input_json).start:
        return Admission(False, input_json, None)
    return Admission(True, input_json, None)


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
