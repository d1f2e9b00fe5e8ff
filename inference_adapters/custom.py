"""Confidence router for any model: score an item, apply routing rules, start a loop when a rule fires.

A model is a Python callable, an HTTP endpoint answering JSON, or a SageMaker
endpoint (through clients.py). Its answer is normalised to a Prediction:
`{"label", "confidence"}`, or `{"scores": {label: p}}` (argmax), plus any
other members as fields. Rules (in order, all evaluated and recorded):

* ConfidenceBand(low, high): low <= confidence < high goes to humans;
* LabelRule(labels): the predicted label is one of `labels`;
* FieldRule(field, op, value): a business field of the item (or the
  prediction) compares true, e.g. FieldRule("amount", ">", 50000);
* audit sampling: when no rule fired, `audit_percentage` of the confident
  predictions go to humans anyway, decided deterministically per item.

Idempotent per (flow, item id, model version): the RoutingDecision row's
unique constraint guarantees one decision, so never two loops, per item and
model version; repeating `route` returns the recorded decision without
calling the model again.
"""

from __future__ import annotations

import hashlib
import json
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import requests
from django.db import IntegrityError, transaction

from flows.definitions.conditions import canonical_json, sampling_draw
from flows.delivery import outputs
from flows.loops import lifecycle
from flows.models import FlowDefinition, HumanLoop
from hitl.kernel import arns
from hitl.kernel.errors import InvalidInput
from inference_adapters import clients
from inference_adapters.models import RoutingDecision
from workforce.models import Account

AUDIT_REASON = "AuditSample"


@dataclass(frozen=True)
class Prediction:
    label: str | None
    confidence: float | None
    fields: dict[str, Any] = field(default_factory=dict)

    def as_record(self, model_version: str, answer_key: str) -> dict[str, Any]:
        return {
            "Label": self.label,
            "Confidence": self.confidence,
            "Fields": self.fields,
            "ModelVersion": model_version,
            "AnswerKey": answer_key,
        }


def to_prediction(answer: Any) -> Prediction:
    """Normalise a model's JSON answer to a Prediction (see the module docstring for accepted shapes)."""
    if isinstance(answer, Prediction):
        return answer
    if not isinstance(answer, dict):
        raise InvalidInput(f"The model answered {answer!r}; expected a JSON object with label and confidence.")
    answer = dict(answer)
    scores = answer.pop("scores", None)
    label, confidence = answer.pop("label", None), answer.pop("confidence", None)
    if isinstance(scores, dict) and scores and label is None:
        label, confidence = max(scores.items(), key=lambda item: (item[1], str(item[0])))
    if confidence is not None and (not isinstance(confidence, int | float) or isinstance(confidence, bool)):
        raise InvalidInput(f"The model's confidence {confidence!r} is not a number.")
    return Prediction(label=None if label is None else str(label), confidence=confidence, fields=answer)


# --- Models ---------------------------------------------------------------------


class Model(Protocol):
    def predict(self, payload: Any) -> Prediction: ...


@dataclass
class CallableModel:
    """A Python function payload -> answer (dict or Prediction)."""

    fn: Callable[[Any], Any]

    def predict(self, payload: Any) -> Prediction:
        return to_prediction(self.fn(payload))


@dataclass
class HttpModel:
    """An HTTP endpoint that takes the payload as a JSON POST and answers JSON."""

    url: str
    timeout: float = 10.0
    headers: dict[str, str] = field(default_factory=dict)

    def predict(self, payload: Any) -> Prediction:
        response = requests.post(self.url, json=payload, timeout=self.timeout, headers=self.headers)
        response.raise_for_status()
        return to_prediction(response.json())


@dataclass
class SageMakerModel:
    """A SageMaker real-time endpoint invoked with a JSON body."""

    endpoint_name: str

    def predict(self, payload: Any) -> Prediction:
        return to_prediction(clients.invoke_endpoint(self.endpoint_name, payload))


# --- Rules ----------------------------------------------------------------------


@dataclass(frozen=True)
class ConfidenceBand:
    """Send predictions with low <= confidence < high to humans (a missing confidence counts as uncertain)."""

    low: float
    high: float
    reason: str = "ConfidenceBand"

    def fires(self, prediction: Prediction, payload: Any) -> bool:
        return prediction.confidence is None or self.low <= prediction.confidence < self.high

    def describe(self) -> dict[str, Any]:
        return {"Rule": self.reason, "Low": self.low, "High": self.high}


@dataclass(frozen=True)
class LabelRule:
    """Send every prediction of one of these labels to humans."""

    labels: tuple[str, ...]
    reason: str = "Label"

    def fires(self, prediction: Prediction, payload: Any) -> bool:
        return prediction.label in self.labels

    def describe(self) -> dict[str, Any]:
        return {"Rule": self.reason, "Labels": list(self.labels)}


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}


@dataclass(frozen=True)
class FieldRule:
    """Send items whose business field compares true to humans; `field` is a dotted path into the item, then the prediction's fields."""

    field: str
    op: str
    value: Any
    reason: str = "BusinessField"

    def __post_init__(self) -> None:
        if self.op not in _OPS:
            raise InvalidInput(f"FieldRule operator {self.op!r} is not one of {sorted(_OPS)}.")

    def fires(self, prediction: Prediction, payload: Any) -> bool:
        for source in (payload, prediction.fields):
            found, value = _lookup(source, self.field)
            if found:
                try:
                    return bool(_OPS[self.op](value, self.value))
                except TypeError:
                    return False
        return False

    def describe(self) -> dict[str, Any]:
        return {"Rule": self.reason, "Field": self.field, "Operator": self.op, "Value": self.value}


