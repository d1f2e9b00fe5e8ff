"""Validate and evaluate HumanLoopActivationConditions (spec 9.2-9.4) on plain dicts.

Pure functions: no Django, no boto3. `validate_conditions` is called by
CreateFlowDefinition; `evaluate` by the built-in adapters. Responses are the
camelCased AI-service documents of spec 9.5 (`blocks`, `moderationLabels`).
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hitl.kernel import client_json
from hitl.kernel.errors import InvalidInput

TEXTRACT_SOURCE = "AWS/Textract/AnalyzeDocument/Forms/V1"
REKOGNITION_SOURCE = "AWS/Rekognition/DetectModerationLabels/Image/V3"
MAX_DOCUMENT_CHARS = 10240
MAX_NESTING = 2

_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "Equals": lambda value, bound: value == bound,
    "LessThan": lambda value, bound: value < bound,
    "LessThanEquals": lambda value, bound: value <= bound,
    "GreaterThan": lambda value, bound: value > bound,
    "GreaterThanEquals": lambda value, bound: value >= bound,
}
_KV_PREFIX = "KeyValueBlockConfidence"
_WORD_PREFIX = "WordBlockConfidence"
_LABEL_PREFIX = "Confidence"
_FORM_KEY_MEMBERS = {"ImportantFormKey": "string", "ImportantFormKeyAliases": "strings"}
_SAMPLING_MEMBERS = {"RandomSamplingPercentage": "percentage"}

# ConditionType -> allowed ConditionParameters members and their kinds, per request source.
CONDITION_TYPES: dict[str, dict[str, dict[str, str]]] = {
    TEXTRACT_SOURCE: {
        "ImportantFormKeyConfidenceCheck": {
            **_FORM_KEY_MEMBERS,
            **{f"{prefix}{op}": "confidence" for prefix in (_KV_PREFIX, _WORD_PREFIX) for op in _OPERATORS},
        },
        "MissingImportantFormKey": dict(_FORM_KEY_MEMBERS),
        "Sampling": dict(_SAMPLING_MEMBERS),
    },
    REKOGNITION_SOURCE: {
        "ModerationLabelConfidenceCheck": {
            "ModerationLabelName": "string",
            **{f"{_LABEL_PREFIX}{op}": "confidence" for op in _OPERATORS},
        },
        "Sampling": dict(_SAMPLING_MEMBERS),
    },
}
_REQUIRED = {
    "ImportantFormKeyConfidenceCheck": ("ImportantFormKey",),
    "MissingImportantFormKey": ("ImportantFormKey",),
    "ModerationLabelConfidenceCheck": ("ModerationLabelName",),
    "Sampling": ("RandomSamplingPercentage",),
}


# --- Validation ---------------------------------------------------------------


def parse_conditions(conditions_json: str) -> dict[str, Any]:
    """Parse a conditions document, raising InvalidInput if it is not a JSON object."""
    if not isinstance(conditions_json, str):
        raise InvalidInput("HumanLoopActivationConditions must be a string holding a JSON document.")
    try:
        document = client_json.parse(conditions_json)
    except client_json.ClientJsonError as exc:
        raise InvalidInput(f"HumanLoopActivationConditions is not valid JSON: {exc}.") from None
    if not isinstance(document, dict):
        raise InvalidInput('HumanLoopActivationConditions must be a JSON object {"Conditions": [...]}.')
    return document


def validate_conditions(request_source: str, conditions_json: str) -> None:
    """Check a HumanLoopActivationConditions document for `request_source`; raise InvalidInput listing every problem."""
    if request_source not in CONDITION_TYPES:
        if not request_source:
            raise InvalidInput(
                "HumanLoopActivationConditions are only allowed together with HumanLoopRequestSource "
                "(built-in task types)."
            )
        raise InvalidInput(
            f"AwsManagedHumanLoopRequestSource {request_source!r} is not supported; "
            f"expected one of {sorted(CONDITION_TYPES)}."
        )
    if isinstance(conditions_json, str) and len(conditions_json) > MAX_DOCUMENT_CHARS:
        raise InvalidInput(
            f"HumanLoopActivationConditions is {len(conditions_json)} characters long; the maximum is "
            f"{MAX_DOCUMENT_CHARS}."
        )
    document = parse_conditions(conditions_json)
    errors: list[str] = []
    extra = sorted(set(document) - {"Conditions"})
    if extra:
        errors.append(f"HumanLoopActivationConditions has unknown member(s) {extra}; only 'Conditions' is allowed.")
    if "Conditions" not in document:
        errors.append(
            "HumanLoopActivationConditions must be wrapped as {\"Conditions\": [...]}; the 'Conditions' member "
            "is missing."
        )
    elif not isinstance(document["Conditions"], list) or not document["Conditions"]:
        errors.append("Conditions must be a non-empty array of conditions.")
    else:
        for index, node in enumerate(document["Conditions"]):
            _validate_node(request_source, node, f"Conditions[{index}]", 0, errors)
    if errors:
        raise InvalidInput(errors)


def _validate_node(source: str, node: Any, path: str, depth: int, errors: list[str]) -> None:
    if not isinstance(node, dict):
        errors.append(f"{path} must be a JSON object (a condition, And or Or).")
        return
    operators = [op for op in ("And", "Or") if op in node]
    if operators:
        if len(node) != 1:
            others = sorted(set(node) - {operators[0]})
            errors.append(f"{path} has {operators[0]} together with {others}; an And/Or node holds only its list.")
            return
        op = operators[0]
        if depth >= MAX_NESTING:
            errors.append(f"{path}.{op} nests And/Or deeper than {MAX_NESTING} levels.")
            return
        members = node[op]
        if not isinstance(members, list) or len(members) < 2:
            count = len(members) if isinstance(members, list) else "no"
            errors.append(f"{path}.{op} must be an array of at least 2 conditions (has {count}).")
            return
        for index, member in enumerate(members):
            _validate_node(source, member, f"{path}.{op}[{index}]", depth + 1, errors)
        return
    _validate_leaf(source, node, path, errors)


def _validate_leaf(source: str, node: dict[str, Any], path: str, errors: list[str]) -> None:
    extra = sorted(set(node) - {"ConditionType", "ConditionParameters"})
    if extra:
        errors.append(f"{path} has unknown member(s) {extra}; a condition has ConditionType and ConditionParameters.")
    condition_type = node.get("ConditionType")
    allowed_types = CONDITION_TYPES[source]
    if condition_type is None:
        errors.append(f"{path} is missing ConditionType.")
        return
    if condition_type not in allowed_types:
        errors.append(
            f"{path}.ConditionType {condition_type!r} is not valid for {source}; expected one of {sorted(allowed_types)}."
        )
        return
    params = node.get("ConditionParameters")
    if not isinstance(params, dict):
        errors.append(f"{path}.ConditionParameters must be a JSON object.")
        return
    members = allowed_types[condition_type]
    for name in sorted(set(params) - set(members)):
        errors.append(
            f"{path}.ConditionParameters.{name} is not a parameter of {condition_type}; allowed: {sorted(members)}."
        )
    for name in _REQUIRED[condition_type]:
        if name not in params:
            errors.append(f"{path}.ConditionParameters.{name} is required for {condition_type}.")
    for name, value in params.items():
        kind = members.get(name)
        if kind is not None:
            problem = _check_value(kind, value)
            if problem:
                errors.append(f"{path}.ConditionParameters.{name} {problem}.")


def _check_value(kind: str, value: Any) -> str:
    if kind == "string":
        return "" if isinstance(value, str) and value.strip() else "must be a non-empty string"
    if kind == "strings":
        ok = isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value)
        return "" if ok else "must be an array of non-empty strings"
    is_number = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not is_number:
        return f"must be a number, got {json.dumps(value)}"
    if kind == "percentage" and not 0.01 <= value <= 100:
        return f"is {value}; it must be between 0.01 and 100"
    if kind == "confidence" and not 0 <= value <= 100:
        return f"is {value}; it must be between 0 and 100"
    return ""


# --- Evaluation ---------------------------------------------------------------


@dataclass
class Evaluation:
    """The outcome of evaluating a conditions document on one AI-service response."""

    activated: bool
    # The conditions document with "EvaluationResult" added to every node.
    results: dict[str, Any]
    # Textract: ids of selected blocks; Rekognition: indexes of selected labels (response order).
    selected: list[Any] = field(default_factory=list)
    important_form_keys: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Hit:
    """What a true leaf contributes when its whole ancestor path is true."""

    selected: set[Any] = field(default_factory=set)
    form_key: dict[str, Any] | None = None
    sampling: bool = False


def sampling_draw(sampling_key: str) -> float:
    """Return a deterministic number in [0, 100) for `sampling_key` (the same key always draws the same)."""
    digest = hashlib.sha256(sampling_key.encode("utf-8")).hexdigest()
    return int(digest[:8], 16) / 2**32 * 100


def canonical_json(value: Any) -> str:
    """Serialize `value` with sorted keys and no whitespace, so equal documents give equal strings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def request_sampling_key(flow_arn: str, ai_request: dict[str, Any]) -> str:
    """Return the spec 9.3 sampling key: the flow ARN followed by the canonical request JSON."""
    return flow_arn + canonical_json(ai_request)


