"""Consolidated answers and quality numbers: consolidated.json per loop, re-estimation and reports per flow.

consolidated.json, beside each output.json, carries the consolidated answer
(inference_adapters.quality.consolidation says how each field is decided), and per
field its answer, confidence, method and whether it is flagged. Answers of
reviewers paused on the flow (flows.quality.gold) are left out.

Per flow, `reestimate_flow` fits Dawid–Skene (inference_adapters.quality.reliability)
to every categorical question over all finished loops' answers, with gold
items clamped to their known answers, and stores the reviewers' confusion
matrices (FlowReliability): later consolidations use them, and can rewrite
every finished loop's consolidated.json and export the answers as JSONL. The
per-reviewer report puts gold accuracy, estimated accuracy, agreement with
the consolidated answers and paused or excluded answers side by side.
"""

from __future__ import annotations

import functools
import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from flows.definitions.conditions import REKOGNITION_SOURCE, canonical_json
from flows.delivery import outputs
from flows.delivery.storage import get_store
from flows.models import FlowDefinition, GoldItem, HumanLoop, ReviewerStanding, ReviewTask
from flows.quality import gold, quality_config
from hitl.kernel import clock
from inference_adapters.models import FlowReliability
from inference_adapters.quality import reliability
from inference_adapters.quality.consolidation import (
    Consolidator,
    FlowModel,
    categorical_questions,
    consolidate_answers,
    vote_key,
)
from workforce.models import Worker

__all__ = [
    "categorical_questions",
    "consolidate",
    "consolidated_key",
    "flow_quality",
    "krippendorff_alpha",
    "reestimate_flow",
    "write_consolidated",
]

logger = logging.getLogger(__name__)
CONSOLIDATED_NAME = "consolidated.json"


# --- One output document -----------------------------------------------------------


def consolidate(
    document: dict[str, Any],
    *,
    model: FlowModel | None = None,
    config: quality_config.QualityConfig | None = None,
    excluded_worker_ids: Iterable[str] = (),
) -> dict[str, Any]:
    """Return the consolidated answer, per-field decisions and reviewer agreement of one output.json document."""
    excluded = set(excluded_worker_ids)
    answers = document.get("humanAnswers") or []
    kept = [answer for answer in answers if answer.get("workerId") not in excluded]
    consolidator = Consolidator([str(answer.get("workerId")) for answer in kept], model, config)
    consolidated = consolidate_answers([answer.get("answerContent") or {} for answer in kept], consolidator)
    fields = {path: decision.as_json() for path, decision in sorted(consolidator.fields.items())}
    methods = sorted({decision["method"] for decision in fields.values()})
    return {
        "flowDefinitionArn": document.get("flowDefinitionArn"),
        "humanLoopName": document.get("humanLoopName"),
        "answerCount": len(kept),
        "workerIds": [answer.get("workerId") for answer in kept],
        "excludedWorkerIds": [answer.get("workerId") for answer in answers if answer.get("workerId") in excluded],
        "consolidatedAnswer": consolidated,
        "fields": fields,
        "methods": methods,
        "flagged": any(decision["flagged"] for decision in fields.values()) or (bool(answers) and not kept),
        "agreement": {
            path: {"votes": dict(Counter(map(vote_key, values))), "pairwiseAgreement": _pairwise(values)}
            for path, values in sorted(consolidator.categorical.items())
        },
    }


def consolidated_key(output_key: str) -> str:
    """Return the key of consolidated.json beside the output.json at `output_key`."""
    prefix = output_key.rsplit("/", 1)[0] if "/" in output_key else ""
    return f"{prefix}/{CONSOLIDATED_NAME}" if prefix else CONSOLIDATED_NAME


def flow_model(flow: FlowDefinition) -> FlowModel:
    """Return the flow's last reliability estimate (empty before the first re-estimation)."""
    stored = FlowReliability.objects.filter(flow_definition_id=flow.id).values_list("model", flat=True).first()
    return FlowModel.from_json(stored)


