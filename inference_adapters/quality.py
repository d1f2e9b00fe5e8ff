"""Consolidate reviewers' answers and measure quality: per loop (consolidated.json) and per flow.

Consolidation rules, applied per answer member (`answerContent` key), the
first that fits:

* classifier `{"label": x}`: majority vote; a tie goes to the tied label
  submitted first;
* multi-label `{"labels": [...]}` and Rekognition `{"moderationLabels":
  [{name, ...}]}`: a label is kept when more than half of the reviewers
  chose it (in first-chosen order);
* bounding boxes `{"annotatedResult": {"boundingBoxes": [...]}}`: boxes of
  the same label from different reviewers join a cluster when their IoU with
  the cluster's first box is >= 0.5; a cluster kept by more than half of the
  reviewers becomes one box with the median left, top, width and height;
* otherwise: numbers by median, booleans and strings by mode (ties to the
  earliest), objects member by member (a member present in at least half of
  the answers), anything else by mode of its JSON.

Agreement between reviewers is Krippendorff's alpha (nominal) over the
categorical answers (classifier labels; each multi-label choice as yes/no),
which handles loops with different numbers of reviewers.
"""

from __future__ import annotations

import json
import logging
import statistics
from collections import Counter
from collections.abc import Iterable
from typing import Any

from flows import outputs
from flows.conditions import REKOGNITION_SOURCE, canonical_json
from flows.models import FlowDefinition, HumanLoop
from flows.storage import get_store

logger = logging.getLogger(__name__)
CONSOLIDATED_NAME = "consolidated.json"
BOX_IOU_THRESHOLD = 0.5
_BOX_FIELDS = ("left", "top", "width", "height")


# --- One output document -----------------------------------------------------------


def consolidate(document: dict[str, Any]) -> dict[str, Any]:
    """Return the consolidated answer and reviewer agreement of one output.json document."""
    answers = [answer.get("answerContent") or {} for answer in document.get("humanAnswers") or []]
    categorical: dict[str, list[Any]] = {}
    consolidated = _merge_objects(answers, "", categorical) if answers else {}
    agreement = {
        path: {"votes": dict(Counter(map(_vote_key, values))), "pairwiseAgreement": _pairwise(values)}
        for path, values in sorted(categorical.items())
    }
    return {
        "flowDefinitionArn": document.get("flowDefinitionArn"),
        "humanLoopName": document.get("humanLoopName"),
        "answerCount": len(answers),
        "workerIds": [answer.get("workerId") for answer in document.get("humanAnswers") or []],
        "consolidatedAnswer": consolidated,
        "agreement": agreement,
    }


def consolidated_key(output_key: str) -> str:
    """Return the key of consolidated.json beside the output.json at `output_key`."""
    prefix = output_key.rsplit("/", 1)[0] if "/" in output_key else ""
    return f"{prefix}/{CONSOLIDATED_NAME}" if prefix else CONSOLIDATED_NAME


def write_consolidated(bucket: str, output_key: str, output_document: bytes, *, kms_key_id: str = "") -> str:
    """Write consolidated.json beside an output.json; the same output gives the same bytes. Returns its URI.

    Never raises on odd answer shapes: the loop's finalization must not be
    held up by quality numbers, so a failure is recorded in the document.
    """
    document = json.loads(output_document)
    try:
        consolidated = consolidate(document)
    except Exception as exc:  # deterministic fallback, same bytes on every retry
        logger.exception("Could not consolidate %s", output_key)
        consolidated = {
            "flowDefinitionArn": document.get("flowDefinitionArn"),
            "humanLoopName": document.get("humanLoopName"),
            "consolidatedAnswer": None,
            "error": f"{type(exc).__name__}: {exc}",
        }
    body = canonical_json(consolidated).encode("utf-8")
    key = consolidated_key(output_key)
    get_store().put(bucket, key, body, content_type="application/json", kms_key_id=kms_key_id)
    return f"s3://{bucket}/{key}"