def evaluate(
    request_source: str, conditions: dict[str, Any], response: dict[str, Any], sampling_key: str
) -> Evaluation:
    """Evaluate a (validated) conditions document against a camelCased AI-service `response`.

    Every node is evaluated, without short-circuit, because each result is
    recorded. Selection follows spec 9.3/9.4: only leaves whose ancestors are
    all true contribute; activation by Sampling alone selects everything.
    """
    if request_source == TEXTRACT_SOURCE:
        facts: Any = _FormFacts(response)
    elif request_source == REKOGNITION_SOURCE:
        facts = _LabelFacts(response)
    else:
        raise InvalidInput(f"No activation conditions exist for request source {request_source!r}.")
    draw = sampling_draw(sampling_key)
    hits: list[_Hit] = []
    results = []
    activated = False
    for node in conditions.get("Conditions", []):
        value, evaluated, node_hits = _evaluate_node(node, facts, draw)
        results.append(evaluated)
        if value:
            activated = True
            hits.extend(node_hits)
    selected: set[Any] = set()
    for hit in hits:
        selected |= hit.selected
    if activated and not selected and any(hit.sampling for hit in hits):
        selected = set(facts.all_ids())
    keys: list[dict[str, Any]] = []
    for hit in hits:
        if hit.form_key and hit.form_key["importantFormKey"] not in {k["importantFormKey"] for k in keys}:
            keys.append(hit.form_key)
    return Evaluation(
        activated=activated,
        results={"Conditions": results},
        selected=[item for item in facts.all_ids() if item in selected],
        important_form_keys=keys,
    )