def excluded_worker_ids(flow: FlowDefinition) -> set[str]:
    """Return the workerIds of the reviewers paused on the flow."""
    paused = gold.paused_worker_ids(flow.id)
    if not paused:
        return set()
    return set(Worker.objects.filter(user_id__in=paused).values_list("worker_id", flat=True))


def write_consolidated(
    bucket: str, output_key: str, output_document: bytes, *, kms_key_id: str = "", flow: FlowDefinition | None = None
) -> str:
    """Write consolidated.json beside an output.json and return its URI.

    With `flow`, its settings, reviewer estimate and paused reviewers apply;
    the same output and estimate give the same bytes. Never raises on odd
    answer shapes: the loop's finalization must not be held up by quality
    numbers, so a failure is recorded in the document.
    """
    document = json.loads(output_document)
    try:
        if flow is not None:
            stamp, excluded = _flow_state(flow.id)
            consolidated = consolidate(
                document,
                model=flow_model_cached(flow, stamp),
                config=quality_config.of_flow(flow),
                excluded_worker_ids=excluded,
            )
        else:
            consolidated = consolidate(document)
    except Exception as exc:  # deterministic fallback, same bytes on every retry
        logger.exception("Could not consolidate %s", output_key)
        consolidated = {
            "flowDefinitionArn": document.get("flowDefinitionArn"),
            "humanLoopName": document.get("humanLoopName"),
            "consolidatedAnswer": None,
            "error": f"{type(exc).__name__}: {exc}",
        }
    return _put(bucket, output_key, consolidated, kms_key_id)


def _put(bucket: str, output_key: str, consolidated: dict[str, Any], kms_key_id: str) -> str:
    body = canonical_json(consolidated).encode("utf-8")
    key = consolidated_key(output_key)
    get_store().put(bucket, key, body, content_type="application/json", kms_key_id=kms_key_id)
    return f"s3://{bucket}/{key}"


# Without a fitted model, adaptive overlap assumes each reviewer right this often (wrong uniformly otherwise).
ASSUMED_ACCURACY = reliability.PRIOR_ACCURACY
# A reviewer's lone answer can complete an adaptive loop only once their matrix rests on this many
# informative judgments (about seven per true label on three labels: the prior's five no longer dominate).
PROVEN_JUDGMENTS = 20


def answers_confidence(flow: FlowDefinition, answers: list[tuple[str, dict[str, Any]]]) -> float | None:
    """Return the lowest posterior confidence over the categorical questions of (workerId, answerContent) pairs.

    Questions the flow's estimate covers use the reviewers' confusion
    matrices (Dawid–Skene); the others assume every reviewer is right
    ASSUMED_ACCURACY of the time, over at least two labels, so one answer is
    never "sure" (a vote share would be 1.0). A lone answer from a reviewer
    whose matrix rests on fewer than PROVEN_JUDGMENTS informative judgments
    (gold items, items with two or more answers) is assumed right
    ASSUMED_ACCURACY of the time too: what the matrix says of them is mostly
    its prior. A tie counts as 0. None when the answers hold no categorical
    question (adaptive overlap then stops at its minimum).
    """
    config = quality_config.of_flow(flow)
    consolidator = Consolidator([worker for worker, _ in answers], flow_model_cached(flow), config)
    consolidate_answers([answer or {} for _, answer in answers], consolidator)
    confidences = []
    for path, values in consolidator.categorical.items():
        decision = consolidator.fields[path]
        if decision.reason == "tie":
            confidences.append(0.0)
        elif decision.method == quality_config.DAWID_SKENE and not _unproven_alone(consolidator, path):
            confidences.append(decision.confidence or 0.0)
        else:
            keys = [vote_key(v) for v in values]
            classes = sorted(set(keys))
            matrix = reliability.one_coin_matrix(ASSUMED_ACCURACY, max(2, len(classes)))
            posterior = reliability.item_posterior(
                np.full(matrix.shape[0], 1 / matrix.shape[0]), [matrix] * len(keys), [classes.index(k) for k in keys]
            )
            confidences.append(float(posterior.max()))
    return min(confidences) if confidences else None