def _vote_key(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _pairwise(values: list[Any]) -> float | None:
    """Share of ordered reviewer pairs that gave the same value (None with fewer than two reviewers)."""
    n = len(values)
    if n < 2:
        return None
    counts = Counter(map(_vote_key, values))
    return round(sum(c * (c - 1) for c in counts.values()) / (n * (n - 1)), 6)


def _merge(values: list[Any], path: str, categorical: dict[str, list[Any]]) -> Any:
    if all(isinstance(v, dict) for v in values):
        if all("label" in v and set(v) <= {"label", "workerComment"} for v in values):
            labels = [v["label"] for v in values]
            categorical[f"{path}.label"] = labels
            return {"label": _mode(labels)}
        if all(isinstance(v.get("labels"), list) for v in values):
            return {"labels": _per_label_majority([v["labels"] for v in values], f"{path}.labels", categorical)}
        if all(isinstance(v.get("moderationLabels"), list) for v in values):
            return _merge_moderation(values, path, categorical)
        if all(isinstance((v.get("annotatedResult") or {}).get("boundingBoxes"), list) for v in values):
            return _merge_boxes(values, path, categorical)
        return _merge_objects(values, path, categorical)
    if all(isinstance(v, bool) for v in values):
        return _mode(values)
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return statistics.median(values)
    if all(isinstance(v, str) for v in values):
        return _mode(values)
    return json.loads(_mode([canonical_json(v) for v in values]))


def _merge_objects(values: list[dict[str, Any]], path: str, categorical: dict[str, list[Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    keys = list(dict.fromkeys(key for value in values for key in value))
    for key in keys:
        present = [value[key] for value in values if key in value]
        if len(present) * 2 >= len(values):
            merged[key] = _merge(present, f"{path}.{key}" if path else key, categorical)
    return merged


def _mode(values: list[Any]) -> Any:
    counts = Counter(map(_vote_key, values))
    best = max(counts.values())
    return next(value for value in values if counts[_vote_key(value)] == best)


def _per_label_majority(choices: list[list[Any]], path: str, categorical: dict[str, list[Any]]) -> list[Any]:
    labels = list(dict.fromkeys(_vote_key(label) for chosen in choices for label in chosen))
    chosen_sets = [{_vote_key(label) for label in chosen} for chosen in choices]
    kept = []
    for label in labels:
        votes = [label in chosen for chosen in chosen_sets]
        categorical[f"{path}[{label}]"] = votes
        if sum(votes) * 2 > len(choices):
            kept.append(label)
    originals = {_vote_key(label): label for chosen in choices for label in chosen}
    return [originals[label] for label in kept]


def _merge_moderation(values: list[dict[str, Any]], path: str, categorical: dict[str, list[Any]]) -> dict[str, Any]:
    chosen = [[label for label in value["moderationLabels"] if isinstance(label, dict)] for value in values]
    by_name = {_vote_key(label.get("name")): label for labels in chosen for label in labels}
    names = _per_label_majority(
        [[label.get("name") for label in labels] for labels in chosen],
        f"{path}.moderationLabels",
        categorical,
    )
    return {"moderationLabels": [by_name[_vote_key(name)] for name in names]}


def _iou(a: dict[str, Any], b: dict[str, Any]) -> float:
    ax2, ay2 = a["left"] + a["width"], a["top"] + a["height"]
    bx2, by2 = b["left"] + b["width"], b["top"] + b["height"]
    width = max(0.0, min(ax2, bx2) - max(a["left"], b["left"]))
    height = max(0.0, min(ay2, by2) - max(a["top"], b["top"]))
    inter = width * height
    union = a["width"] * a["height"] + b["width"] * b["height"] - inter
    return inter / union if union > 0 else 0.0


def _merge_boxes(values: list[dict[str, Any]], path: str, categorical: dict[str, list[Any]]) -> dict[str, Any]:
    clusters: list[dict[str, Any]] = []  # {"label", "seed", "boxes": {reviewer: box}}
    for reviewer, value in enumerate(values):
        for box in value["annotatedResult"]["boundingBoxes"]:
            if not isinstance(box, dict) or not all(isinstance(box.get(n), int | float) for n in _BOX_FIELDS):
                continue
            for cluster in clusters:
                if (
                    cluster["label"] == box.get("label")
                    and reviewer not in cluster["boxes"]
                    and _iou(cluster["seed"], box) >= BOX_IOU_THRESHOLD
                ):
                    cluster["boxes"][reviewer] = box
                    break
            else:
                clusters.append({"label": box.get("label"), "seed": box, "boxes": {reviewer: box}})
    kept = []
    for cluster in clusters:
        if len(cluster["boxes"]) * 2 > len(values):
            merged = {name: statistics.median(b[name] for b in cluster["boxes"].values()) for name in _BOX_FIELDS}
            kept.append({"label": cluster["label"], **merged})
    properties = [v["annotatedResult"].get("inputImageProperties") for v in values]
    result: dict[str, Any] = {"boundingBoxes": kept}
    if any(p is not None for p in properties):
        result["inputImageProperties"] = json.loads(_mode([canonical_json(p) for p in properties if p is not None]))
    return {"annotatedResult": result}


# --- Per flow ------------------------------------------------------------------------


def krippendorff_alpha(units: Iterable[list[Any]]) -> float | None:
    """Return Krippendorff's alpha (nominal) over units of reviewer values; None when undefined.

    Units with fewer than two values are not pairable and are ignored. Alpha
    is undefined (None) when every pairable value is the same category.
    """
    coincidence: Counter[tuple[str, str]] = Counter()
    for values in units:
        keys = [_vote_key(v) for v in values]
        m = len(keys)
        if m < 2:
            continue
        counts = Counter(keys)
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                pairs = n_c * (n_c - 1) if c == k else n_c * n_k
                coincidence[(c, k)] += pairs / (m - 1)
    totals: Counter[str] = Counter()
    for (c, _k), value in coincidence.items():
        totals[c] += value
    n = sum(totals.values())
    disagreement_observed = sum(value for (c, k), value in coincidence.items() if c != k)
    disagreement_expected = sum(totals[c] * totals[k] for c in totals for k in totals if c != k)
    if n <= 1 or disagreement_expected == 0:
        return None
    return round(1 - (n - 1) * disagreement_observed / disagreement_expected, 6)


def _model_disagrees(loop: HumanLoop, document: dict[str, Any], consolidated: dict[str, Any]) -> bool | None:
    """Compare the model's recorded prediction with the consolidated human answer (None: nothing to compare)."""
    answer = consolidated["consolidatedAnswer"]
    prediction = (loop.activation_output or {}).get("ModelPrediction")
    if prediction:
        human = answer.get(prediction.get("AnswerKey") or "label")
        if not isinstance(human, dict) or "label" not in human:
            return None
        return str(human["label"]) != str(prediction.get("Label"))
    if loop.flow_definition.request_source == REKOGNITION_SOURCE:
        model = (document.get("inputContent") or {}).get("selectedAiServiceResponse") or {}
        human = answer.get(REKOGNITION_SOURCE)
        if not isinstance(human, dict):
            return None
        predicted = {label.get("name") for label in model.get("moderationLabels") or []}
        confirmed = {label.get("name") for label in human.get("moderationLabels") or []}
        return predicted != confirmed
    return None


def flow_quality(flow: FlowDefinition) -> dict[str, Any]:
    """Return a flow's quality numbers computed from its loops' output documents.

    disagreementRate: share of loops with a recorded model prediction (router
    loops, Rekognition built-ins) whose consolidated human answer differs.
    agreement: Krippendorff's alpha per categorical answer over the loops
    with two or more reviewers.
    """
    loops = (
        HumanLoop.objects.filter(flow_definition=flow)
        .exclude(output_s3_uri="")
        .select_related("flow_definition")
        .order_by("created_at", "id")
    )
    compared = disagreements = multi_reviewer = with_output = 0
    units: dict[str, list[list[Any]]] = {}
    for loop in loops:
        bucket, key = outputs.split_s3_path(loop.output_s3_uri)
        document = json.loads(get_store().get(bucket, key))
        consolidated = consolidate(document)
        with_output += 1
        disagrees = _model_disagrees(loop, document, consolidated)
        if disagrees is not None:
            compared += 1
            disagreements += disagrees
        if consolidated["answerCount"] >= 2:
            multi_reviewer += 1
            for path, result in consolidated["agreement"].items():
                values = [value for value, count in result["votes"].items() for _ in range(count)]
                units.setdefault(path, []).append(values)
    return {
        "flowDefinitionArn": outputs.flow_arn(flow),
        "loopsWithOutput": with_output,
        "modelComparisons": compared,
        "disagreements": disagreements,
        "disagreementRate": round(disagreements / compared, 6) if compared else None,
        "multiReviewerLoops": multi_reviewer,
        "agreement": {
            path: {"krippendorffAlpha": krippendorff_alpha(path_units), "units": len(path_units)}
            for path, path_units in sorted(units.items())
        },
    }