def _evaluate_node(node: dict[str, Any], facts: Any, draw: float) -> tuple[bool, dict[str, Any], list[_Hit]]:
    for op in ("And", "Or"):
        if op in node:
            outcomes = [_evaluate_node(member, facts, draw) for member in node[op]]
            values = [outcome[0] for outcome in outcomes]
            value = all(values) if op == "And" else any(values)
            hits = [hit for outcome in outcomes if outcome[0] for hit in outcome[2]] if value else []
            return value, {"EvaluationResult": value, op: [outcome[1] for outcome in outcomes]}, hits
    condition_type = node.get("ConditionType")
    params = node.get("ConditionParameters") or {}
    if condition_type == "Sampling":
        value = draw < float(params.get("RandomSamplingPercentage", 0))
        hit = _Hit(sampling=True)
    else:
        value, hit = facts.check(condition_type, params)
    evaluated = copy.deepcopy(node)
    evaluated["EvaluationResult"] = value
    return value, evaluated, [hit] if value else []


def _comparisons(params: dict[str, Any], prefix: str) -> list[tuple[Callable[[float, float], bool], float]]:
    return [(fn, float(params[prefix + op])) for op, fn in _OPERATORS.items() if prefix + op in params]


def _holds(comparisons: list[tuple[Callable[[float, float], bool], float]], value: Any) -> bool:
    if not comparisons:
        return True
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    return all(fn(float(value), bound) for fn, bound in comparisons)


def normalize_key(text: str) -> str:
    """Trim and collapse whitespace, the only normalisation applied before case-sensitive key matching."""
    return " ".join(str(text).split())