def _unproven_alone(consolidator: Consolidator, path: str) -> bool:
    """Whether the question has one answer, from a reviewer the flow's estimate knows too little about."""
    givers = consolidator.givers.get(path, [])
    if len(givers) != 1:
        return False
    field_model = consolidator.model.fields.get(path)
    return field_model is None or field_model.evidence.get(givers[0], 0) < PROVEN_JUDGMENTS


_model_cache: dict[int, tuple[Any, FlowModel]] = {}


def _flow_state(flow_id: int) -> tuple[Any, set[str]]:
    """Return (when the flow was last estimated or None, workerIds paused on it) in one plain query.

    Read on every finished loop of the flow (the consolidation step of finalize_loop): written out
    rather than two ORM queries, whose compilation cost more than consolidating the answers.
    """
    tables = {
        "flow": FlowDefinition._meta.db_table,
        "estimate": FlowReliability._meta.db_table,
        "standing": ReviewerStanding._meta.db_table,
        "worker": Worker._meta.db_table,
    }
    sql = (
        "SELECT r.estimated_at, w.worker_id FROM {flow} f "
        "LEFT JOIN {estimate} r ON r.flow_definition_id = f.id "
        "LEFT JOIN {standing} s ON s.flow_definition_id = f.id AND s.paused_at IS NOT NULL "
        "LEFT JOIN {worker} w ON w.user_id = s.worker_id WHERE f.id = %s"
    ).format(**{name: connection.ops.quote_name(table) for name, table in tables.items()})
    with connection.cursor() as cursor:
        cursor.execute(sql, [flow_id])
        rows = cursor.fetchall()
    stamp = rows[0][0] if rows else None
    return stamp, {worker for _, worker in rows if worker}


def flow_model_cached(flow: FlowDefinition, stamp: Any = ...) -> FlowModel:
    """The flow's estimate, parsed once per estimate (every finished loop and adaptive answer reads it)."""
    if stamp is ...:
        stamp = _flow_state(flow.id)[0]
    cached = _model_cache.get(flow.id)
    if cached is None or cached[0] != stamp:
        cached = (stamp, flow_model(flow) if stamp is not None else FlowModel())
        _model_cache[flow.id] = cached
    return cached[1]


def _pairwise(values: list[Any]) -> float | None:
    """Share of ordered reviewer pairs that gave the same value (None with fewer than two reviewers)."""
    n = len(values)
    if n < 2:
        return None
    counts = Counter(map(vote_key, values))
    return round(sum(c * (c - 1) for c in counts.values()) / (n * (n - 1)), 6)


# --- Re-estimation over a flow -------------------------------------------------------


@dataclass
class _LoopAnswers:
    loop_id: int
    name: str
    output_uri: str
    is_gold: bool
    finished: bool = True
    workers: list[str] = field(default_factory=list)
    users: list[int] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class FlowRun:
    """What one re-estimation found: the summary, per-reviewer report, and each loop's consolidation."""

    summary: dict[str, Any]
    reviewers: list[dict[str, Any]]
    consolidated: list[dict[str, Any]]

    def jsonl(self) -> Iterable[str]:
        for row in self.consolidated:
            yield canonical_json(row) + "\n"