def _lookup(source: Any, path: str) -> tuple[bool, Any]:
    for part in path.split("."):
        if not isinstance(source, dict) or part not in source:
            return False, None
        source = source[part]
    return True, source


Rule = ConfidenceBand | LabelRule | FieldRule


# --- Router -----------------------------------------------------------------------


@dataclass(frozen=True)
class RouteOutcome:
    decision: RoutingDecision
    loop: HumanLoop | None
    # False when the decision had been recorded by an earlier call.
    decided_now: bool


def default_input(item_id: str, payload: Any, prediction: Prediction) -> dict[str, Any]:
    """Build the loop input: the item, the model's answer as initialValue (custom templates read task.input)."""
    document = dict(payload) if isinstance(payload, dict) else {"taskObject": payload}
    document.setdefault("itemId", item_id)
    document["initialValue"] = prediction.label
    document["modelConfidence"] = prediction.confidence
    return document


@dataclass
class Router:
    """Route one model's predictions for one flow definition (a custom task type)."""

    account: Account
    flow_definition_arn: str
    model: Model
    model_version: str
    rules: list[Rule] = field(default_factory=list)
    audit_percentage: float = 0.0
    # The answer member the humans fill in (e.g. "digit" for crowd-image-classifier name="digit").
    answer_key: str = "label"
    build_input: Callable[[str, Any, Prediction], dict[str, Any]] = default_input
    loop_name_prefix: str = "route"

    def __post_init__(self) -> None:
        name = arns.parse_name("flow-definition", self.flow_definition_arn, self.account.aws_account_id)
        self.flow = (
            FlowDefinition.objects.filter(account=self.account, name=name, deleted_at__isnull=True).first()
            if name
            else None
        )
        if self.flow is None:
            raise InvalidInput(f"Flow definition {self.flow_definition_arn} does not exist in this account and region.")
        if self.flow.request_source:
            raise InvalidInput(f"Flow definition {self.flow.name} is a built-in task type; route custom flows only.")
        if not 0 <= self.audit_percentage <= 100:
            raise InvalidInput(f"audit_percentage is {self.audit_percentage}; it must be between 0 and 100.")

    def route(self, item_id: str, payload: Any) -> RouteOutcome:
        """Score `payload`, record the decision, and start a loop if a rule (or the audit sample) fires."""
        existing = self._recorded(item_id)
        if existing is not None:
            return RouteOutcome(decision=existing, loop=existing.human_loop, decided_now=False)
        prediction = self.model.predict(payload)
        results = [{**rule.describe(), "EvaluationResult": rule.fires(prediction, payload)} for rule in self.rules]
        reasons = list(dict.fromkeys(result["Rule"] for result in results if result["EvaluationResult"]))
        audit = bool(not reasons and self.audit_percentage and self._audit_draw(item_id) < self.audit_percentage)
        results.append({"Rule": AUDIT_REASON, "Percentage": self.audit_percentage, "EvaluationResult": audit})
        if audit:
            reasons = [AUDIT_REASON]
        record = prediction.as_record(self.model_version, self.answer_key)
        try:
            with transaction.atomic():
                decision = RoutingDecision.objects.create(
                    flow_definition=self.flow,
                    item_id=item_id,
                    model_version=self.model_version,
                    route=RoutingDecision.Route.HUMAN if reasons else RoutingDecision.Route.AUTO,
                    reasons=reasons,
                    rule_results=results,
                    prediction=record,
                )
                if reasons:
                    decision.human_loop = self._start_loop(item_id, payload, prediction, reasons, results, record)
                    decision.save(update_fields=["human_loop"])
        except IntegrityError:
            # A concurrent call recorded this item first; its decision stands.
            existing = self._recorded(item_id)
            if existing is None:
                raise
            return RouteOutcome(decision=existing, loop=existing.human_loop, decided_now=False)
        return RouteOutcome(decision=decision, loop=decision.human_loop, decided_now=True)

    def _recorded(self, item_id: str) -> RoutingDecision | None:
        return (
            RoutingDecision.objects.select_related("human_loop")
            .filter(flow_definition=self.flow, item_id=item_id, model_version=self.model_version)
            .first()
        )

    def _audit_draw(self, item_id: str) -> float:
        return sampling_draw(f"{outputs.flow_arn(self.flow)}|audit|{item_id}|{self.model_version}")

    def loop_name(self, item_id: str) -> str:
        """Return the deterministic loop name of an item and model version (a valid A2I loop name)."""
        digest = hashlib.sha256(f"{item_id}\x00{self.model_version}".encode()).hexdigest()[:20]
        return f"{self.loop_name_prefix}-{digest}"

    def _start_loop(
        self,
        item_id: str,
        payload: Any,
        prediction: Prediction,
        reasons: list[str],
        results: list[dict[str, Any]],
        record: dict[str, Any],
    ) -> HumanLoop:
        activation_output = {
            "HumanLoopActivationReasons": reasons,
            "HumanLoopActivationConditionsEvaluationResults": json.dumps(results, separators=(",", ":")),
            "ModelPrediction": {**record, "ItemId": item_id},
        }
        result = lifecycle.start_human_loop(
            account=self.account,
            name=self.loop_name(item_id),
            flow_definition_arn=self.flow_definition_arn,
            input_content=canonical_json(self.build_input(item_id, payload, prediction)),
            activation_output=activation_output,
        )
        return result.loop
