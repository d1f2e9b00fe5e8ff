"""Consolidate one item's reviewer answers into one answer, per field, with its confidence and method.

Rules, applied per answer member (`answerContent` key), the first that fits:

* categorical questions, decided by Dawid–Skene with the flow's reviewer
  confusion matrices when the flow has the history for the field
  (`FlowModel`), else by majority vote:
  - classifier `{"label": x}`: one question over the labels;
  - multi-label `{"labels": [...]}` and Rekognition `{"moderationLabels":
    [{name, ...}]}`: one yes/no question per label any reviewer chose;
  - checkbox, radio and toggle objects `{"value": true|false, ...}`: one
    yes/no question per value;
* bounding boxes, keypoints, polygons and entity spans: reliability-weighted
  clustering (boxes and polygons by IoU of their boxes >= 0.5, keypoints by
  distance, spans by span IoU >= 0.5, always within one label); a cluster
  backed by more than half of the reviewers' weight is kept, as the weighted
  median box, point or span (polygons: the member that overlaps the others
  most);
* otherwise: numbers by median, strings by mode, objects member by member
  (a member present in at least half of the answers).

A tie is never resolved silently: the question's answer is null (a label
left out of a list) and the field is flagged, as is any answer whose
confidence is under the flow's `hitl:flag-below`. Each decided field is listed
under "fields" with its answer, confidence, method and whether it is flagged.
"""

from __future__ import annotations

import json
import math
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from flows.definitions.conditions import canonical_json
from flows.quality.quality_config import DAWID_SKENE, QualityConfig
from inference_adapters.quality import reliability

BOX_IOU_THRESHOLD = 0.5
SPAN_IOU_THRESHOLD = 0.5
# Points of one label closer than this share of the image diagonal are one point (10 px without image size).
KEYPOINT_RADIUS_SHARE = 0.05
KEYPOINT_RADIUS_PIXELS = 10.0
_BOX_FIELDS = ("left", "top", "width", "height")
MAJORITY_VOTE = "majority-vote"
MODE = "mode"


def vote_key(value: Any) -> str:
    """Return the class key of a categorical value (strings as they are, anything else as JSON)."""
    return value if isinstance(value, str) else json.dumps(value)


@dataclass
class FieldModel:
    """Dawid–Skene parameters of one categorical question, from the flow's re-estimation."""

    classes: list[str]
    priors: np.ndarray
    matrices: dict[str, np.ndarray]  # workerId -> (observed, true)
    judgments: int
    evidence: dict[str, int] = field(default_factory=dict)  # workerId -> informative judgments of their matrix

    def matrix_of(self, worker_id: str) -> np.ndarray:
        if worker_id in self.matrices:
            return self.matrices[worker_id]
        # A reviewer the flow has not seen yet answers like the average reviewer.
        if self.matrices:
            return np.mean(list(self.matrices.values()), axis=0)
        return reliability.one_coin_matrix(0.7, len(self.classes)).T


@dataclass
class FlowModel:
    """What consolidation knows about a flow's reviewers (inference_adapters.quality.flow_quality stores it)."""

    fields: dict[str, FieldModel] = field(default_factory=dict)
    accuracy: dict[str, float] = field(default_factory=dict)  # workerId -> estimated accuracy

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> FlowModel:
        if not data:
            return cls()
        fields = {
            path: FieldModel(
                classes=list(spec["classes"]),
                priors=np.asarray(spec["priors"], dtype=float),
                matrices={w: np.asarray(m, dtype=float) for w, m in spec["workers"].items()},
                judgments=int(spec["judgments"]),
                evidence={w: int(n) for w, n in (spec.get("evidence") or {}).items()},
            )
            for path, spec in (data.get("fields") or {}).items()
        }
        accuracy = {w: float(a["accuracy"]) for w, a in (data.get("workers") or {}).items()}
        return cls(fields, accuracy)

    def weight_of(self, worker_id: str) -> float:
        """A reviewer's weight in geometric consolidation: estimated accuracy (the average one if unknown)."""
        if not self.accuracy:
            return 1.0
        return self.accuracy.get(worker_id, sum(self.accuracy.values()) / len(self.accuracy))