def _finished_answers(flow: FlowDefinition) -> list[_LoopAnswers]:
    """Load the answers of the flow's finished loops and of its gold items, in submission order.

    Answers stay JSON text (loops' answers repeat a lot: their questions are read once per distinct
    set, see _questions_of); three plain queries rather than one join, for speed on 100k answers.
    """
    # Loops still collecting answers count too: their answers are evidence about the reviewers (adaptive
    # overlap needs an estimate long before its loops finish); only finished loops are consolidated.
    loops = {
        loop_id: _LoopAnswers(loop_id, name, uri, bool(is_gold), finished=status in HumanLoop.TERMINAL)
        for loop_id, name, uri, is_gold, status in _plain_rows(
            HumanLoop.objects.filter(flow_definition_id=flow.id)
            .filter(Q(status__in=[*HumanLoop.TERMINAL, *HumanLoop.OPEN]) | Q(is_gold=True))
            .values_list("id", "name", "output_s3_uri", "is_gold", "status")
        )
    }
    rows = _plain_rows(
        ReviewTask.objects.filter(flow_definition_id=flow.id, state=ReviewTask.State.SUBMITTED)
        .annotate(raw=Cast("answer", output_field=TextField()))
        .order_by("human_loop_id", "submitted_at", "id")
        .values_list("human_loop_id", "worker_id", "raw")
    )
    worker_ids = dict(
        Worker.objects.filter(user_id__in={user_id for _, user_id, _ in rows}).values_list("user_id", "worker_id")
    )
    for loop_id, user_id, raw in rows:
        loop = loops.get(loop_id)
        if loop is None:
            continue  # deleted meanwhile
        loop.workers.append(worker_ids.get(user_id, str(user_id)))
        loop.users.append(user_id)
        loop.answers.append(raw)
    return [loop for loop in loops.values() if loop.answers]