class _FormFacts:
    """Textract form keys: KEY blocks with their text, value blocks and word blocks."""

    def __init__(self, response: dict[str, Any]) -> None:
        # Blocks are known by id (relationships and selection use it); a block without a usable id is ignored.
        blocks = response.get("blocks") or []
        self.blocks = [b for b in blocks if isinstance(b, dict) and isinstance(b.get("id"), str | int)]
        self.by_id = {block["id"]: block for block in self.blocks}
        self.pairs = []
        for block in self.blocks:
            if block.get("blockType") == "KEY_VALUE_SET" and "KEY" in (block.get("entityTypes") or []):
                key_words = self._related(block, "CHILD", "WORD")
                values = self._related(block, "VALUE", "KEY_VALUE_SET")
                value_words = [word for value in values for word in self._related(value, "CHILD", "WORD")]
                text = " ".join(str(word.get("text", "")) for word in key_words) if key_words else block.get("text", "")
                self.pairs.append(
                    {
                        "key": block,
                        "text": normalize_key(text or ""),
                        "values": values,
                        "words": key_words + value_words,
                    }
                )

    def _related(self, block: dict[str, Any], relation: str, block_type: str) -> list[dict[str, Any]]:
        found = []
        for rel in block.get("relationships") or []:
            if isinstance(rel, dict) and rel.get("type") == relation:
                for block_id in rel.get("ids") or []:
                    target = self.by_id.get(block_id) if isinstance(block_id, str | int) else None
                    if target is not None and target.get("blockType") == block_type:
                        found.append(target)
        return found

    def all_ids(self) -> list[Any]:
        return [block.get("id") for block in self.blocks]

    def _matching(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        name = params.get("ImportantFormKey", "")
        if name == "*":
            return self.pairs
        names = {normalize_key(name)} | {normalize_key(alias) for alias in params.get("ImportantFormKeyAliases") or []}
        return [pair for pair in self.pairs if pair["text"] in names]

    def check(self, condition_type: str, params: dict[str, Any]) -> tuple[bool, _Hit]:
        form_key = None
        if params.get("ImportantFormKey") != "*":
            form_key = {
                "importantFormKey": params.get("ImportantFormKey"),
                "importantFormKeyAliases": list(params.get("ImportantFormKeyAliases") or []),
            }
        matching = self._matching(params)
        if condition_type == "MissingImportantFormKey":
            return not matching, _Hit(form_key=form_key)
        if condition_type != "ImportantFormKeyConfidenceCheck":
            raise InvalidInput(f"ConditionType {condition_type!r} does not apply to Textract documents.")
        kv_checks = _comparisons(params, _KV_PREFIX)
        word_checks = _comparisons(params, _WORD_PREFIX)
        selected: set[Any] = set()
        for pair in matching:
            if kv_checks and not _holds(kv_checks, pair["key"].get("confidence")):
                continue
            # One word must satisfy every word comparison (several form a range).
            if word_checks and not any(_holds(word_checks, word.get("confidence")) for word in pair["words"]):
                continue
            selected |= {pair["key"].get("id")} | {value.get("id") for value in pair["values"]}
            selected |= {word.get("id") for word in pair["words"]}
        return bool(selected), _Hit(selected=selected, form_key=form_key)


class _LabelFacts:
    """Rekognition moderation labels, identified by their position in the response."""

    def __init__(self, response: dict[str, Any]) -> None:
        self.labels = [label for label in response.get("moderationLabels") or [] if isinstance(label, dict)]

    def all_ids(self) -> list[int]:
        return list(range(len(self.labels)))

    def check(self, condition_type: str, params: dict[str, Any]) -> tuple[bool, _Hit]:
        if condition_type != "ModerationLabelConfidenceCheck":
            raise InvalidInput(f"ConditionType {condition_type!r} does not apply to Rekognition responses.")
        name = params.get("ModerationLabelName")
        checks = _comparisons(params, _LABEL_PREFIX)
        selected = {
            index
            for index, label in enumerate(self.labels)
            if (name == "*" or label.get("name") == name) and _holds(checks, label.get("confidence"))
        }
        return bool(selected), _Hit(selected=selected)