@dataclass
class Decision:
    answer: Any
    confidence: float | None
    method: str
    flagged: bool
    reason: str = ""
    votes: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        result = {
            "answer": self.answer,
            "confidence": None if self.confidence is None else round(self.confidence, 6),
            "method": self.method,
            "flagged": self.flagged,
        }
        if self.reason:
            result["reason"] = self.reason
        if self.votes:
            result["votes"] = self.votes
        return result


class Consolidator:
    """Walks one item's answers; decides each question with the flow's model and settings."""

    def __init__(
        self, worker_ids: list[str], model: FlowModel | None = None, config: QualityConfig | None = None
    ) -> None:
        self.worker_ids = worker_ids
        self.model = model or FlowModel()
        self.config = config or QualityConfig()
        self.fields: dict[str, Decision] = {}
        self.categorical: dict[str, list[Any]] = {}  # path -> the values given (for agreement numbers)
        self.givers: dict[str, list[str]] = {}  # path -> the workerIds who gave them

    # --- categorical questions ---

    def decide(self, path: str, given: list[tuple[int, Any]], *, modelled: bool = True) -> Any:
        """Decide one question from (answer index, value) pairs; returns the answer (None on a tie)."""
        keys = [vote_key(value) for _, value in given]
        originals = {vote_key(value): value for _, value in given}
        votes = dict(Counter(keys))
        if modelled:
            self.categorical[path] = [value for _, value in given]
            self.givers[path] = [self.worker_ids[i] for i, _ in given]
        field_model = self.model.fields.get(path) if modelled else None
        if (
            field_model is not None
            and self.config.consolidation == DAWID_SKENE
            and field_model.judgments >= self.config.min_history
            and all(key in field_model.classes for key in keys)
        ):
            index = {key: n for n, key in enumerate(field_model.classes)}
            matrices = [field_model.matrix_of(self.worker_ids[i]) for i, _ in given]
            posterior = reliability.item_posterior(field_model.priors, matrices, [index[k] for k in keys])
            best, confidence, tied = reliability.top_two(posterior)
            label = field_model.classes[best]
            # The model may prefer a label nobody gave here (a reviewer known to confuse two labels).
            answer = originals[label] if label in originals else _from_key(label, [v for _, v in given])
            decision = Decision(answer, confidence, DAWID_SKENE, False, votes=votes)
        else:
            best_key, top = max(votes.items(), key=lambda kv: kv[1]) if votes else (None, 0)
            tied = sum(1 for count in votes.values() if count == top) > 1
            confidence = top / len(keys) if keys else None
            decision = Decision(
                originals.get(best_key), confidence, MAJORITY_VOTE if modelled else MODE, False, votes=votes
            )
        if tied:
            decision.answer, decision.flagged, decision.reason = None, True, "tie"
        elif decision.confidence is not None and decision.confidence < self.config.flag_below:
            decision.flagged, decision.reason = True, "low confidence"
        self.fields[path] = decision
        return decision.answer

    # --- geometry ---

    def weights(self, indexes: list[int]) -> list[float]:
        return [self.model.weight_of(self.worker_ids[i]) for i in indexes]

    def record_geometry(self, path: str, method: str, supports: list[float], total: float) -> None:
        """Note a geometric field: its confidence is the weakest kept cluster's share of the weight."""
        kept = [s / total for s in supports if s * 2 > total] if total > 0 else []
        tie = any(math.isclose(s * 2, total) for s in supports)
        confidence = min(kept) if kept else None
        flagged = tie or (confidence is not None and confidence < self.config.flag_below)
        reason = "tie" if tie else ("low confidence" if flagged else "")
        weighted = len(set(self.weights(list(range(len(self.worker_ids)))))) > 1
        self.fields[path] = Decision(
            None, confidence, f"{method}{' (reliability-weighted)' if weighted else ''}", flagged, reason
        )


def _from_key(key: str, given: list[Any]) -> Any:
    """The value a class key stands for: yes/no questions hold booleans, the others strings."""
    return json.loads(key) if given and all(isinstance(v, bool) for v in given) else key