def _plain_rows(queryset) -> list[tuple]:
    """The queryset's rows as the database driver returns them: the ORM's per-value converters (a third of
    the time on 100k answers) are skipped; the columns read here need none (ids, text, flags)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@functools.lru_cache(maxsize=4096)
def _keyed_questions(raw_answers: tuple[str, ...]) -> tuple[tuple[str, tuple[tuple[int, str], ...]], ...]:
    """The categorical questions of a set of answers (JSON text): per question, (answer position, class key)."""
    answers = [json.loads(raw) for raw in raw_answers]
    questions = categorical_questions([a if isinstance(a, dict) else {} for a in answers])
    return tuple(
        (path, tuple((n, vote_key(value)) for n, value in enumerate(values) if value is not None))
        for path, values in questions.items()
    )


def _answers_of(loop: _LoopAnswers) -> list[dict[str, Any]]:
    parsed = [json.loads(raw) for raw in loop.answers]
    return [a if isinstance(a, dict) else {} for a in parsed]


def reestimate_flow(flow: FlowDefinition, *, consolidate_loops: bool = False, rewrite: bool = False) -> FlowRun:
    """Fit the flow's reviewer model to all its answers (finished loops, open ones, gold) and store it.

    With `consolidate_loops` (export) or `rewrite`, every finished loop is
    consolidated again with the new estimate (FlowRun.consolidated), and with
    `rewrite` its consolidated.json is written again. Gold items' known answers
    are clamped in the fit; gold loops are never consolidated or written.
    """
    config = quality_config.of_flow(flow)
    loops = _finished_answers(flow)
    paused_users = gold.paused_worker_ids(flow.id)
    gold_answers = dict(
        GoldItem.objects.filter(human_loop__flow_definition_id=flow.id).values_list("human_loop_id", "answer")
    )
    # Collect each categorical question's judgments: path -> (item, worker, class key).
    judgments: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    gold_truth: dict[str, dict[int, str]] = defaultdict(dict)
    excluded_answers: Counter[str] = Counter()
    for item, loop in enumerate(loops):
        if paused_users and paused_users.intersection(loop.users):
            kept = [n for n, user in enumerate(loop.users) if user not in paused_users]
            for n, user in enumerate(loop.users):
                if user in paused_users:
                    excluded_answers[loop.workers[n]] += 1
            if not kept:
                continue
            answers = tuple(loop.answers[n] for n in kept)
        else:
            kept, answers = range(len(loop.answers)), tuple(loop.answers)
        if loop.is_gold and loop.loop_id in gold_answers:
            questions = _keyed_questions((json.dumps(gold_answers[loop.loop_id]), *answers))
            for path, pairs in questions:
                truth = [key for position, key in pairs if position == 0]
                if truth:
                    gold_truth[path][item] = truth[0]
            questions = tuple(
                (path, tuple((position - 1, key) for position, key in pairs if position > 0))
                for path, pairs in questions
            )
        else:
            questions = _keyed_questions(answers)
        workers = loop.workers
        for path, pairs in questions:
            rows = judgments[path]
            for position, key in pairs:
                rows.append((item, workers[kept[position]], key))
    gold_items = {item for item, loop in enumerate(loops) if loop.is_gold}
    model_json, agreement, flagged = _fit(judgments, gold_truth, gold_items, config.flag_below)
    now = clock.now()
    FlowReliability.objects.update_or_create(
        flow_definition=flow,
        defaults={"model": model_json, "estimated_at": now, "judgments": sum(len(j) for j in judgments.values())},
    )
    model = FlowModel.from_json(model_json)
    excluded_ids = excluded_worker_ids(flow)
    consolidated_rows = []
    for loop in loops:
        if loop.is_gold or not loop.finished or not (consolidate_loops or rewrite):
            continue
        document = {
            "flowDefinitionArn": outputs.flow_arn(flow),
            "humanLoopName": loop.name,
            "humanAnswers": [
                {"workerId": w, "answerContent": a} for w, a in zip(loop.workers, _answers_of(loop), strict=True)
            ],
        }
        result = consolidate(document, model=model, config=config, excluded_worker_ids=excluded_ids)
        consolidated_rows.append(result)
        if rewrite and loop.output_uri:
            bucket, key = outputs.split_s3_path(loop.output_uri)
            _put(bucket, key, result, flow.kms_key_id)
    summary = {
        "flowDefinitionArn": outputs.flow_arn(flow),
        "estimatedAt": outputs.iso_millis(now),
        "loops": sum(1 for loop in loops if loop.finished and not loop.is_gold),
        "goldItemsAnswered": sum(1 for loop in loops if loop.is_gold),
        "judgments": sum(len(j) for j in judgments.values()),
        "fields": {
            path: {"judgments": spec["judgments"], "classes": spec["classes"], "iterations": spec["iterations"]}
            for path, spec in model_json["fields"].items()
        },
        "flagged": flagged,
        "rewritten": sum(1 for loop in loops if rewrite and loop.output_uri and loop.finished and not loop.is_gold),
    }
    return FlowRun(summary, _reviewers(flow, model_json, agreement, excluded_answers), consolidated_rows)


def _fit(
    judgments: dict[str, list[tuple[int, str, str]]],
    gold_truth: dict[str, dict[int, str]],
    gold_items: set[int],
    flag_below: float,
) -> tuple[dict, dict[str, list[int]], int]:
    """Fit each question; return the model, per reviewer [agreed, compared] with the fit's answers, flagged items.

    The fit's own posteriors give each item's answer here, so reporting needs no second pass over the loops.
    """
    fields: dict[str, Any] = {}
    agreement: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    flagged_items: set[int] = set()
    per_worker: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])  # workerId -> [accuracy sum, judgments]
    for path, rows in sorted(judgments.items()):
        classes = sorted({key for _, _, key in rows} | set(gold_truth.get(path, {}).values()))
        workers = sorted({worker for _, worker, _ in rows})
        class_index = {key: n for n, key in enumerate(classes)}
        worker_index = {worker: n for n, worker in enumerate(workers)}
        # Only the items that have this question: the priors are this question's alone.
        item_index = {item: n for n, item in enumerate(dict.fromkeys(item for item, _, _ in rows))}
        data = reliability.Judgments.of(
            np.fromiter((item_index[i] for i, _, _ in rows), dtype=np.int64, count=len(rows)),
            np.fromiter((worker_index[w] for _, w, _ in rows), dtype=np.int64, count=len(rows)),
            np.fromiter((class_index[k] for _, _, k in rows), dtype=np.int64, count=len(rows)),
            n_items=len(item_index),
            n_workers=len(workers),
            n_classes=len(classes),
        )
        gold = {
            item_index[item]: class_index[key] for item, key in gold_truth.get(path, {}).items() if item in item_index
        }
        fit = reliability.fit_flow_question(data, gold)
        estimate = fit.estimate
        priors = estimate.priors
        order = np.sort(estimate.posteriors, axis=1)
        best = estimate.posteriors.argmax(axis=1)
        unsure = (order[:, -1] < flag_below) | (
            order[:, -1] - order[:, -2] <= reliability.TIE_TOLERANCE if len(classes) > 1 else False
        )
        items_back = np.fromiter(item_index, dtype=np.int64, count=len(item_index))
        real = ~np.isin(items_back, np.fromiter(gold_items, dtype=np.int64, count=len(gold_items)))
        flagged_items.update(int(i) for i in items_back[unsure & real])
        agrees = (data.label == best[data.item]) & real[data.item] & ~unsure[data.item]
        compared = real[data.item] & ~unsure[data.item]
        for n, worker in enumerate(workers):
            mine = data.worker == n
            agreement[worker][0] += int(agrees[mine].sum())
            agreement[worker][1] += int(compared[mine].sum())
        accuracy = reliability.worker_accuracy(estimate.confusion, priors)
        counts = np.bincount(data.worker, minlength=len(workers))
        for n, worker in enumerate(workers):
            per_worker[worker][0] += float(accuracy[n]) * counts[n]
            per_worker[worker][1] += counts[n]
        fields[path] = {
            "classes": classes,
            "priors": [round(float(p), 8) for p in priors],
            "judgments": len(rows),
            "iterations": estimate.iterations,
            "workers": {w: np.round(estimate.confusion[n], 8).tolist() for n, w in enumerate(workers)},
            "evidence": {w: int(round(fit.evidence[n])) for n, w in enumerate(workers)},
        }
    model = {
        "fields": fields,
        "workers": {
            worker: {"accuracy": round(total / count, 6), "judgments": int(count)}
            for worker, (total, count) in sorted(per_worker.items())
            if count
        },
    }
    return model, agreement, len(flagged_items)


def _reviewers(
    flow: FlowDefinition, model_json: dict, agreement: dict[str, list[int]], excluded_answers: Counter[str]
) -> list[dict[str, Any]]:
    standings = {
        worker_id: standing
        for standing, worker_id in (
            (s, s.worker.worker.worker_id)
            for s in ReviewerStanding.objects.filter(flow_definition=flow).select_related("worker__worker")
        )
    }
    workers = sorted(set(model_json["workers"]) | set(standings) | set(agreement) | set(excluded_answers))
    report = []
    for worker in workers:
        standing = standings.get(worker)
        agreed, compared = agreement.get(worker, (0, 0))
        estimate = model_json["workers"].get(worker)
        report.append(
            {
                "workerId": worker,
                "goldAnswered": standing.gold_answered if standing else 0,
                "goldCorrect": standing.gold_correct if standing else 0,
                "goldAccuracy": round(standing.gold_correct / standing.gold_answered, 6)
                if standing and standing.gold_answered
                else None,
                "estimatedAccuracy": estimate["accuracy"] if estimate else None,
                "judgments": estimate["judgments"] if estimate else 0,
                "agreementWithConsolidated": round(agreed / compared, 6) if compared else None,
                "qualified": bool(standing and standing.qualified_at),
                "paused": bool(standing and standing.paused_at),
                "pauseReason": standing.pause_reason if standing else "",
                "excludedAnswers": excluded_answers.get(worker, 0),
            }
        )
    return report


# --- Per flow ------------------------------------------------------------------------


def krippendorff_alpha(units: Iterable[list[Any]]) -> float | None:
    """Return Krippendorff's alpha (nominal) over units of reviewer values; None when undefined.

    Units with fewer than two values are not pairable and are ignored. Alpha
    is undefined (None) when every pairable value is the same category.
    """
    coincidence: Counter[tuple[str, str]] = Counter()
    for values in units:
        keys = [vote_key(v) for v in values]
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