def consolidate_answers(answers: list[dict[str, Any]], consolidator: Consolidator) -> dict[str, Any]:
    """Return the consolidated answerContent of `answers` (in submission order)."""
    indexed = list(enumerate(answers))
    return _merge_objects(indexed, "", consolidator) if answers else {}


def categorical_questions(answers: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Return each categorical question of these answers with each answer's value (None where absent).

    The same walk as consolidation (so the same questions), deciding nothing: re-estimating a flow
    reads every answer of it this way.
    """
    collector = _Collector(len(answers))
    consolidate_answers(answers, collector)
    return collector.values


class _Collector(Consolidator):
    def __init__(self, n_answers: int) -> None:
        super().__init__([""] * n_answers)
        self.values: dict[str, list[Any]] = {}
        self.n_answers = n_answers

    def decide(self, path: str, given: list[tuple[int, Any]], *, modelled: bool = True) -> Any:
        if modelled:
            row = [None] * self.n_answers
            for index, value in given:
                row[index] = value
            self.values[path] = row
        return None

    def record_geometry(self, path: str, method: str, supports: list[float], total: float) -> None:
        return None


# --- The walk ---------------------------------------------------------------------------


Indexed = list[tuple[int, Any]]


def _merge(values: Indexed, path: str, c: Consolidator) -> Any:
    plain = [v for _, v in values]
    if all(isinstance(v, dict) for v in plain):
        if all("label" in v and set(v) <= {"label", "workerComment"} for v in plain):
            return {"label": c.decide(f"{path}.label", [(i, v["label"]) for i, v in values])}
        if all(isinstance(v.get("labels"), list) for v in plain):
            return {"labels": _label_set([(i, v["labels"]) for i, v in values], f"{path}.labels", c)}
        if all(isinstance(v.get("moderationLabels"), list) for v in plain):
            return _merge_moderation(values, path, c)
        if all("entities" in v and isinstance(v["entities"], list) for v in plain):
            return {**_merge_objects(values, path, c, skip="entities"), "entities": _merge_spans(values, path, c)}
        results = [v.get("annotatedResult") for v in plain]
        if all(isinstance(r, dict) for r in results):
            for shape, merge in (
                ("boundingBoxes", _merge_boxes),
                ("keypoints", _merge_keypoints),
                ("polygons", _merge_polygons),
            ):
                if all(isinstance(r.get(shape), list) for r in results):
                    return {"annotatedResult": merge(values, f"{path}.annotatedResult", c)}
        if plain and all(v and all(isinstance(x, bool) for x in v.values()) for v in plain):
            return _merge_booleans(values, path, c)
        return _merge_objects(values, path, c)
    if all(isinstance(v, bool) for v in plain):
        return c.decide(path, values, modelled=False)
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in plain):
        return statistics.median(plain)
    if all(isinstance(v, str) for v in plain):
        return c.decide(path, values, modelled=False)
    return json.loads(_mode([canonical_json(v) for v in plain]))


def _merge_objects(values: Indexed, path: str, c: Consolidator, skip: str = "") -> dict[str, Any]:
    merged: dict[str, Any] = {}
    keys = [key for key in dict.fromkeys(key for _, value in values for key in value) if key != skip]
    for key in keys:
        present = [(i, value[key]) for i, value in values if key in value]
        if len(present) * 2 >= len(values):
            merged[key] = _merge(present, f"{path}.{key}" if path else key, c)
    return merged


def _mode(values: list[Any]) -> Any:
    counts = Counter(map(vote_key, values))
    best = max(counts.values())
    return next(value for value in values if counts[vote_key(value)] == best)


def _label_set(choices: list[tuple[int, list[Any]]], path: str, c: Consolidator) -> list[Any]:
    originals = {vote_key(label): label for _, chosen in choices for label in chosen}
    kept = []
    for label in originals:
        votes = [(i, label in {vote_key(x) for x in chosen}) for i, chosen in choices]
        if c.decide(f"{path}[{label}]", votes) is True:
            kept.append(originals[label])
    return kept


def _merge_booleans(values: Indexed, path: str, c: Consolidator) -> dict[str, Any]:
    keys = list(dict.fromkeys(key for _, value in values for key in value))
    return {key: c.decide(f"{path}[{key}]", [(i, v[key]) for i, v in values if key in v]) for key in keys}


def _merge_moderation(values: Indexed, path: str, c: Consolidator) -> dict[str, Any]:
    chosen = [(i, [label for label in v["moderationLabels"] if isinstance(label, dict)]) for i, v in values]
    by_name = {vote_key(label.get("name")): label for _, labels in chosen for label in labels}
    names = _label_set(
        [(i, [label.get("name") for label in labels]) for i, labels in chosen], f"{path}.moderationLabels", c
    )
    return {"moderationLabels": [by_name[vote_key(name)] for name in names]}


# --- Geometry -------------------------------------------------------------------------


def weighted_median(values: list[float], weights: list[float], *, low: bool = False) -> float:
    """The median with equal weights (statistics.median, or median_low); else the lower weighted median."""
    if len(set(weights)) <= 1:
        return statistics.median_low(values) if low else statistics.median(values)
    pairs = sorted(zip(values, weights, strict=True))
    half, running = sum(weights) / 2, 0.0
    for value, weight in pairs:
        running += weight
        if running >= half:
            return value
    return pairs[-1][0]


def _iou(a: dict[str, Any], b: dict[str, Any]) -> float:
    ax2, ay2 = a["left"] + a["width"], a["top"] + a["height"]
    bx2, by2 = b["left"] + b["width"], b["top"] + b["height"]
    width = max(0.0, min(ax2, bx2) - max(a["left"], b["left"]))
    height = max(0.0, min(ay2, by2) - max(a["top"], b["top"]))
    inter = width * height
    union = a["width"] * a["height"] + b["width"] * b["height"] - inter
    return inter / union if union > 0 else 0.0


def _cluster(items: list[tuple[int, Any, Any]], close) -> list[dict[int, Any]]:
    """Group (reviewer, label, shape) by label and closeness to each cluster's first shape; one shape per reviewer."""
    clusters: list[tuple[Any, Any, dict[int, Any]]] = []
    for reviewer, label, shape in items:
        for seed_label, seed, members in clusters:
            if seed_label == label and reviewer not in members and close(seed, shape):
                members[reviewer] = shape
                break
        else:
            clusters.append((label, shape, {reviewer: shape}))
    return [members for _, _, members in clusters]


def _kept(clusters: list[dict[int, Any]], c: Consolidator, path: str, method: str, n_reviewers: list[int]):
    total = sum(c.weights(n_reviewers))
    supports = [sum(c.weights(list(members))) for members in clusters]
    c.record_geometry(path, method, supports, total)
    return [members for members, support in zip(clusters, supports, strict=True) if support * 2 > total]


def _image_properties(results: list[dict[str, Any]]) -> dict[str, Any]:
    properties = [r.get("inputImageProperties") for r in results]
    if any(p is not None for p in properties):
        return {"inputImageProperties": json.loads(_mode([canonical_json(p) for p in properties if p is not None]))}
    return {}


def _merge_boxes(values: Indexed, path: str, c: Consolidator) -> dict[str, Any]:
    items = [
        (i, box.get("label"), box)
        for i, v in values
        for box in v["annotatedResult"]["boundingBoxes"]
        if isinstance(box, dict) and all(isinstance(box.get(n), int | float) for n in _BOX_FIELDS)
    ]
    clusters = _cluster(items, lambda a, b: _iou(a, b) >= BOX_IOU_THRESHOLD)
    kept = []
    for members in _kept(clusters, c, f"{path}.boundingBoxes", "iou-clustering", [i for i, _ in values]):
        weights = c.weights(list(members))
        box = {n: weighted_median([b[n] for b in members.values()], weights) for n in _BOX_FIELDS}
        kept.append({"label": next(iter(members.values())).get("label"), **box})
    results = [v["annotatedResult"] for _, v in values]
    return {"boundingBoxes": kept, **_image_properties(results)}


def _merge_keypoints(values: Indexed, path: str, c: Consolidator) -> dict[str, Any]:
    results = [v["annotatedResult"] for _, v in values]
    properties = _image_properties(results).get("inputImageProperties") or {}
    if isinstance(properties.get("width"), int | float) and isinstance(properties.get("height"), int | float):
        radius = KEYPOINT_RADIUS_SHARE * math.hypot(properties["width"], properties["height"])
    else:
        radius = KEYPOINT_RADIUS_PIXELS
    items = [
        (i, point.get("label"), point)
        for i, v in values
        for point in v["annotatedResult"]["keypoints"]
        if isinstance(point, dict) and all(isinstance(point.get(n), int | float) for n in ("x", "y"))
    ]
    clusters = _cluster(items, lambda a, b: math.hypot(a["x"] - b["x"], a["y"] - b["y"]) <= radius)
    kept = []
    for members in _kept(clusters, c, f"{path}.keypoints", "distance-clustering", [i for i, _ in values]):
        weights = c.weights(list(members))
        point = {n: weighted_median([p[n] for p in members.values()], weights) for n in ("x", "y")}
        kept.append({"label": next(iter(members.values())).get("label"), **point})
    return {"keypoints": kept, **_image_properties(results)}


def _polygon_box(polygon: dict[str, Any]) -> dict[str, float]:
    xs = [p["x"] for p in polygon["vertices"]]
    ys = [p["y"] for p in polygon["vertices"]]
    return {"left": min(xs), "top": min(ys), "width": max(xs) - min(xs), "height": max(ys) - min(ys)}


def _merge_polygons(values: Indexed, path: str, c: Consolidator) -> dict[str, Any]:
    items = [
        (i, polygon.get("label"), polygon)
        for i, v in values
        for polygon in v["annotatedResult"]["polygons"]
        if isinstance(polygon, dict)
        and isinstance(polygon.get("vertices"), list)
        and len(polygon["vertices"]) >= 3
        and all(
            isinstance(p, dict) and all(isinstance(p.get(n), int | float) for n in ("x", "y"))
            for p in polygon["vertices"]
        )
    ]
    clusters = _cluster(items, lambda a, b: _iou(_polygon_box(a), _polygon_box(b)) >= BOX_IOU_THRESHOLD)
    kept = []
    for members in _kept(clusters, c, f"{path}.polygons", "iou-clustering", [i for i, _ in values]):
        reviewers = list(members)
        weights = dict(zip(reviewers, c.weights(reviewers), strict=True))

        def overlap(reviewer: int, members: dict[int, Any] = members, weights: dict[int, float] = weights) -> float:
            box = _polygon_box(members[reviewer])
            return sum(weights[o] * _iou(box, _polygon_box(members[o])) for o in members if o != reviewer)

        best = max(reviewers, key=lambda r: (overlap(r), weights[r], -r))
        kept.append(members[best])
    results = [v["annotatedResult"] for _, v in values]
    return {"polygons": kept, **_image_properties(results)}


def _span_iou(a: dict[str, Any], b: dict[str, Any]) -> float:
    inter = max(0, min(a["endOffset"], b["endOffset"]) - max(a["startOffset"], b["startOffset"]))
    union = max(a["endOffset"], b["endOffset"]) - min(a["startOffset"], b["startOffset"])
    return inter / union if union > 0 else 0.0


def _merge_spans(values: Indexed, path: str, c: Consolidator) -> list[dict[str, Any]]:
    items = [
        (i, span.get("label"), span)
        for i, v in values
        for span in v["entities"]
        if isinstance(span, dict) and all(isinstance(span.get(n), int) for n in ("startOffset", "endOffset"))
    ]
    clusters = _cluster(items, lambda a, b: _span_iou(a, b) >= SPAN_IOU_THRESHOLD)
    kept = []
    for members in _kept(clusters, c, f"{path}.entities", "span-overlap", [i for i, _ in values]):
        weights = c.weights(list(members))
        spans = list(members.values())
        start = weighted_median([s["startOffset"] for s in spans], weights, low=True)
        end = weighted_median([s["endOffset"] for s in spans], weights, low=True)
        kept.append({"endOffset": end, "label": spans[0].get("label"), "startOffset": start})
    return sorted(kept, key=lambda s: (s["startOffset"], s["endOffset"], str(s["label"])))
